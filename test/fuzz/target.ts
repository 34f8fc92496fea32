/** What a fuzz target is: seeds, a parser run on one input, and which errors count as refusals. */
import { UserError } from '../../src/errors.js';
import { PickleError } from '../../src/io/pickle/index.js';

export interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** A seed the parser must refuse (e.g. a path traversal attempt): it joins the corpus to be mutated. */
  readonly refused?: boolean;
}

export interface FuzzTarget {
  readonly name: string;
  /** Line-oriented text: the mutator also edits lines and numbers. */
  readonly text: boolean;
  seeds(): Seed[];
  /** JSON text: number edits replace numeric literals (a space-separated token is rarely one). */
  readonly json?: boolean;
  /** Parses one input; `source` is the name it must use in its errors. */
  parse(bytes: Uint8Array, source: string): void | Promise<void>;
  /** Which errors are refusals (default: isOwnError); anything else thrown is a crash. */
  isOwnError?(err: unknown, source: string): boolean;
  /** Seeds are large and slow to parse: short runs use fewer inputs. */
  readonly slow?: boolean;
  /** Tokens of the format (keys, path parts) that the mutator inserts and overwrites with. */
  readonly dictionary?: readonly string[];
}

/** The parser's own errors: a UserError / PickleError, or a plain Error whose message names the input. */
export function isOwnError(err: unknown, source: string): boolean {
  if (err instanceof UserError || err instanceof PickleError) return true;
  return err instanceof Error && Object.getPrototypeOf(err) === Error.prototype && err.message.includes(source);
}
