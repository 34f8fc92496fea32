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
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { HttpError, answerClientError } from '../io/http-errors.js';
import { BoundedPool } from './pool.js';
import { type PoseOptions, type PackedKeypoints, poseTargetOf } from './poses.js';
import { type ModelInput, answerStreamMessage, openStream, readRecognizeBody, requestUrl, statusOf } from './requests.js';
import type { Recognizer } from '../runtime/recognizer.js';
import type { PoseStream } from './stream.js';

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
    this.http.on('clientError', answerClientError);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limit });
    this.http.on('upgrade', (req, socket, head) => {
      let stream: PoseStream;
      try {
        stream = this.newStream(req.url ?? '/');
      } catch (err) {
        const status = statusOf(err);
        const text = JSON.stringify({ error: (err as Error).message });
        socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.serveStream(ws, stream));
    });
  }

  private get model(): ModelInput {
    return { target: poseTargetOf(this.o.recognizer), fps: this.o.fps, poseOptions: this.o.poseOptions, topK: this.o.topK ?? 5 };
  }

  private newStream(target: string): PoseStream {
    const pooled = { recognize: (k: PackedKeypoints, opts?: { topK?: number }) => this.pool.run(() => this.o.recognizer.recognize(k, opts)) };
    return openStream(target, pooled, { ...this.model, clipLen: this.o.recognizer.models[0].metadata.clipLen });
  }

  private serveStream(ws: WebSocket, stream: PoseStream): void {
    let n = 0;
    ws.on('message', (data, isBinary) => {
      void answerStreamMessage(stream, isBinary ? { binary: true } : { text: data.toString() }, `frame ${n++}`).then((reply) => {
        if (reply !== null && ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
    ws.on('error', () => ws.terminate()); // e.g. a message over maxPayload: ws closes with 1009
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => res.destroy()); // client gone mid-body
    try {
      const url = requestUrl(req.url ?? '/');
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
        const request = readRecognizeBody(await readBody(req, this.limit), this.model);
        const r = await this.pool.run(() => this.o.recognizer.recognize(request.keypoints, { topK: request.topK }));
        send(res, 200, { top: r.top, tracks: request.tracks, frames: request.frames, format: request.format });
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

