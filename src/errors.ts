/**
 * Errors meant for the user and the exit codes they map to. This sits at the bottom of src/ so any
 * layer (config, data, transforms, engine) can raise a UserError without reaching up into the CLI,
 * which only turns them into a message and `process.exitCode`.
 */

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
  /** Interrupted (SIGINT); state written so far is consistent (resume works). */
  interrupted: 130,
  /** Terminated (SIGTERM); as for interrupted. */
  terminated: 143,
} as const;

/** An error whose message is meant for the user as is, with the exit code to use. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = ExitCode.badInput) {
    super(message);
    this.name = 'UserError';
  }
}
