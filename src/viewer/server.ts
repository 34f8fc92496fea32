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
import { type CatalogEntry, buildCatalog } from './catalog.js';
import { DatasetCache } from './datasets.js';
import { ensembleView } from './ensemble.js';
import { readResult } from './results.js';
import { readRunLog } from './run-log.js';
import { PathRefused, ServedRoots } from './safe-path.js';
import { readAgentHistory } from './agent.js';
import { HttpError, statusOf } from './http-error.js';
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
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'only GET');
      // The raw path, decoded once: URL parsing would resolve `..` and `%2e%2e` before we could refuse them.
      const raw = req.url ?? '/';
      const query = raw.indexOf('?');
      const url = new URL(raw, 'http://localhost');
      let pathname: string;
      try { pathname = decodeURIComponent(query < 0 ? raw : raw.slice(0, query)); } catch { throw new HttpError(400, 'bad URL encoding'); }
      if (pathname === '/' || pathname === '/index.html') return this.asset(res, 'index.html', 'text/html; charset=utf-8');
      if (pathname.startsWith('/assets/')) {
        const name = pathname.slice('/assets/'.length);
        if (!(name in ASSETS)) throw new HttpError(404, `no asset ${name}`);
        return this.asset(res, name, ASSETS[name]);
      }
      if (pathname.startsWith('/files/')) return this.file(res, pathname.slice('/files/'.length));
      if (pathname.startsWith('/pose-models/')) return this.poseModel(res, pathname.slice('/pose-models/'.length));
      if (pathname.startsWith('/api/')) return json(res, 200, this.api(pathname.slice(5), url.searchParams));
      throw new HttpError(404, `no page ${pathname}`);
    } catch (err) {
      const status = err instanceof PathRefused ? 403 : statusOf(err);
      if (!res.headersSent) json(res, status, { error: (err as Error).message });
      else res.destroy();
    }
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
        return this.datasets.sample(e.path, q.get('split') || undefined, index, config ? { config, mode, seed: Number(q.get('seed') ?? '0') } : undefined);
      }
      case 'agent': {
        const e = this.entry(q.get('id'), 'run', 'conversations');
        return readAgentHistory(e.path, e.kind === 'run' ? readRunLog(e.path) : null);
      }
      case 'synthetic-classes':
        return SYNTH_CLASS_NAMES;
      case 'synthetic':
        return syntheticAction(q.get('layout') ?? '', Number(q.get('class') ?? '0'), Number(q.get('seed') ?? '0'));
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

  private asset(res: ServerResponse, name: string, type: string): void {
    const path = WEB_DIR + name;
    if (!existsSync(path)) throw new HttpError(500, `${path} is missing: build the page with 'npm run build' (scripts/build-web.mjs)`);
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    res.end(readFileSync(path));
  }

  /** `/files/<root index>/<path>`: a file under a served path. */
  private file(res: ServerResponse, rest: string): void {
    const slash = rest.indexOf('/');
    const root = Number(slash < 0 ? rest : rest.slice(0, slash));
    if (!Number.isInteger(root)) throw new HttpError(404, 'expected /files/<root>/<path>');
    this.stream(res, this.roots.resolve(root, slash < 0 ? '' : rest.slice(slash + 1)));
  }

  /** `/pose-models/<index>`: one of the pose models given to the server, by its place in the list. */
  private poseModel(res: ServerResponse, index: string): void {
    const path = /^\d+$/.test(index) ? this.poseModels[Number(index)] : undefined;
    if (path === undefined) throw new HttpError(404, `no pose model ${index} (${this.poseModels.length} given)`);
    this.stream(res, path);
  }

  /** Streams a file with the length it had when opened. */
  private stream(res: ServerResponse, real: string): void {
    const st = statSync(real);
    if (!st.isFile()) throw new HttpError(404, 'not a file');
    res.writeHead(200, { 'content-type': MIME[extname(real)] ?? 'application/octet-stream', 'content-length': st.size });
    if (st.size === 0) { res.end(); return; }
    const stream = createReadStream(real, { start: 0, end: st.size - 1 });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
  res.end(text);
}
