/**
 * `skagent view`'s HTTP server: the bundled page (dist/web, built by scripts/build-web.mjs), a
 * small JSON API over the catalog, and the served paths' files, streamed. Binds to loopback
 * unless told otherwise. Every request is answered; a bad file becomes an error message in the
 * page, never a crashed server.
 */
import { createReadStream, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listConfigs } from '../config/index.js';
import { HttpError, answerClientError, statusOf } from '../io/http-errors.js';
import { type CatalogEntry, buildCatalog } from './catalog.js';
import { DatasetCache } from './datasets.js';
import { ensembleView } from './ensemble.js';
import { readResult } from './results.js';
import { readRunLog } from './run-log.js';
import { PathRefused, ServedRoots } from './safe-path.js';
import { readAgentHistory } from './agent.js';
import { syntheticAction } from './synthetic-action.js';
import { SYNTH_CLASS_NAMES } from '../data/index.js';
import { LAYOUTS, type LayoutName } from '../skeleton/layouts.js';

/** Where the build puts the page: dist/web next to dist/src. */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript', 'app.css': 'text/css',
  // The Live view's recogniser and ONNX Runtime's WebAssembly (scripts/build-web.mjs copies them).
  'live-runtime.js': 'text/javascript', 'ort-wasm-simd-threaded.jsep.wasm': 'application/wasm', 'ort-wasm-simd-threaded.wasm': 'application/wasm',
};
const MIME: Record<string, string> = { '.json': 'application/json', '.npy': 'application/octet-stream', '.onnx': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8' };

export interface ViewServerOptions {
  readonly paths: readonly string[];
  readonly host?: string;
  readonly port?: number;
  /** Pose models (COCO-17 .onnx) for the Live tab's camera, served at /pose-models/<index> and nowhere else. */
  readonly poseModels?: readonly string[];
}

export class ViewServer {
  readonly roots: ServedRoots;
  private readonly datasets = new DatasetCache();
  private catalog: CatalogEntry[] = [];
  private server: Server | null = null;
  private readonly poseModels: readonly string[];

  constructor(readonly options: ViewServerOptions) {
    this.roots = new ServedRoots(options.paths);
    this.poseModels = (options.poseModels ?? []).map((p) => realpathSync(p));
  }

  /** The catalog without the pose models (they are no recognition models, even under a served path). */
  private scan(): CatalogEntry[] {
    return buildCatalog(this.roots).filter((e) => !(e.kind === 'model' && this.poseModels.includes(e.path)));
  }

  async listen(): Promise<string> {
    const server = createServer((req, res) => { void this.handle(req, res); });
    server.on('clientError', answerClientError);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}/`;
  }

  async close(): Promise<void> {
    this.datasets.close();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private entry(id: string | null, ...kinds: CatalogEntry['kind'][]): CatalogEntry {
    if (!id) throw new HttpError(400, 'missing ?id=');
    let e = this.catalog.find((c) => c.id === id);
    if (!e) {
      this.catalog = this.scan();
      e = this.catalog.find((c) => c.id === id);
    }
    if (!e || !kinds.includes(e.kind)) throw new HttpError(404, `no ${kinds.join(' or ')} '${id}' under the served paths`);
    return e;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const a = this.answer(req.method ?? 'GET', req.url ?? '/');
      if (a.kind === 'json') return json(res, a.status, a.body);
      if (a.kind === 'asset') {
        res.writeHead(200, { 'content-type': a.type, 'cache-control': 'no-cache' });
        res.end(readFileSync(a.path));
        return;
      }
      res.writeHead(200, { 'content-type': a.type, 'content-length': a.size });
      if (a.size === 0) { res.end(); return; }
      // The length is fixed when opened: a file that grows meanwhile is sent as it was.
      const stream = createReadStream(a.path, { start: 0, end: a.size - 1 });
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    } catch (err) {
      if (!res.headersSent) json(res, errorStatus(err), { error: (err as Error).message });
      else res.destroy();
    }
  }

  /**
   * What to answer `method raw-url` (the request line as sent): JSON, a page asset or a file (under
   * the served paths, or a pose model given at start). Bad requests throw; `errorStatus` gives
   * their status (a 500 only for a bug).
   */
  answer(method: string, raw: string): Answer {
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'only GET');
    // The raw path, decoded once: URL parsing would resolve `..` and `%2e%2e` before we could refuse them.
    const query = raw.indexOf('?');
    let url: URL;
    try { url = new URL(raw, 'http://localhost'); } catch { throw new HttpError(400, `bad request target '${raw}'`); }
    let pathname: string;
    try { pathname = decodeURIComponent(query < 0 ? raw : raw.slice(0, query)); } catch { throw new HttpError(400, 'bad URL encoding'); }
    if (pathname === '/' || pathname === '/index.html') return this.asset('index.html', 'text/html; charset=utf-8');
    if (pathname.startsWith('/assets/')) {
      const name = pathname.slice('/assets/'.length);
      if (!Object.hasOwn(ASSETS, name)) throw new HttpError(404, `no asset ${name}`);
      return this.asset(name, ASSETS[name]);
    }
    if (pathname.startsWith('/files/')) return this.file(pathname.slice('/files/'.length));
    if (pathname.startsWith('/pose-models/')) return this.poseModel(pathname.slice('/pose-models/'.length));
    if (pathname.startsWith('/api/')) return { kind: 'json', status: 200, body: this.api(pathname.slice(5), url.searchParams) };
    throw new HttpError(404, `no page ${pathname}`);
  }

  private api(route: string, q: URLSearchParams): unknown {
    switch (route) {
      case 'catalog':
        this.catalog = this.scan();
        return { roots: this.roots.roots, entries: this.catalog, poseModels: this.poseModels.map((p, index) => ({ index, name: basename(p) })) };
      case 'configs':
        return listConfigs();
      case 'run': {
        const e = this.entry(q.get('id'), 'run');
        return { id: e.id, name: e.name, ...readRunLog(e.path) };
      }
      case 'result': {
        const e = this.entry(q.get('id'), 'result');
        return { id: e.id, name: e.name, ...readResult(e.path, (ann, split) => this.sampleIds(ann, split)) };
      }
      case 'ensemble': {
        const ids = (k: string) => (q.get(k) ?? '').split(',').filter(Boolean).map((id) => this.entry(id, 'result'));
        const weights = q.get('weights');
        return ensembleView(ids('test'), ids('val'), weights ? weights.split(',').map(Number) : null);
      }
      case 'dataset': {
        const e = this.entry(q.get('id'), 'dataset');
        return { id: e.id, name: e.name, ...this.datasets.summary(e.path) };
      }
      case 'samples': {
        const e = this.entry(q.get('id'), 'dataset');
        return this.datasets.samples(e.path, q.get('split') || undefined);
      }
      case 'sample': {
        const e = this.entry(q.get('id'), 'dataset');
        const index = Number(q.get('index') ?? '0');
        if (!Number.isInteger(index) || index < 0) throw new HttpError(400, `?index= must be a sample index, got '${q.get('index')}'`);
        const config = q.get('config');
        const mode = q.get('mode') ?? 'test';
        if (mode !== 'train' && mode !== 'val' && mode !== 'test') throw new HttpError(400, `?mode= must be train, val or test`);
        return this.datasets.sample(e.path, q.get('split') || undefined, index, config ? { config, mode, seed: seedParam(q) } : undefined);
      }
      case 'agent': {
        const e = this.entry(q.get('id'), 'run', 'conversations');
        return readAgentHistory(e.path, e.kind === 'run' ? readRunLog(e.path) : null);
      }
      case 'synthetic-classes':
        return SYNTH_CLASS_NAMES;
      case 'synthetic':
        return syntheticAction(q.get('layout') ?? '', Number(q.get('class') ?? '0'), seedParam(q));
      case 'edges': {
        const joints = Number(q.get('joints'));
        const named = LAYOUTS[q.get('layout') as LayoutName];
        const layout = named?.numJoints === joints ? named : Object.values(LAYOUTS).find((l) => l.numJoints === joints);
        return { layout: layout?.name ?? null, edges: layout?.inward ?? [] };
      }
      default:
        throw new HttpError(404, `no API /api/${route}`);
    }
  }

  /** Sample ids of a result's annotation file, when that file is under the served paths. */
  private sampleIds(annotations: string, split: string | null): string[] | null {
    if (!existsSync(annotations)) return null;
    return this.datasets.frameDirs(annotations, split ?? undefined);
  }

  private asset(name: string, type: string): Answer {
    const path = WEB_DIR + name;
    if (!existsSync(path)) throw new HttpError(500, `${path} is missing: build the page with 'npm run build' (scripts/build-web.mjs)`);
    return { kind: 'asset', path, type };
  }

  /** `/files/<root index>/<path>`: a file under a served path. */
  private file(rest: string): Answer {
    const slash = rest.indexOf('/');
    const root = Number(slash < 0 ? rest : rest.slice(0, slash));
    if (!Number.isInteger(root)) throw new HttpError(404, 'expected /files/<root>/<path>');
    return this.fileAnswer(this.roots.resolve(root, slash < 0 ? '' : rest.slice(slash + 1)));
  }

  /** `/pose-models/<index>`: one of the pose models given to the server, by its place in the list. */
  private poseModel(index: string): Answer {
    const path = /^\d+$/.test(index) ? this.poseModels[Number(index)] : undefined;
    if (path === undefined) throw new HttpError(404, `no pose model ${index} (${this.poseModels.length} given)`);
    return this.fileAnswer(path);
  }

  private fileAnswer(real: string): Answer {
    const st = statSync(real);
    if (!st.isFile()) throw new HttpError(404, 'not a file');
    return { kind: 'file', path: real, size: st.size, type: MIME[extname(real)] ?? 'application/octet-stream' };
  }
}

/** The viewer's answer to one request (see ViewServer.answer). */
export type Answer =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'asset'; readonly path: string; readonly type: string }
  | { readonly kind: 'file'; readonly path: string; readonly size: number; readonly type: string };

/** The status for an error thrown while answering: 403 for a refused path, else statusOf's. */
export function errorStatus(err: unknown): number {
  return err instanceof PathRefused ? 403 : statusOf(err);
}

/** `?seed=`: a random seed for numpy's generator, an integer in 0..2^32-1 (default 0). */
function seedParam(q: URLSearchParams): number {
  const v = q.get('seed') ?? '0';
  const seed = Number(v);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new HttpError(400, `?seed= must be an integer in 0..2^32-1, got '${v}'`);
  return seed;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
  res.end(text);
}
