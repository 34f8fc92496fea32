/**
 * Loading a multi-GB PYSKL annotation pickle: our streaming unpickler vs Python's pickle.load.
 *
 *   node dist/bench/pickle_load.js [--size-gb 2] [--protocol 4] [--runs 2] [--path /tmp/skagent_pickle_bench_p4.pkl] [--keep]
 *
 * Generates the file with bench/pickle_load.py (numpy required), loads it with TypeScript (time, peak RSS of
 * a fresh child process), then has Python load it (child process), and deletes the file unless
 * --keep. Both loads start from a warm page cache; peak RSS is each process's lifetime maximum.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ANNOTATION_GLOBALS, type PyDict, loadPickleFile } from '../src/io/pickle/index.js';
import type { NdArray } from '../src/io/ndarray.js';

const PYTHON = process.env.SKAGENT_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'pickle_load.py');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function python(args: string[]): string {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${PYTHON} ${SCRIPT} ${args.join(' ')} failed with status ${r.status}`);
  return r.stdout;
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

interface LoadResult {
  seconds: number;
  cpu_seconds: number;
  user_seconds: number;
  sys_seconds: number;
  peak_rss_bytes: number;
  annotations: number;
  keypoint_values: number;
}

/** Child mode: load the file once in this fresh process and print the figures as JSON. */
function childLoad(path: string): void {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const value = loadPickleFile(path, { globals: ANNOTATION_GLOBALS }) as PyDict;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const anns = value.annotations as PyDict[];
  const result: LoadResult = {
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    user_seconds: cpu.user / 1e6,
    sys_seconds: cpu.system / 1e6,
    peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
    annotations: anns.length,
    keypoint_values: anns.reduce((n, a) => n + (a.keypoint as NdArray).data.length, 0),
  };
  console.log(JSON.stringify(result));
}

function best(a: LoadResult | undefined, b: LoadResult): LoadResult {
  return a === undefined || b.seconds < a.seconds ? b : a;
}

/** Reads the file once so that both loaders start from the page cache. */
function warmPageCache(path: string): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(64 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0) { /* discard */ }
  closeSync(fd);
}

function main(): void {
  const sizeGb = option('size-gb', '2');
  const protocol = option('protocol', '4');
  const path = option('path', `/tmp/skagent_pickle_bench_p${protocol}.pkl`);
  const keep = process.argv.includes('--keep');
  try {
    if (!existsSync(path)) {
      const t0 = performance.now();
      python(['generate', path, sizeGb, protocol]);
      console.log(`generated ${path} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const fileSize = statSync(path).size;
    warmPageCache(path);
    // The machine may be shared: alternate the loaders and keep each one's best run.
    const runs = Number(option('runs', '2'));
    let ts: LoadResult | undefined;
    let py: LoadResult | undefined;
    for (let r = 0; r < runs; r++) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child-load', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (child.status !== 0) throw new Error(`TypeScript load failed with status ${child.status}`);
      ts = best(ts, JSON.parse(child.stdout) as LoadResult);
      py = best(py, JSON.parse(python(['load', path])) as LoadResult);
    }
    if (ts === undefined || py === undefined) throw new Error('--runs must be at least 1');
    if (py.annotations !== ts.annotations || py.keypoint_values !== ts.keypoint_values) {
      throw new Error(`content differs: TS ${ts.annotations} annotations / ${ts.keypoint_values} values, Python ${py.annotations} / ${py.keypoint_values}`);
    }
    console.log(`file: ${gib(fileSize)}, pickle protocol ${protocol}, ${ts.annotations} annotations, ${ts.keypoint_values} float16 keypoint values; best of ${runs} runs each`);
    for (const [name, r] of [['TypeScript loadPickleFile', ts], ['Python pickle.load', py]] as const) {
      console.log(`${name.padEnd(26)} wall ${r.seconds.toFixed(2)} s, CPU ${r.cpu_seconds.toFixed(2)} s (user ${r.user_seconds.toFixed(2)}, sys ${r.sys_seconds.toFixed(2)}), peak RSS ${gib(r.peak_rss_bytes)} (${(r.peak_rss_bytes / fileSize).toFixed(2)} x file size)`);
    }
  } finally {
    if (!keep && existsSync(path)) unlinkSync(path);
  }
}

const childIndex = process.argv.indexOf('--child-load');
if (childIndex >= 0) childLoad(process.argv[childIndex + 1]);
else main();
