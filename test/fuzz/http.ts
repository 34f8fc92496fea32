/**
 * Mutated requests fired at the real servers over loopback: `skagent serve` (a real exported
 * model) and `skagent view` (a real work folder, a sentinel file planted next to it), each started
 * through the CLI as its own process. Mutants come from the in-process targets' seeds and mutator
 * (server-targets.ts). Every complete request must get an answer: 2xx, 503 when the pool is full,
 * or a 4xx whose JSON error names the request part; never a 500, a dropped connection, the
 * sentinel's contents, or a server that stops answering its health route.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { REPO_ROOT } from '../fixtures.js';
import { Mutator } from './mutate.js';
import { serveBody, serveStream, viewRequest, viewerUnderTest } from './server-targets.js';
import type { FuzzTarget } from './target.js';

export interface Problem { readonly index: number; readonly request: string; readonly problem: string }

export interface HttpStats {
  readonly target: string;
  inputs: number;
  readonly statuses: Map<number, number>;
  /** Distinct 4xx messages (digits and quoted parts folded). */
  readonly reasons: Set<string>;
  readonly problems: Problem[];
  slowestMs: number;
  /** Health checks made during the run, all answered 200 (else a problem is recorded). */
  healthChecks: number;
}

/** A server started through the CLI, on a free loopback port. */
export interface RunningServer {
  readonly port: number;
  readonly child: ChildProcess;
  /** Why it exited, once it has (a crash shows here). */
  exited: string | null;
  stop(): Promise<void>;
}

/** Starts `skagent <args>` and waits for the line naming its address. */
export async function startServer(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'skagent.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`skagent ${args[0]} exited (${code}) before listening: ${stderr}`)));
  });
  const server: RunningServer = {
    port, child, exited: null,
    stop: () => new Promise<void>((resolve) => {
      if (server.exited !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
  child.on('exit', (code, signal) => { server.exited = `exit ${code ?? signal}; stderr: ${stderr.slice(-500)}`; });
  return server;
}

interface Answer { readonly status: number; readonly headers: Record<string, string | string[] | undefined>; readonly body: string }

/** One HTTP request on its own connection; rejects when the connection ends without a response. */
function send(port: number, method: string, path: string, body?: Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error('no response within 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A mutated request target as a client can send it: bytes outside printable ASCII, and '#', percent-encoded; a leading '/'. */
export function sendableTarget(raw: string): string {
  let out = '';
  for (const ch of Buffer.from(raw, 'latin1')) out += ch > 0x20 && ch < 0x7f && ch !== 0x23 ? String.fromCharCode(ch) : `%${ch.toString(16).padStart(2, '0').toUpperCase()}`;
  return out.startsWith('/') ? out : `/${out}`;
}

const fold = (s: string): string => s.replace(/\d+/g, 'N').replace(/'[^']*'/g, "'…'").slice(0, 80);

/** Checks a 4xx/2xx/503 answer; returns the problem, or null. */
function checkAnswer(a: Answer, names: RegExp, sentinel: string | null, stats: HttpStats, head = false): string | null {
  stats.statuses.set(a.status, (stats.statuses.get(a.status) ?? 0) + 1);
  if (sentinel !== null && a.body.includes(sentinel)) return `status ${a.status}: the answer carries the sentinel planted outside the served paths`;
  if (/root:x:0:0/.test(a.body)) return `status ${a.status}: the answer carries /etc/passwd`;
  if (a.status >= 200 && a.status < 300) return null;
  if (a.status === 503 && a.headers['retry-after'] !== undefined) return null;
  if (a.status < 400 || a.status >= 500) return `status ${a.status}: ${a.body.slice(0, 200)}`;
  if (head) return null; // a HEAD answer has no body
  let error: unknown;
  try { error = (JSON.parse(a.body) as { error?: unknown }).error; } catch { return `status ${a.status} without a JSON body: ${a.body.slice(0, 200)}`; }
  if (typeof error !== 'string' || !names.test(error)) return `status ${a.status}: error does not name the request part: ${JSON.stringify(error)?.slice(0, 200)}`;
  stats.reasons.add(`${a.status} ${fold(error)}`);
  return null;
}

/** What a campaign fires: a request made from one mutant, and how its answers are judged. */
export interface HttpTarget {
  readonly name: string;
  /** The in-process target whose seeds and mutation settings it uses. */
  readonly source: FuzzTarget;
  readonly server: 'serve' | 'view';
  /** Fires one input; resolves to a problem description or null. */
  fire(port: number, input: Uint8Array, stats: HttpStats, sentinel: string | null): Promise<string | null>;
  /** The health route that must answer 200 throughout. */
  readonly health: string;
}

export const recognizeOverHttp: HttpTarget = {
  name: 'serve: POST /v1/recognize',
  source: serveBody,
  server: 'serve',
  health: '/v1/health',
  async fire(port, input, stats) {
    return checkAnswer(await send(port, 'POST', '/v1/recognize', input), /^body\b/, null, stats);
  },
};

/** Line 0 the upgrade's target, each further line a message, then a marker message whose error reply says every earlier one was read. */
export const streamOverWebSocket: HttpTarget = {
  name: 'serve: WS /v1/stream',
  source: serveStream,
  server: 'serve',
  health: '/v1/health',
  fire(port, input, stats) {
    const [target, ...messages] = Buffer.from(input).toString('utf8').split('\n');
    const names = /^(query|request target|no WebSocket route|frame \d+)\b/;
    return new Promise((resolve) => {
      let settled = false;
      const done = (problem: string | null) => { if (!settled) { settled = true; clearTimeout(timer); resolve(problem); } };
      let ws: WebSocket;
      try {
        ws = new WebSocket(`ws://127.0.0.1:${port}${sendableTarget(Buffer.from(target, 'utf8').toString('latin1'))}`);
      } catch {
        stats.statuses.set(0, (stats.statuses.get(0) ?? 0) + 1); // no ws client sends it: counted as status 0
        return resolve(null);
      }
      const timer = setTimeout(() => { ws.terminate(); done('no answer to the marker message within 60 s'); }, 60_000);
      ws.on('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(checkAnswer({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }, names, null, stats)));
        res.on('error', (err) => done(`upgrade refused, then the connection failed: ${err.message}`));
      });
      ws.on('error', (err) => done(`connection failed: ${err.message}`));
      ws.on('open', () => {
        stats.statuses.set(101, (stats.statuses.get(101) ?? 0) + 1);
        for (const m of messages) ws.send(m);
        ws.send('end of input');
      });
      const marker = `frame ${messages.length}: not JSON`;
      ws.on('message', (data) => {
        let reply: { type?: string; status?: number; error?: string };
        try { reply = JSON.parse(data.toString()) as typeof reply; } catch { return done(`a reply that is not JSON: ${data.toString().slice(0, 200)}`); }
        if (reply.type === 'prediction') return;
        if (reply.type !== 'error' || typeof reply.status !== 'number' || typeof reply.error !== 'string') return done(`an unexpected reply: ${JSON.stringify(reply).slice(0, 200)}`);
        if (!((reply.status >= 400 && reply.status < 500) || reply.status === 503)) return done(`error reply with status ${reply.status}: ${reply.error.slice(0, 200)}`);
        if (!names.test(reply.error)) return done(`error reply does not name the frame: ${reply.error.slice(0, 200)}`);
        if (reply.error.startsWith(marker)) {
          ws.close(1000);
          ws.once('close', () => done(null));
          return;
        }
        stats.reasons.add(`${reply.status} ${fold(reply.error)}`);
      });
      ws.on('close', (code) => { if (code !== 1000 && code !== 1005) done(`connection closed with ${code} before the marker's reply`); });
    });
  },
};

export const viewOverHttp: HttpTarget = {
  name: 'view: GET request target',
  source: viewRequest,
  server: 'view',
  health: '/api/catalog',
  async fire(port, input, stats, sentinel) {
    const line = Buffer.from(input).toString('latin1');
    const space = line.indexOf(' ');
    const method = space > 0 && /^[A-Z]+$/.test(line.slice(0, space)) ? line.slice(0, space) : 'GET';
    return checkAnswer(await send(port, method, sendableTarget(space < 0 ? line : line.slice(space + 1))), /./, sentinel, stats, method === 'HEAD');
  },
};

export const HTTP_TARGETS: readonly HttpTarget[] = [recognizeOverHttp, streamOverWebSocket, viewOverHttp];

export interface HttpCampaignOptions {
  readonly inputs: number;
  readonly seed: number;
  readonly port: number;
  /** Requests in flight at once (more than the pool's concurrency + queue brings 503s). */
  readonly inFlight: number;
  readonly sentinel: string | null;
  readonly server: RunningServer;
  /** Stop firing after this many seconds (the inputs reached are reported). */
  readonly seconds?: number;
  readonly onProgress?: (stats: HttpStats, elapsedS: number) => void;
}

/** Fires `inputs` mutants (the seeds first) with `inFlight` at a time; the health route is checked every 1000 inputs and at the end. */
export async function httpCampaign(target: HttpTarget, opts: HttpCampaignOptions): Promise<HttpStats> {
  const seeds = target.source.seeds().map((s) => s.bytes);
  const mutator = new Mutator(opts.seed, target.source.text, target.source.json, target.source.dictionary);
  const stats: HttpStats = { target: target.name, inputs: 0, statuses: new Map(), reasons: new Set(), problems: [], slowestMs: 0, healthChecks: 0 };
  const started = performance.now();
  let next = 0;
  const deadline = opts.seconds === undefined ? Infinity : started + opts.seconds * 1000;
  const health = async () => {
    stats.healthChecks++;
    try {
      const a = await send(opts.port, 'GET', target.health);
      if (a.status !== 200) stats.problems.push({ index: stats.inputs, request: `GET ${target.health}`, problem: `health: status ${a.status}` });
    } catch (err) {
      stats.problems.push({ index: stats.inputs, request: `GET ${target.health}`, problem: `health: ${(err as Error).message}` });
    }
  };
  const worker = async () => {
    while (next < opts.inputs && opts.server.exited === null && performance.now() < deadline) {
      const i = next++;
      const input = i < seeds.length ? seeds[i] : mutator.mutate(seeds[mutator.pick(seeds.length)], seeds[mutator.pick(seeds.length)]);
      const t0 = performance.now();
      let problem: string | null;
      try {
        problem = await target.fire(opts.port, input, stats, opts.sentinel);
      } catch (err) {
        problem = `no response: ${(err as Error).message}`;
      }
      const ms = performance.now() - t0;
      if (ms > stats.slowestMs) stats.slowestMs = ms;
      if (problem !== null) stats.problems.push({ index: i, request: Buffer.from(input).toString('latin1').slice(0, 300), problem });
      stats.inputs++;
      if (stats.inputs % 1000 === 0) {
        await health();
        opts.onProgress?.(stats, (performance.now() - started) / 1000);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.inFlight }, worker));
  if (opts.server.exited === null) await health();
  else stats.problems.push({ index: stats.inputs, request: '', problem: `the server process ended: ${opts.server.exited}` });
  return stats;
}

/** The served folder for `skagent view` (with the sentinel planted outside it) and the sentinel. */
export function viewerFolder(): { root: string; sentinel: string } {
  const v = viewerUnderTest();
  return { root: v.server.roots.roots[0], sentinel: v.sentinel };
}
