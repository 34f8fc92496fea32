/**
 * The shape of a CLI command. Commands are data in a registry (commands/index.ts): main.ts routes
 * `skagent <group> [<sub>] args...` to the command whose `path` matches.
 */
export interface Command {
  /** Words after `skagent`, e.g. ['checkpoint', 'inspect']. */
  readonly path: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Full help text printed for `--help`: usage, options, examples. */
  readonly help: string;
  /** Returns the process exit code (see ExitCode in src/errors.ts). */
  run(args: string[]): Promise<number>;
}
