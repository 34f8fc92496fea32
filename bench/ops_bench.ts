/**
 * The tensor engine against PyTorch on the model's hot operators (bench/ops_cases.ts), forward
 * and forward+backward, plus the per-call overhead of a tiny operator; both sides in one run with
 * the same thread settings (2 torch threads, OMP_NUM_THREADS=2, OPENBLAS_NUM_THREADS=1).
 *
 *   node dist/bench/ops_bench.js [--only <substring>]
 *
 * Times are medians after warm-up; "TS/Py" is TypeScript throughput over Python throughput
 * (Python time / TypeScript time: above 1 means the TypeScript side is faster).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CASES, THREADS, TIMING, type BenchCase } from './ops_cases.js';

// Read by OpenMP when libtorch loads, which happens on the first tensor call below.
process.env.OMP_NUM_THREADS = String(THREADS);
process.env.OPENBLAS_NUM_THREADS = '1';
const torch = await import('../src/torch/index.js');
type Tensor = InstanceType<typeof torch.Tensor>;

const PYTHON = process.env.SKAGENT_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'ops_bench.py');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** (inputs that get gradients, forward function) for one case, as ops_bench.py's make(). */
function make(c: BenchCase): { inputs: Tensor[]; forward: () => Tensor } {
  const randn = (shape: number[]) => torch.keep(torch.randn(shape));
  switch (c.kind) {
    case 'conv2d': {
      const [x, w, b] = [randn(c.input), randn(c.weight), randn([c.weight[0]])];
      return { inputs: [x, w, b], forward: () => torch.F.conv2d(x, w, b, { stride: c.stride, padding: c.padding, dilation: c.dilation }) };
    }
    case 'batch_norm': {
      const ch = c.input[1];
      const [x, w, b] = [randn(c.input), randn([ch]), randn([ch])];
      const [rm, rv] = [torch.keep(torch.zeros([ch])), torch.keep(torch.ones([ch]))];
      return { inputs: [x, w, b], forward: () => torch.F.batchNorm(x, rm, rv, w, b, true, 0.1, 1e-5) };
    }
    case 'einsum': {
      const ops = c.operands.map(randn);
      return { inputs: ops, forward: () => torch.einsum(c.equation, ...ops) };
    }
    case 'bmm': {
      const [a, b] = c.operands.map(randn);
      return { inputs: [a, b], forward: () => a.bmm(b) };
    }
  }
}

function medianSeconds(run: () => void): number {
  for (let i = 0; i < TIMING.warmup; i++) run();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < TIMING.maxRuns && (samples.length < TIMING.minRuns || performance.now() - start < TIMING.minSeconds * 1000)) {
    const t0 = performance.now();
    run();
    samples.push((performance.now() - t0) / 1000);
  }
  return median(samples);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function benchCase(c: BenchCase): Record<string, number> {
  const { inputs, forward } = make(c);
  const out: Record<string, number> = {};
  out[`${c.name}|fwd`] = medianSeconds(() => torch.noGrad(() => forward().dispose()));
  for (const t of inputs) t.requiresGrad = true;
  out[`${c.name}|fwd+bwd`] = medianSeconds(() => torch.tidy(() => {
    for (const t of inputs) t.grad = null;
    forward().sum().backward();
  }));
  for (const t of inputs) t.dispose();
  return out;
}

/**
 * CPU µs per `x.add(1)` on a 1-element tensor, wrapper creation and dispose included. CPU time,
 * not wall time: the call is single-threaded and CPU time is far less disturbed by other load.
 */
function tinyOpMicroseconds(): number {
  const x = torch.zeros([1]);
  const samples: number[] = [];
  for (let r = 0; r < TIMING.tinyOpRepeats; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < TIMING.tinyOpCalls; i++) x.add(1).dispose();
    const c = process.cpuUsage(c0);
    samples.push((c.user + c.system) / TIMING.tinyOpCalls);
  }
  x.dispose();
  return median(samples);
}

interface PythonResults { version: string; threads: number; results: Record<string, number>; tiny_op_us: number }

function runPython(cases: BenchCase[]): PythonResults {
  const r = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify({ cases, timing: TIMING, threads: THREADS }),
    encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'], maxBuffer: 16 << 20,
    env: { ...process.env, OMP_NUM_THREADS: String(THREADS), OPENBLAS_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`${PYTHON} ${SCRIPT} failed with status ${r.status}`);
  return JSON.parse(r.stdout) as PythonResults;
}

function shapeOf(c: BenchCase): string {
  const s = (shape: number[]) => `[${shape.join(',')}]`;
  switch (c.kind) {
    case 'conv2d': return `${s(c.input)} w${s(c.weight)}`;
    case 'batch_norm': return s(c.input);
    case 'einsum': case 'bmm': return c.operands.map(s).join('·');
  }
}

function main(): void {
  const only = option('only');
  const cases = only ? CASES.filter((c) => c.name.includes(only)) : CASES;
  torch.setNumThreads(THREADS);
  torch.manualSeed(0);
  const ts: Record<string, number> = {};
  for (const c of cases) Object.assign(ts, benchCase(c));
  const tinyTs = tinyOpMicroseconds();
  const py = runPython(cases);

  const rows = cases.flatMap((c) => (['fwd', 'fwd+bwd'] as const).map((mode) => {
    const key = `${c.name}|${mode}`;
    return [c.name, mode, shapeOf(c), (ts[key] * 1e3).toFixed(2), (py.results[key] * 1e3).toFixed(2), (py.results[key] / ts[key]).toFixed(2)];
  }));
  rows.push(['tiny op x.add(1) on [1], CPU µs/call', '', '', tinyTs.toFixed(2), py.tiny_op_us.toFixed(2), (py.tiny_op_us / tinyTs).toFixed(2)]);
  const header = ['case', 'mode', 'shapes', 'TS ms', 'Py ms', 'TS/Py'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((cell, i) => (i >= 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ');
  console.log(`libtorch ${torch.torchVersion()} (TS, ${torch.getNumThreads()} threads) vs PyTorch ${py.version} (Python, ${py.threads} threads); OMP_NUM_THREADS=${THREADS}, OPENBLAS_NUM_THREADS=1`);
  console.log(`median of ${TIMING.minRuns}-${TIMING.maxRuns} runs after ${TIMING.warmup} warm-up runs (wall time); TS/Py = TS throughput / Python throughput`);
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs\n`);
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
  const ratios = rows.slice(0, -1).map((r) => Number(r[5]));
  const geomean = Math.exp(ratios.reduce((a, x) => a + Math.log(x), 0) / ratios.length);
  console.log(`\ngeometric mean TS/Py over ${ratios.length} operator timings: ${geomean.toFixed(3)}`);
}

main();
