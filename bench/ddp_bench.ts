/**
 * Data-parallel costs on this machine, TypeScript (c10d through the bridge) side by side with
 * PyTorch's own DDP (bench/reference/ddp_bench.py), both on Gloo over loopback, in one run:
 *
 *   reduce     the ntu60_xsub/j model's gradient set averaged over 2 ranks by DDP's reducer, in
 *              the backward of sum_p <p, c_p> (every parameter gets a known gradient at almost no
 *              compute; bridge: DataParallel.backward, PyTorch: DistributedDataParallel);
 *              median seconds per backward
 *   train      the ntu60_xsub/j training step (mix-up, every loss, backward with the gradient
 *              averaging, SGD) with 1 rank, then 2 ranks, --batch samples per rank; median
 *              seconds per step of rank 0
 *
 * Every rank runs 1 libtorch thread (OMP_NUM_THREADS=1, OPENBLAS_NUM_THREADS=1), each
 * measurement in fresh processes, TypeScript and Python alternating.
 *
 *   node dist/bench/ddp_bench.js [--iters 3] [--batch 4] [--only reduce|train] [--json out.json]
 *
 * Internal: `--worker reduce|train` is one TypeScript rank (torchrun environment; prints one JSON line).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CONFIG = 'ntu60_xsub/j';
const PYTHON = process.env.SKAGENT_PYTHON ?? '/usr/bin/python3';
const HERE = dirname(fileURLToPath(import.meta.url));
const PY_SCRIPT = join(HERE, '..', '..', 'bench', 'reference', 'ddp_bench.py');
const THREAD_ENV = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

interface RankLine { mode: string; rank: number; world: number; seconds: number[]; tensors?: number; bytes?: number; reducer?: Record<string, number> }

/** DDP logger's averages (ns) over the sampled iterations before the last one, reported for the 2-rank step on both sides. */
const REDUCER_TIMINGS = ['avg_backward_compute_time', 'avg_backward_comm_time', 'avg_backward_compute_comm_overlap_time'] as const;

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

async function worker(mode: string, iters: number, warmup: number, batch: number): Promise<void> {
  const { loadConfig } = await import('../src/config/index.js');
  const { manualSeed, randn, tidy } = await import('../src/torch/index.js');
  const { ProcessGroup } = await import('../src/torch/distributed.js');
  const { setUpRun } = await import('../src/engine/run-setup.js');
  const { benchModelSpec } = await import('../src/engine/bench.js');
  const { TrainingStep, stepSettingsOf } = await import('../src/engine/train-step.js');
  const { DataParallel } = await import('../src/engine/data-parallel.js');
  const { stepLabels } = await import('../src/model/train-forward.js');
  const { PythonRandom } = await import('../src/rng/index.js');
  const rank = Number(process.env.RANK ?? 0);
  const world = Number(process.env.WORLD_SIZE ?? 1);
  const dp = world > 1
    ? new DataParallel(await ProcessGroup.init({ rank, worldSize: world, masterAddr: process.env.MASTER_ADDR!, masterPort: Number(process.env.MASTER_PORT), backend: 'gloo', timeoutMs: 600_000 }))
    : null;
  const config = loadConfig(CONFIG);
  manualSeed(0);
  const run = setUpRun({ config, runtime: { threads: 1, workers: 0, device: 'cpu' }, semantics: 'random-table', seed: 0 });
  const params = run.model.parameters();
  const seconds: number[] = [];
  let extra = {};
  if (mode === 'reduce') {
    const trainable = params.filter((p) => p.requiresGrad);
    const coeffs = trainable.map((p) => randn(p.shape));
    extra = { tensors: trainable.length, bytes: trainable.reduce((n, p) => n + 4 * p.numel, 0) };
    for (let i = 0; i < warmup + iters; i++) {
      for (const p of trainable) p.grad = null;
      await dp!.barrier('bench');
      const t0 = performance.now();
      tidy(() => dp!.backward(run.model, trainable.map((p, j) => p.mul(coeffs[j]).sum()).reduce((a, b) => a.add(b))));
      if (i >= warmup) seconds.push((performance.now() - t0) / 1000);
    }
  } else {
    const spec = benchModelSpec(config);
    const step = new TrainingStep(run.model, run.semantics, stepSettingsOf(config));
    if (dp) await dp.broadcastState(run.model);
    run.model.train();
    const rng = new PythonRandom(rank);
    manualSeed(1 + rank);
    for (let i = 0; i < warmup + iters; i++) {
      const t0 = performance.now();
      tidy(() => step.accumulate({
        keypoint: randn([batch, 1, spec.persons, spec.frames, spec.numJoints, spec.channels]),
        labels: stepLabels(Int32Array.from({ length: batch }, (_, j) => (i * batch + j) % spec.numClasses), 'cpu'),
      }, rng, dp ? (loss) => dp.backward(run.model, loss) : undefined));
      if (dp) await dp.anyNonFinite(step.hasNonFinite);
      step.update();
      if (i >= warmup) seconds.push((performance.now() - t0) / 1000);
    }
    const stats = dp?.reducerStats();
    if (stats) extra = { reducer: Object.fromEntries(REDUCER_TIMINGS.map((k) => [k, stats[k] ?? 0])) };
  }
  process.stdout.write(JSON.stringify({ mode, rank, world, seconds, ...extra }) + '\n');
  process.exit(0);
}

/** Runs `world` ranks of one side; resolves with rank 0's JSON line. */
async function ranks(side: 'ts' | 'py', mode: string, world: number, o: { iters: number; batch: number }, port: number): Promise<RankLine> {
  const args = side === 'ts'
    ? [process.execPath, fileURLToPath(import.meta.url), '--worker', mode, '--iters', String(o.iters), '--batch', String(o.batch)]
    : [PYTHON, PY_SCRIPT, mode, '--iters', String(o.iters), '--batch', String(o.batch)];
  const lines = await Promise.all(Array.from({ length: world }, (_, rank) => new Promise<RankLine>((resolve, reject) => {
    const child = spawn(args[0], args.slice(1), {
      env: { ...process.env, ...THREAD_ENV, RANK: String(rank), WORLD_SIZE: String(world), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = ''; let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as RankLine) : reject(new Error(`${side} ${mode} rank ${rank} exited ${code}: ${err.slice(-2000)}`)));
  })));
  return lines[0];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { worker: { type: 'string' }, iters: { type: 'string' }, warmup: { type: 'string' }, batch: { type: 'string' }, only: { type: 'string' }, json: { type: 'string' } } });
  const iters = Number(values.iters ?? 3);
  const batch = Number(values.batch ?? 4);
  if (values.worker) return worker(values.worker, iters, Number(values.warmup ?? 1), batch);
  let port = 29700 + Math.floor(Math.random() * 200);
  const rows: Record<string, unknown>[] = [];
  const modes: [string, number][] = [];
  if (values.only !== 'train') modes.push(['reduce', 2]);
  if (values.only !== 'reduce') modes.push(['train', 1], ['train', 2]);
  process.stderr.write(`ddp_bench: ${CONFIG}, 1 thread per rank, ${iters} timed iterations after 1 warm-up, batch ${batch} per rank (train); load average ${loadavg()[0].toFixed(2)}\n`);
  for (const [mode, world] of modes) {
    for (const side of ['ts', 'py'] as const) {
      const line = await ranks(side, mode, world, { iters: mode === 'reduce' ? 10 * iters : iters, batch }, port++);
      const row = { mode, world, side: side === 'ts' ? 'TypeScript (bridge c10d)' : 'PyTorch 1.13 (DDP/Gloo)', median_s: median(line.seconds), min_s: Math.min(...line.seconds), max_s: Math.max(...line.seconds), tensors: line.tensors, bytes: line.bytes, reducer: line.reducer };
      rows.push(row);
      const r = line.reducer;
      const timings = r ? ` — backward ${(r.avg_backward_compute_time / 1e9).toFixed(3)} s, allreduce ${(r.avg_backward_comm_time / 1e9).toFixed(3)} s, overlapped ${(r.avg_backward_compute_comm_overlap_time / 1e9).toFixed(3)} s (DDP logger)` : '';
      process.stderr.write(`${mode.padEnd(9)} ${world} rank(s) ${row.side.padEnd(26)} median ${row.median_s.toFixed(4)} s (min ${row.min_s.toFixed(4)}, max ${row.max_s.toFixed(4)})${line.bytes ? ` — ${line.tensors} tensors, ${(line.bytes / 2 ** 20).toFixed(2)} MiB` : ''}${timings}\n`);
    }
  }
  process.stderr.write(`load average after: ${loadavg()[0].toFixed(2)}\n`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ config: CONFIG, iters, batch, rows, loadavg: loadavg() }, null, 2));
}

main().catch((err) => { process.stderr.write(`${(err as Error).stack}\n`); process.exit(1); });
