/**
 * Long fuzz campaigns over every parser of outside input (test/fuzz/targets.ts), coverage-guided:
 * V8 block coverage of src/ is sampled every batch of inputs and a batch that reached new blocks
 * joins the corpus. Each parser runs in its own worker thread under a watchdog, so a hang is
 * reported (and the campaign goes on) instead of stalling it.
 *
 *   SKAGENT_FIXTURES=... node dist/bench/fuzz.js [inputs=100000] [seed=1] [--seconds N] [target-substring ...]
 *
 * --seconds stops each parser after N seconds; its row then shows the inputs reached.
 *
 * Prints a markdown table (inputs, V8 coverage ranges reached, distinct refusals, crashes, over the limit,
 * slowest input) and writes crashing inputs to fuzz-crashes/<target>-<index>.bin. Exit status 1 on
 * any crash, hang or input over the per-input limit.
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { campaignArgs, fuzz, type FuzzStats } from '../test/fuzz/run.js';
import { TARGETS } from '../test/fuzz/targets.js';

const TIME_LIMIT_MS = 2000;
/** No progress report for this long: the worker is hung and is terminated. */
const WATCHDOG_MS = 60_000;

interface Job { readonly target: number; readonly inputs: number; readonly seed: number; readonly seconds?: number }
interface Report { readonly done: boolean; readonly inputs: number; readonly blocks: number; readonly stats?: Omit<FuzzStats, 'reasons'> & { reasons: number } }

function blockCoverage(): { probe: () => number; total: () => number } {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object): T => {
    let out: T | undefined;
    let failure: Error | null = null;
    // Same-thread inspector sessions answer synchronously.
    session.post(method, params, (err, res) => { failure = err; out = res as T; });
    if (failure) throw failure;
    return out as T;
  };
  post('Profiler.enable');
  post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });
  const seen = new Set<string>();
  type Coverage = { result: { url: string; functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[] }[] };
  return {
    probe() {
      let fresh = 0;
      for (const script of post<Coverage>('Profiler.takePreciseCoverage').result) {
        if (!script.url.includes('/dist/src/')) continue;
        for (const fn of script.functions) {
          for (const r of fn.ranges) {
            if (r.count === 0) continue;
            const key = `${script.url}:${r.startOffset}:${r.endOffset}`;
            if (!seen.has(key)) { seen.add(key); fresh++; }
          }
        }
      }
      return fresh;
    },
    total: () => seen.size,
  };
}

async function runWorker(job: Job): Promise<void> {
  const target = TARGETS[job.target];
  const coverage = blockCoverage();
  const stats = await fuzz(target, {
    inputs: job.inputs, seed: job.seed, seconds: job.seconds, timeLimitMs: TIME_LIMIT_MS, newCoverage: coverage.probe,
    onProgress: (s) => parentPort!.postMessage({ done: false, inputs: s.inputs, blocks: coverage.total() } satisfies Report),
  });
  const { reasons, ...rest } = stats;
  parentPort!.postMessage({ done: true, inputs: stats.inputs, blocks: coverage.total(), stats: { ...rest, reasons: reasons.size } } satisfies Report);
}

function campaign(index: number, job: Job): Promise<string> {
  const target = TARGETS[index];
  const started = Date.now();
  return new Promise((resolve) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    let last: Report = { done: false, inputs: 0, blocks: 0 };
    let lastAt = Date.now();
    let finished = false;
    const watchdog = setInterval(() => {
      if (Date.now() - lastAt < WATCHDOG_MS) return;
      finished = true;
      clearInterval(watchdog);
      void worker.terminate();
      process.exitCode = 1;
      resolve(`| ${target.name} | ${last.inputs} | ${last.blocks} | – | HUNG after input ${last.inputs} (no progress for ${WATCHDOG_MS / 1000} s) | – | – | – |`);
    }, 1000);
    worker.on('message', (r: Report) => {
      last = r;
      lastAt = Date.now();
      if (!r.done || !r.stats) return;
      finished = true;
      clearInterval(watchdog);
      const s = r.stats;
      if (s.crashes.length + s.overTime.length > 0) {
        process.exitCode = 1;
        mkdirSync('fuzz-crashes', { recursive: true });
        for (const c of [...s.crashes, ...s.overTime]) {
          writeFileSync(`fuzz-crashes/${target.name.replace(/\W+/g, '_')}-${c.index}.bin`, c.bytes);
          console.error(`${target.name} #${c.index}: ${c.error}`);
        }
      }
      const secs = (Date.now() - started) / 1000;
      resolve(`| ${target.name} | ${s.inputs} | ${r.blocks} | ${s.reasons} | ${s.crashes.length} | ${s.overTime.length} | ${s.slowestMs.toFixed(1)} ms | ${secs.toFixed(0)} s |`);
    });
    worker.on('error', (err) => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      process.exitCode = 1;
      resolve(`| ${target.name} | ${last.inputs} | ${last.blocks} | – | worker died: ${err.message.slice(0, 80)} | – | – | – |`);
    });
  });
}

async function main(): Promise<void> {
  const { inputs, seed, seconds, filters } = campaignArgs(process.argv.slice(2));
  console.log(`fuzz campaign: ${inputs} inputs per parser, seed ${seed}, per-input limit ${TIME_LIMIT_MS} ms, coverage = distinct V8 coverage ranges of dist/src reached (docs/robustness.md)`);
  console.log('| parser | inputs | coverage ranges | distinct refusals | crashes | over limit | slowest input | wall |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (let i = 0; i < TARGETS.length; i++) {
    if (filters.length > 0 && !filters.some((f) => TARGETS[i].name.includes(f))) continue;
    console.log(await campaign(i, { target: i, inputs, seed, seconds }));
  }
}

if (isMainThread) void main();
else void runWorker(workerData as Job);
