/**
 * Errors the two servers (`skagent serve`, `skagent view`) answer with, as JSON `{ error }`.
 */
import type { Duplex } from 'node:stream';
import { UserError } from '../errors.js';

/** An error answered with its own HTTP status (400 bad request, 404, 413, 422 bad input, ...). */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The status for an error thrown while answering: HttpError's own; errors about the user's input
 * or files (UserError, DataError) are 422; anything else is a bug, 500. Each server adds its own
 * cases in front (a full pool, a refused path).
 */
export function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (err instanceof UserError) return 422;
  return 500;
}

/**
 * The answer to a request Node's HTTP parser refuses before any handler sees it (an unknown
 * method, a malformed request line or header): a 400 with a JSON error, as the servers' own
 * refusals are, instead of Node's bare 400 without a body.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) { socket.destroy(); return; }
  const text = JSON.stringify({ error: `request: malformed HTTP (${err.code ?? err.message})` });
  socket.end(`HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}
