/** Every CLI command, in the order `skagent --help` lists them. */
import type { Command } from '../command.js';

export const COMMANDS: readonly Command[] = [
];
