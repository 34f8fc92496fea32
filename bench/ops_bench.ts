/**
 * The tensor engine against PyTorch on the model's hot operators (bench/ops_cases.ts), forward
 * and forward+backward, plus the per-call overhead of a tiny operator; both sides in one run with
 * the same thread settings (2 torch threads, OMP_NUM_THREADS=2, OPENBLAS_NUM_THREADS=1), their
 * samples interleaved so that both see the same machine load.
 *
 *   node dist/bench/ops_bench.js [--only <substring>]
 *
 * Times are medians after warm-up; "TS/Py" is TypeScript throughput over Python throughput
 * (Python time / TypeScript time: above 1 means the TypeScript side is faster).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** ops_bench.py as a line-based server: one JSON command out, one JSON answer back. */
class PythonSide {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor() {
    this.child = spawn(PYTHON, [SCRIPT], { env: { ...process.env, OMP_NUM_THREADS: String(THREADS), OPENBLAS_NUM_THREADS: '1' } });
    this.child.stderr.pipe(process.stderr);
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async request<T>(command: Record<string, unknown>): Promise<T> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`${PYTHON} ${SCRIPT} exited (status ${this.child.exitCode})`);
    return JSON.parse(value) as T;
  }

  close(): void { this.child.stdin.end(); }
}

/** One timed run of the TypeScript side. */
function tsSample(run: () => void): number {
  const t0 = performance.now();
  run();
  return (performance.now() - t0) / 1000;
}

/**
 * Median seconds of both sides for one mode, samples interleaved (alternating which side goes
 * first) so that both see the same machine load.
 */
async function interleaved(py: PythonSide, mode: Mode, run: () => void): Promise<{ ts: number; py: number }> {
  const pySample = async () => (await py.request<{ seconds: number }>({ op: 'sample', mode })).seconds;
  for (let i = 0; i < TIMING.warmup; i++) { run(); await pySample(); }
  const ts: number[] = [];
  const pys: number[] = [];
  const start = performance.now();
  while (ts.length < TIMING.maxRuns && (ts.length < TIMING.minRuns || performance.now() - start < TIMING.minSeconds * 1000)) {
    if (ts.length % 2 === 0) { ts.push(tsSample(run)); pys.push(await pySample()); }
    else { pys.push(await pySample()); ts.push(tsSample(run)); }
  }
  return { ts: median(ts), py: median(pys) };
}

type Mode = 'fwd' | 'fwd+bwd';

async function benchCase(py: PythonSide, c: BenchCase): Promise<Record<Mode, { ts: number; py: number }>> {
  const { inputs, forward } = make(c);
  await py.request({ op: 'setup', case: c });
  const fwd = await interleaved(py, 'fwd', () => torch.noGrad(() => forward().dispose()));
  for (const t of inputs) t.requiresGrad = true;
  const both = await interleaved(py, 'fwd+bwd', () => torch.tidy(() => {
    for (const t of inputs) t.grad = null;
    forward().sum().backward();
  }));
  for (const t of inputs) t.dispose();
  return { fwd, 'fwd+bwd': both };
}

/**
 * CPU µs per `x.add(1)` on a 1-element tensor, wrapper creation and dispose included. CPU time,
 * not wall time: the call is single-threaded and CPU time is far less disturbed by other load.
 */
function tinyOpMicroseconds(): number {
  const x = torch.zeros([1]);
  const c0 = process.cpuUsage();
  for (let i = 0; i < TIMING.tinyOpCalls; i++) x.add(1).dispose();
  const c = process.cpuUsage(c0);
  x.dispose();
  return (c.user + c.system) / TIMING.tinyOpCalls;
}

async function tinyOp(py: PythonSide): Promise<{ ts: number; py: number }> {
  const ts: number[] = [];
  const pys: number[] = [];
  for (let r = 0; r < TIMING.tinyOpRepeats; r++) {
    ts.push(tinyOpMicroseconds());
    pys.push((await py.request<{ us: number }>({ op: 'tiny', calls: TIMING.tinyOpCalls })).us);
  }
  return { ts: median(ts), py: median(pys) };
}

function shapeOf(c: BenchCase): string {
  const s = (shape: number[]) => `[${shape.join(',')}]`;
  switch (c.kind) {
    case 'conv2d': return `${s(c.input)} w${s(c.weight)}`;
    case 'batch_norm': return s(c.input);
    case 'einsum': case 'bmm': return c.operands.map(s).join('·');
  }
}

async function main(): Promise<void> {
  const only = option('only');
  const cases = only ? CASES.filter((c) => c.name.includes(only)) : CASES;
  torch.setNumThreads(THREADS);
  torch.manualSeed(0);
  const py = new PythonSide();
  const info = await py.request<{ version: string; threads: number }>({ op: 'init', threads: THREADS });
  const rows: string[][] = [];
  for (const c of cases) {
    const r = await benchCase(py, c);
    for (const mode of ['fwd', 'fwd+bwd'] as const) {
      const { ts, py: p } = r[mode];
      rows.push([c.name, mode, shapeOf(c), (ts * 1e3).toFixed(2), (p * 1e3).toFixed(2), (p / ts).toFixed(2)]);
    }
  }
  const tiny = await tinyOp(py);
  py.close();
  rows.push(['tiny op x.add(1) on [1], CPU µs/call', '', '', tiny.ts.toFixed(2), tiny.py.toFixed(2), (tiny.py / tiny.ts).toFixed(2)]);

  const header = ['case', 'mode', 'shapes', 'TS ms', 'Py ms', 'TS/Py'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((cell, i) => (i >= 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ');
  console.log(`libtorch ${torch.torchVersion()} (TS, ${torch.getNumThreads()} threads) vs PyTorch ${info.version} (Python, ${info.threads} threads); OMP_NUM_THREADS=${THREADS}, OPENBLAS_NUM_THREADS=1`);
  console.log(`wall-time medians of ${TIMING.minRuns}-${TIMING.maxRuns} interleaved runs after ${TIMING.warmup} warm-up runs; TS/Py = TS throughput / Python throughput`);
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs\n`);
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
  const ratios = rows.slice(0, -1).map((r) => Number(r[5]));
  const geomean = Math.exp(ratios.reduce((a, x) => a + Math.log(x), 0) / ratios.length);
  console.log(`\ngeometric mean TS/Py over ${ratios.length} operator timings: ${geomean.toFixed(3)}`);
}

await main();
