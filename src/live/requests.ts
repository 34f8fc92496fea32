/**
 * What `skagent serve` reads from its clients, as functions of the request alone (no sockets), so
 * the fuzzer runs them in-process: a /v1/recognize body, a /v1/stream query and one stream
 * message. Bad input throws an HttpError or a PoseInputError whose message names the field;
 * `statusOf` gives the status the server answers for any error (a 500 only for a bug).
 */
import { HttpError, statusOf as httpStatusOf } from '../io/http-errors.js';
import { PoolFullError } from './pool.js';
import { type PackedKeypoints, type PoseOptions, type PoseTarget, PoseInputError, parsePoseJson } from './poses.js';
import { prepareSequence } from './recognize.js';
import { type KeypointRecognizer, PoseStream, type TopLabel } from './stream.js';

export function statusOf(err: unknown): number {
  if (err instanceof PoolFullError) return 503;
  if (err instanceof Error && err.name === 'RecognizerError') return 422;
  return httpStatusOf(err);
}

export function parseJson(text: string, what: string): unknown {
  if (text.trim() === '') throw new HttpError(400, `${what}: empty (expected JSON poses)`);
  try { return JSON.parse(text); } catch (err) { throw new HttpError(400, `${what}: not JSON (${(err as Error).message})`); }
}

/** What a model expects of the poses sent to it (from its metadata). */
export interface ModelInput {
  readonly target: PoseTarget;
  /** The model's frame rate: timestamped poses are resampled to it. */
  readonly fps?: number;
  readonly poseOptions?: PoseOptions;
  readonly topK: number;
}

export interface RecognizeRequest {
  readonly keypoints: PackedKeypoints;
  readonly tracks: string[];
  readonly frames: number;
  readonly format: string;
  readonly topK: number;
}

/**
 * A POST /v1/recognize body, read and mapped onto the model's joints before it takes a place in
 * the pool: poses that do not fit the model are refused (422) without waiting for a model run.
 */
export function readRecognizeBody(text: string, model: ModelInput): RecognizeRequest {
  const doc = parseJson(text, 'body');
  let topK = model.topK;
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'top' in doc) {
    const t = (doc as { top: unknown }).top;
    if (!Number.isInteger(t) || (t as number) < 1) throw new HttpError(422, `body.top: expected a positive integer, got ${JSON.stringify(t)}`);
    topK = t as number;
  }
  const seq = parsePoseJson(doc, model.poseOptions, 'body');
  let prepared;
  try {
    prepared = prepareSequence(seq, model.target, { fps: model.fps, where: Array.isArray(doc) ? 'body' : 'body.frames' });
  } catch (err) {
    // Mapping errors name the model's expectation; say which part of the request they are about.
    if (err instanceof PoseInputError && !err.message.startsWith('body')) throw new PoseInputError(`body: ${err.message}`);
    throw err;
  }
  return { ...prepared, format: seq.format, topK };
}

/** A live stream's parameters from the /v1/stream query: window and stride in model frames, top-k. */
export interface StreamQuery { readonly window: number; readonly stride: number; readonly topK: number }

/**
 * Largest stream window and stride (model-rate frames): ten minutes at 30 fps. The window is a
 * ring buffer allocated when the stream opens and recognised whole, so it cannot be any number.
 */
export const MAX_STREAM_WINDOW = 18_000;

function intParam(q: URLSearchParams, name: string, fallback: number, max: number): number {
  const v = q.get(name);
  if (v === null) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, `query ${name}: expected an integer in 1..${max}, got '${v}'`);
  return n;
}

/** `?window=W&stride=S&top=K`; W defaults to the model's clip length, S to W/4. */
export function readStreamQuery(q: URLSearchParams, defaults: { window: number; topK: number }): StreamQuery {
  const window = intParam(q, 'window', defaults.window, MAX_STREAM_WINDOW);
  const stride = intParam(q, 'stride', Math.max(1, Math.ceil(window / 4)), MAX_STREAM_WINDOW);
  const topK = intParam(q, 'top', defaults.topK, Number.MAX_SAFE_INTEGER);
  return { window, stride, topK };
}

/** A request target (`/v1/...?...`) as a URL; one that is no valid URL path (`//`, `//[`) is a 400. */
export function requestUrl(target: string): URL {
  try {
    return new URL(target, 'http://localhost');
  } catch {
    throw new HttpError(400, `request target '${target}': not a valid path`);
  }
}

/**
 * A new live stream for a WebSocket upgrade's request target (`/v1/stream?window=...`): a wrong
 * path is an HttpError 404, a bad query a 400 naming the parameter.
 */
export function openStream(target: string, recognizer: KeypointRecognizer, model: ModelInput & { readonly clipLen: number }): PoseStream {
  const url = requestUrl(target);
  if (url.pathname !== '/v1/stream') throw new HttpError(404, `no WebSocket route ${url.pathname} (WebSocket /v1/stream)`);
  const { window, stride, topK } = readStreamQuery(url.searchParams, { window: model.clipLen, topK: model.topK });
  try {
    return new PoseStream(recognizer, model.target, { ...model.poseOptions, window, stride, topK, fps: model.fps });
  } catch (err) {
    throw new HttpError(400, `query: ${(err as Error).message}`);
  }
}

export type StreamReply =
  | { type: 'prediction'; frame: number; t?: number; frames: number; tracks: string[]; top: TopLabel[]; latencyMs: number }
  | { type: 'error'; status: number; error: string };

/**
 * One WebSocket message of a stream (`where` names it, e.g. 'frame 3'): the reply to send, or
 * null when the frame was taken and no prediction fell due. Never throws: a bad frame is an error
 * reply with its status, and the stream goes on.
 */
export async function answerStreamMessage(stream: PoseStream, message: { text: string } | { binary: true }, where: string): Promise<StreamReply | null> {
  try {
    if (!('text' in message)) throw new HttpError(400, `${where}: binary message, expected a JSON frame`);
    const p = await stream.push(parseJson(message.text, where), where);
    return p === null ? null : { type: 'prediction', frame: p.frame, ...(p.t === undefined ? {} : { t: p.t }), frames: p.frames, tracks: p.tracks, top: p.top, latencyMs: p.latencyMs };
  } catch (err) {
    const message = (err as Error).message;
    // e.g. a full pool's 'busy: ...': say which frame it is about
    return { type: 'error', status: statusOf(err), error: message.startsWith(where) ? message : `${where}: ${message}` };
  }
}
