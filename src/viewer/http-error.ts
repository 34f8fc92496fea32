import { UserError } from '../errors.js';

/** An error the viewer's API answers with its own HTTP status (400 bad request, 404, 422 bad input). */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The status for any error thrown while answering: HttpError's own; errors about the user's files
 * (UserError, DataError) are 422; anything else is a bug, 500.
 */
export function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (err instanceof UserError) return 422;
  return 500;
}
