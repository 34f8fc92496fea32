/**
 * Model throughput against the PyTorch reference model (bench/reference/skeletonagent_model.py,
 * the original's architecture and kernels) on the same machine in one run:
 *
 *   train  ntu60_xsub/j training step, batch 16 (+16 mixed: 32 samples through the backbone),
 *          mix-up, every loss term (alignment with fixed text embeddings), backward, SGD step
 *   infer  10-clip test forward of one sample per iteration (the original's test loader), on
 *          libtorch (side ts) and exported to ONNX on onnxruntime-node (side onnx)
 *
 * Each round runs every side and mode in a fresh process (warm-up iterations first), so peak
 * memory is per mode, and the order of the sides alternates between rounds so that both see
 * the same machine load on average. Both sides: 2 torch threads, OMP_NUM_THREADS=2,
 * OPENBLAS_NUM_THREADS=1. Reported: median seconds per iteration over all rounds, min–max,
 * peak RSS, TS/Python speed ratio (above 1: TypeScript faster).
 *
 *   node dist/bench/model_bench.js [--rounds 3] [--train-iters 2] [--infer-iters 3] [--only train|infer]
 *                                  [--malloc-tuned] [--json out.json]
 *
 * --malloc-tuned runs both sides with glibc malloc told to serve every block from its heap and
 * never give memory back (MALLOC_MMAP_MAX_=0, MALLOC_TRIM_THRESHOLD_=2^40). By default every
 * activation-sized tensor (tens of MB) is a fresh mmap whose pages the kernel faults in and
 * zeroes on first touch, and training allocates several GB of them per step; the flag shows what
 * an allocator that keeps freed buffers (a libtorch/addon-level change) would give both sides.
 *
 * Internal: `--worker train|infer [--engine onnx] --iters N --warmup N --batch N` is the
 * TypeScript side of one measurement (prints one JSON line).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONFIG = 'ntu60_xsub/j';
const THREADS = 2;
const TRAIN_BATCH = 16;
const INFER_BATCH = 1;
const PYTHON = process.env.SKAGENT_PYTHON ?? '/usr/bin/python3';
const HERE = dirname(fileURLToPath(import.meta.url));
const PY_SCRIPT = join(HERE, '..', '..', 'bench', 'reference', 'model_bench.py');
/** Thread settings both sides run with (read by OpenMP / OpenBLAS when libtorch loads). */
const THREAD_ENV = { OMP_NUM_THREADS: String(THREADS), OPENBLAS_NUM_THREADS: '1' };
const MALLOC_TUNED_ENV = { MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: String(2 ** 40) };

type Mode = 'train' | 'infer';
type Side = 'ts' | 'onnx' | 'py';

interface Measurement { seconds: number[]; peakRssBytes: number; textEncoder?: string }

function option(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function intArg(name: string, fallback: number): number {
  const v = Number(option(name, String(fallback)));
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} expects an integer ≥ 0, got '${option(name)}'`);
  return v;
}

/** The TypeScript side of one measurement, in this (fresh) process. */
async function worker(mode: Mode): Promise<void> {
  const { loadConfig } = await import('../src/config/index.js');
  const { setUpRun } = await import('../src/engine/run-setup.js');
  const { benchInference, benchModelSpec, benchTraining } = await import('../src/engine/bench.js');
  const { benchOnnxInference } = await import('../src/export/onnx-bench.js');
  const config = loadConfig(CONFIG);
  const spec = benchModelSpec(config);
  // Training: the default text side of `skagent train` (the built-in encoder, fixed): a table
  // lookup per step, as the reference's cached embeddings. Inference: none.
  const run = setUpRun({ config, runtime: { threads: THREADS, device: 'cpu' }, semantics: mode === 'train' ? {} : null });
  const o = { batch: intArg('batch', 1), iters: intArg('iters', 2), warmup: intArg('warmup', 1), threads: THREADS, device: 'cpu' };
  const result = mode === 'train' ? benchTraining(run.model, spec, run.semantics!, o)
    : option('engine') === 'onnx' ? await benchOnnxInference(config, CONFIG, run.model, spec, o) : benchInference(run.model, spec, o);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function run(side: Side, mode: Mode, iters: number, warmup: number, mallocTuned: boolean): Measurement {
  const batch = mode === 'train' ? TRAIN_BATCH : INFER_BATCH;
  const env = { ...process.env, ...THREAD_ENV, ...(mallocTuned ? MALLOC_TUNED_ENV : {}) };
  const [cmd, args] = side !== 'py'
    ? [process.execPath, [fileURLToPath(import.meta.url), '--worker', mode, '--iters', String(iters), '--warmup', String(warmup), '--batch', String(batch), ...(side === 'onnx' ? ['--engine', 'onnx'] : [])]]
    : [PYTHON, [PY_SCRIPT, mode, '--iters', String(iters), '--warmup', String(warmup), '--threads', String(THREADS), '--train-batch', String(TRAIN_BATCH), '--infer-batch', String(INFER_BATCH)]];
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${side} ${mode} failed (status ${r.status}): ${r.stderr.slice(-2000)}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return side !== 'py'
    ? { seconds: out.seconds, peakRssBytes: out.peak_rss_bytes, textEncoder: out.text_encoder?.name }
    : { seconds: out.seconds, peakRssBytes: out.peak_rss_kb * 1024 };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

interface Summary { median: number; min: number; max: number; samplesPerS: number; peakRssBytes: number; seconds: number[] }

function summarise(ms: readonly Measurement[], batch: number): Summary {
  const seconds = ms.flatMap((m) => m.seconds);
  const med = median(seconds);
  return { median: med, min: Math.min(...seconds), max: Math.max(...seconds), samplesPerS: batch / med, peakRssBytes: Math.max(...ms.map((m) => m.peakRssBytes)), seconds };
}

async function main(): Promise<void> {
  const rounds = intArg('rounds', 3);
  const iters: Record<Mode, number> = { train: intArg('train-iters', 2), infer: intArg('infer-iters', 3) };
  const warmup = intArg('warmup', 1);
  const only = option('only');
  const modes: Mode[] = only ? [only as Mode] : ['train', 'infer'];
  const mallocTuned = process.argv.includes('--malloc-tuned');
  const results: Record<string, Measurement[]> = {};
  const loads: number[] = [loadavg()[0]];
  console.log(`${CONFIG}: ${rounds} rounds × (${modes.map((m) => `${m} ${iters[m]} iterations`).join(', ')}) per side after ${warmup} warm-up; ${THREADS} threads${mallocTuned ? ', malloc tuned' : ''}`);
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      const sides: Side[] = mode === 'infer' ? ['ts', 'onnx', 'py'] : ['ts', 'py'];
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const m = run(side, mode, iters[mode], warmup, mallocTuned);
        (results[`${side}|${mode}`] ??= []).push(m);
        loads.push(loadavg()[0]);
        console.log(`  round ${r + 1} ${mode.padEnd(5)} ${side}: ${m.seconds.map((s) => s.toFixed(2)).join(' ')} s`);
      }
    }
  }
  const report: Record<string, unknown> = { config: CONFIG, threads: THREADS, rounds, malloc_tuned: mallocTuned, load_avg_1min: { min: Math.min(...loads), max: Math.max(...loads) } };
  console.log(`\n| mode | side | samples/s | s/iter median (min–max) | peak RSS | TS/Python |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const mode of modes) {
    const batch = mode === 'train' ? TRAIN_BATCH : INFER_BATCH;
    const ts = summarise(results[`ts|${mode}`], batch);
    const py = summarise(results[`py|${mode}`], batch);
    const onnx = results[`onnx|${mode}`] ? summarise(results[`onnx|${mode}`], batch) : null;
    const ratio = py.median / ts.median;
    const rows: [string, Summary, string][] = [['TypeScript (libtorch)', ts, `${ratio.toFixed(2)}×`]];
    if (onnx) rows.push(['TypeScript (ONNX Runtime)', onnx, `${(py.median / onnx.median).toFixed(2)}×`]);
    rows.push(['PyTorch reference', py, '']);
    for (const [side, s, vs] of rows) {
      console.log(`| ${mode} | ${side} | ${s.samplesPerS.toFixed(3)} | ${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)}) | ${(s.peakRssBytes / 2 ** 30).toFixed(2)} GiB | ${vs} |`);
    }
    report[mode] = { batch, ts, py, ratio, ...(onnx ? { onnx, onnx_ratio: py.median / onnx.median } : {}), text_encoder: results[`ts|${mode}`][0].textEncoder ?? null };
  }
  console.log(`\nload average (1 min) during the run: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}; min–max above show the noise.`);
  const out = option('json');
  if (out) writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
}

const workerMode = option('worker');
if (workerMode) await worker(workerMode as Mode);
else await main();
