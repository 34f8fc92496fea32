import { UserError } from '../errors.js';
import { HttpError } from '../io/http-errors.js';

/**
 * The status for any error thrown while answering: HttpError's own; errors about the user's files
 * (UserError, DataError) are 422; anything else is a bug, 500.
 */
export function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (err instanceof UserError) return 422;
  return 500;
}
