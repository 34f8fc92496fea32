/**
 * Fuzz campaigns against the real servers over loopback (test/fuzz/http.ts): `skagent serve` with
 * a configs/quick/j model exported to ONNX (pool: concurrency 1, queue 1, so parallel requests
 * also meet the 503 path) and `skagent view` over a generated work folder with a sentinel file
 * planted outside it. Each target gets a fresh server process started through the CLI, with
 * NODE_V8_COVERAGE set, so the coverage of the server's dist/src code is counted when it stops.
 *
 *   node dist/bench/fuzz-http.js [inputs=100000] [seed=1] [--seconds N] [target-substring ...]
 *
 * --seconds stops each target after N seconds; its row then shows the inputs reached.
 *
 * Prints a markdown table; every problem (a 500, a dropped connection, an error that names no
 * field, a leak of the sentinel, a failed health check, a server that exited) is printed and
 * written to fuzz-crashes/. Exit status 1 on any problem.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTP_TARGETS, type HttpTarget, type RunningServer, httpCampaign, startServer, viewerFolder } from '../test/fuzz/http.js';
import { exportQuickModel } from '../test/live/quick-model.js';
import { campaignArgs } from '../test/fuzz/run.js';

/** Distinct V8 coverage ranges of dist/src with a non-zero count in a NODE_V8_COVERAGE folder. */
function coverageRanges(dir: string): number {
  const seen = new Set<string>();
  for (const file of readdirSync(dir)) {
    type Coverage = { result: { url: string; functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[] }[] };
    for (const script of (JSON.parse(readFileSync(join(dir, file), 'utf8')) as Coverage).result) {
      if (!script.url.includes('/dist/src/')) continue;
      for (const fn of script.functions) for (const r of fn.ranges) if (r.count > 0) seen.add(`${script.url}:${r.startOffset}:${r.endOffset}`);
    }
  }
  return seen.size;
}

async function run(target: HttpTarget, inputs: number, seed: number, seconds: number | undefined, scratch: string, model: () => string): Promise<string> {
  const coverage = mkdtempSync(join(scratch, 'coverage-'));
  const env = { ...process.env, NODE_V8_COVERAGE: coverage, OMP_NUM_THREADS: '1' };
  const view = target.server === 'view' ? viewerFolder() : null;
  const server = await startServer(view ? ['view', view.root, '--port', '0']
    : ['serve', model(), '--port', '0', '--concurrency', '1', '--queue', '1', '--threads', '1', '--max-body', String(256 * 1024)], env);
  running.add(server);
  const started = Date.now();
  const stats = await httpCampaign(target, {
    inputs, seed, seconds, port: server.port, inFlight: target.server === 'view' ? 2 : 4, sentinel: view?.sentinel ?? null, server,
    onProgress: (s, secs) => { if (s.inputs % 10_000 === 0) console.error(`${target.name}: ${s.inputs} inputs, ${s.problems.length} problems, ${secs.toFixed(0)} s`); },
  });
  const wall = (Date.now() - started) / 1000;
  await server.stop();
  running.delete(server);
  const ranges = coverageRanges(coverage);
  if (stats.problems.length > 0) {
    process.exitCode = 1;
    mkdirSync('fuzz-crashes', { recursive: true });
    for (const p of stats.problems.slice(0, 50)) {
      console.error(`${target.name} #${p.index}: ${p.problem}\n  request: ${JSON.stringify(p.request)}`);
      writeFileSync(`fuzz-crashes/http-${target.name.replace(/\W+/g, '_')}-${p.index}.txt`, `${p.problem}\n${p.request}\n`);
    }
  }
  const statuses = [...stats.statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ');
  return `| ${target.name} | ${stats.inputs} | ${ranges} | ${stats.reasons.size} | ${statuses} | ${stats.problems.length} | ${stats.healthChecks} | ${stats.slowestMs.toFixed(1)} ms | ${wall.toFixed(0)} s |`;
}

/** Servers running now: stopped if the campaign itself is interrupted. */
const running = new Set<RunningServer>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { for (const s of running) s.child.kill('SIGTERM'); process.exit(130); });
}

async function main(): Promise<void> {
  const { inputs, seed, seconds, filters } = campaignArgs(process.argv.slice(2));
  const scratch = mkdtempSync(join(tmpdir(), 'skagent-fuzz-http-'));
  let modelPath: string | undefined;
  const model = () => (modelPath ??= exportQuickModel(scratch));
  try {
    console.log(`HTTP fuzz campaign: ${inputs} inputs per target, seed ${seed}; servers started through the CLI on 127.0.0.1`);
    console.log('| target | inputs | coverage ranges (server) | distinct refusals | statuses | problems | health checks | slowest | wall |');
    console.log('| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |');
    for (const target of HTTP_TARGETS) {
      if (filters.length > 0 && !filters.some((f) => target.name.includes(f))) continue;
      console.log(await run(target, inputs, seed, seconds, scratch, model));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

void main();
