/** Every CLI command, in the order `skagent --help` lists them. */
import type { Command } from '../command.js';
import { agentInitCommand } from './agent-init.js';
import { agentRefineCommand } from './agent-refine.js';
import { agentSelectCommand } from './agent-select.js';

export const COMMANDS: readonly Command[] = [
  agentInitCommand,
  agentRefineCommand,
  agentSelectCommand,
];
