/**
 * `skagent serve`: exported models behind HTTP and WebSocket (node:http + ws).
 *
 *   GET  /v1/health     models, layout, classes, pool load
 *   POST /v1/recognize  a pose document (see parsePoseJson; optional "top") → top-k
 *   WS   /v1/stream?window=W&stride=S&top=K   one PoseStream per connection: each text message
 *        is one frame; replies { type: 'prediction', ... } every stride frames, and
 *        { type: 'error', status, error } for a bad frame (the stream goes on)
 *
 * Bad input is a 4xx whose message names the field: 400 garbage JSON, 413 body over the limit,
 * 422 poses that do not fit the model, 404/405 wrong route; 503 when the shared bounded pool is
 * full. A client that disconnects mid-body or mid-stream only ends its own request.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { UserError } from '../errors.js';
import { BoundedPool, PoolFullError } from './pool.js';
import { type PoseOptions, type PackedKeypoints, parsePoseJson, poseTargetOf } from './poses.js';
import { recognizeSequence } from './recognize.js';
import type { Recognizer } from '../runtime/recognizer.js';
import { PoseStream } from './stream.js';

export interface ServeOptions {
  recognizer: Recognizer;
  fps?: number;
  poseOptions?: PoseOptions;
  /** Largest request body / WebSocket message (bytes); default 8 MiB. */
  maxBodyBytes?: number;
  /** Recognitions running at once / waiting; defaults 2 / 32. */
  concurrency?: number;
  queue?: number;
  topK?: number;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (err instanceof PoolFullError) return 503;
  if (err instanceof UserError || (err instanceof Error && err.name === 'RecognizerError')) return 422;
  return 500;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(status === 503 ? { 'retry-after': '1' } : {}) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new HttpError(413, `body: ${declared} bytes, the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `body: over the limit of ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string, what: string): unknown {
  if (text.trim() === '') throw new HttpError(400, `${what}: empty (expected JSON poses)`);
  try { return JSON.parse(text); } catch (err) { throw new HttpError(400, `${what}: not JSON (${(err as Error).message})`); }
}

function intParam(url: URL, name: string, fallback: number): number {
  const v = url.searchParams.get(name);
  if (v === null) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new HttpError(400, `query ${name}: expected a positive integer, got '${v}'`);
  return n;
}

export class PoseServer {
  readonly http: Server;
  private readonly wss: WebSocketServer;
  readonly pool: BoundedPool;
  private readonly limit: number;

  constructor(private readonly o: ServeOptions) {
    this.limit = o.maxBodyBytes ?? 8 * 1024 * 1024;
    this.pool = new BoundedPool(o.concurrency ?? 2, o.queue ?? 32);
    poseTargetOf(o.recognizer); // fail at start for a model no pose maps onto
    this.http = createServer((req, res) => { void this.handle(req, res); });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limit });
    this.http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/v1/stream') {
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
        return;
      }
      let stream: PoseStream;
      try {
        stream = this.newStream(url);
      } catch (err) {
        socket.end(`HTTP/1.1 ${statusOf(err)} Bad Request\r\nconnection: close\r\ncontent-type: text/plain\r\n\r\n${(err as Error).message}`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.serveStream(ws, stream));
    });
  }

  private newStream(url: URL): PoseStream {
    const md = this.o.recognizer.models[0].metadata;
    const window = intParam(url, 'window', md.clipLen);
    const stride = intParam(url, 'stride', Math.max(1, Math.ceil(window / 4)));
    const topK = intParam(url, 'top', this.o.topK ?? 5);
    const pooled = { recognize: (k: PackedKeypoints, opts?: { topK?: number }) => this.pool.run(() => this.o.recognizer.recognize(k, opts)) };
    try {
      return new PoseStream(pooled, poseTargetOf(this.o.recognizer), { ...this.o.poseOptions, window, stride, topK, fps: this.o.fps });
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
  }

  private serveStream(ws: WebSocket, stream: PoseStream): void {
    let n = 0;
    const reply = (msg: unknown) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg)); };
    ws.on('message', (data, isBinary) => {
      const where = `frame ${n++}`;
      void (async () => {
        try {
          if (isBinary) throw new HttpError(400, `${where}: binary message, expected a JSON frame`);
          const frame = parseJson(data.toString(), where);
          const p = await stream.push(frame, where);
          if (p !== null) reply({ type: 'prediction', frame: p.frame, t: p.t, frames: p.frames, tracks: p.tracks, top: p.top, latencyMs: p.latencyMs });
        } catch (err) {
          reply({ type: 'error', status: statusOf(err), error: (err as Error).message });
        }
      })();
    });
    ws.on('error', () => ws.terminate()); // e.g. a message over maxPayload: ws closes with 1009
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => res.destroy()); // client gone mid-body
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/v1/health') {
        if (req.method !== 'GET') throw new HttpError(405, `${req.method} /v1/health: use GET`);
        const r = this.o.recognizer;
        send(res, 200, {
          status: 'ok', layout: r.layout, classes: r.numClasses, labels: r.labels !== null,
          models: r.models.map((m) => ({ source: m.source, modality: m.metadata.modality })),
          pool: { running: this.pool.running, queued: this.pool.queued, concurrency: this.pool.concurrency, queue: this.pool.queue },
        });
        return;
      }
      if (url.pathname === '/v1/recognize') {
        if (req.method !== 'POST') throw new HttpError(405, `${req.method} /v1/recognize: use POST with JSON poses`);
        const doc = parseJson(await readBody(req, this.limit), 'body');
        let topK = this.o.topK ?? 5;
        if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'top' in doc) {
          const t = (doc as { top: unknown }).top;
          if (!Number.isInteger(t) || (t as number) < 1) throw new HttpError(422, `body.top: expected a positive integer, got ${JSON.stringify(t)}`);
          topK = t as number;
        }
        const seq = parsePoseJson(doc, this.o.poseOptions, 'body');
        const r = await this.pool.run(() => recognizeSequence(this.o.recognizer, seq, { topK, fps: this.o.fps }));
        send(res, 200, { top: r.top, tracks: r.tracks, frames: r.frames, format: seq.format });
        return;
      }
      throw new HttpError(404, `no route ${req.method} ${url.pathname} (GET /v1/health, POST /v1/recognize, WebSocket /v1/stream)`);
    } catch (err) {
      const status = statusOf(err);
      send(res, status, { error: status === 500 ? `internal error: ${(err as Error).message}` : (err as Error).message });
      if (status === 413) req.resume();
    }
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => { this.http.off('error', reject); resolve(); });
    });
    return this.http.address() as AddressInfo;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

