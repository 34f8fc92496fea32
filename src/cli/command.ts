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
  /** Returns the process exit code (see ExitCode). */
  run(args: string[]): Promise<number>;
}

/** Exit codes with a meaning users can script against. */
export const ExitCode = {
  ok: 0,
  /** The command ran and reports a failure (e.g. a check did not pass). */
  failure: 1,
  /** Wrong command line: unknown option, missing argument. */
  usage: 2,
  /** Bad input data: unreadable, malformed or inconsistent files. */
  badInput: 3,
  /** The runtime is missing something: libtorch, an LLM endpoint, a GPU. */
  environment: 4,
  /** Interrupted by a signal; state written so far is consistent (resume works). */
  interrupted: 130,
} as const;

/** An error whose message is meant for the user as is, with the exit code to use. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = ExitCode.badInput) {
    super(message);
    this.name = 'UserError';
  }
}
