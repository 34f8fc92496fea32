/**
 * The operator benchmark's cases, shared by both sides (ops_bench.ts hands them to ops_bench.py as
 * JSON): the model's hot operators at NTU-60 training shapes, per-GPU batch 16 → 32 with the
 * mix-up copy → N·M = 64 skeleton sequences (NTU-60, per-GPU batch 16).
 *
 * Temporal branches see V + 1 = 26 joint columns (the global mean column of `mstcn_unit`) and
 * w = 16/32/64 channels at T = 100/50/25; the graph unit has K = 8 subsets of m = 12/24/48
 * channels (`gcn_unit`).
 */
export type BenchCase =
  | { name: string; kind: 'conv2d'; input: number[]; weight: number[]; stride: [number, number]; padding: [number, number]; dilation: [number, number] }
  | { name: string; kind: 'batch_norm'; input: number[] }
  | { name: string; kind: 'einsum'; equation: string; operands: number[][] }
  | { name: string; kind: 'bmm'; operands: [number[], number[]] };

const temporal = (stage: string, n: number, w: number, t: number, d: number, stride = 1): BenchCase => ({
  name: `conv 3×1 d=${d}${stride > 1 ? ' s=2' : ''} (${stage})`, kind: 'conv2d',
  input: [n, w, t, 26], weight: [w, w, 3, 1], stride: [stride, 1], padding: [d, 0], dilation: [d, 1],
});

const pointwise = (what: string, input: number[], out: number): BenchCase => ({
  name: `conv 1×1 ${input[1]}→${out} (${what})`, kind: 'conv2d',
  input, weight: [out, input[1], 1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1],
});

export const CASES: BenchCase[] = [
  temporal('stage 1', 64, 16, 100, 1),
  temporal('stage 1', 64, 16, 100, 2),
  temporal('stage 1', 64, 16, 100, 3),
  temporal('stage 1', 64, 16, 100, 4),
  temporal('stage 2 entry', 64, 32, 100, 1, 2),
  temporal('stage 2', 64, 32, 50, 2),
  temporal('stage 3', 64, 64, 25, 4),
  pointwise('branch entry', [64, 96, 100, 26], 16),
  pointwise('graph unit', [64, 96, 100, 25], 96),
  pointwise('stage 3', [64, 384, 25, 25], 384),
  { name: 'einsum nkctv,nkcvw->nkctw (stage 1)', kind: 'einsum', equation: 'nkctv,nkcvw->nkctw', operands: [[64, 8, 12, 100, 25], [64, 8, 12, 25, 25]] },
  { name: 'einsum nkctv,nkcvw->nkctw (stage 3)', kind: 'einsum', equation: 'nkctv,nkcvw->nkctw', operands: [[64, 8, 48, 25, 25], [64, 8, 48, 25, 25]] },
  { name: 'einsum nkci,nkcj->nkij (scores)', kind: 'einsum', equation: 'nkci,nkcj->nkij', operands: [[64, 8, 12, 25], [64, 8, 12, 25]] },
  { name: 'bmm [6144,100,25]·[6144,25,25]', kind: 'bmm', operands: [[6144, 100, 25], [6144, 25, 25]] },
  { name: 'batch norm train (stage 1)', kind: 'batch_norm', input: [64, 96, 100, 25] },
  { name: 'batch norm train (stage 3)', kind: 'batch_norm', input: [64, 384, 25, 25] },
];

/**
 * Per case and mode: `warmup` runs of each side, then interleaved timed runs until each side has
 * `minRuns` and both together took `minSeconds` (at most `maxRuns` each). The tiny operator:
 * `tinyOpRepeats` alternating batches of `tinyOpCalls` calls.
 */
export const TIMING = { warmup: 2, minRuns: 5, maxRuns: 15, minSeconds: 2, tinyOpCalls: 20000, tinyOpRepeats: 5 };

/** The thread settings of both sides. */
export const THREADS = 2;
