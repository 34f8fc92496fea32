/**
 * Errors about dataset files. They extend UserError so the CLI prints the message as is and exits
 * with "bad input"; the message always names the file, and when known the sample and the field.
 */
import { UserError } from '../errors.js';

/** Where in a dataset a problem sits. `sample` is the index in the file's `annotations` list. */
export interface DataLocation {
  readonly file: string;
  readonly sample?: number;
  readonly frameDir?: string;
  readonly field?: string;
}

export function describeLocation(at: DataLocation): string {
  let s = at.file;
  if (at.sample !== undefined) s += `: sample ${at.sample}${at.frameDir !== undefined ? ` ('${at.frameDir}')` : ''}`;
  if (at.field !== undefined) s += `, field '${at.field}'`;
  return s;
}

export class DataError extends UserError {
  constructor(readonly at: DataLocation, readonly problem: string) {
    super(`${describeLocation(at)}: ${problem}`);
    this.name = 'DataError';
  }
}
