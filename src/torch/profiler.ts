/**
 * Operator profile of a piece of work: every ATen operator and autograd function that runs
 * through the dispatcher while `fn` runs (the forward ops called from TypeScript and the backward
 * ops libtorch's autograd engine runs), with call counts, self time (nested recorded calls
 * excluded, so self times add up to the work) and total time. For finding where a training step
 * goes; the timing hooks cost about a microsecond per operator, so profile real-sized work.
 */
import { native } from './native.js';

export interface OpProfileRow {
  /** Operator or autograd function name, followed by its input shapes when recorded. */
  name: string;
  calls: number;
  selfSeconds: number;
  totalSeconds: number;
}

export interface Profile<T> {
  result: T;
  /** Sorted by self time, largest first. */
  rows: OpProfileRow[];
  /** Wall time of fn. */
  wallSeconds: number;
}

/** Runs fn with the profiler on; `shapes` keys rows by input shapes too. */
export function profileOps<T>(fn: () => T, o: { shapes?: boolean } = {}): Profile<T> {
  const n = native();
  n.profilerStart(o.shapes ?? false);
  const t0 = process.hrtime.bigint();
  let result: T;
  let raw: [string, number, number, number][];
  try {
    result = fn();
  } finally {
    raw = n.profilerStop();
  }
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rows = raw
    .map(([name, calls, selfNs, totalNs]) => ({ name, calls, selfSeconds: selfNs / 1e9, totalSeconds: totalNs / 1e9 }))
    .sort((a, b) => b.selfSeconds - a.selfSeconds);
  return { result, rows, wallSeconds };
}

/** A text table of the top rows: self %, self s, total s, calls, name. */
export function formatProfile(p: Profile<unknown>, top = 25): string {
  const selfSum = p.rows.reduce((a, r) => a + r.selfSeconds, 0);
  const lines = [
    `operators: ${selfSum.toFixed(3)} s of ${p.wallSeconds.toFixed(3)} s wall (the rest is TypeScript and data preparation)`,
    '  self %    self s   total s    calls  operator',
  ];
  for (const r of p.rows.slice(0, top)) {
    lines.push(`${(100 * r.selfSeconds / Math.max(selfSum, 1e-12)).toFixed(1).padStart(7)} ${r.selfSeconds.toFixed(3).padStart(9)} ${r.totalSeconds.toFixed(3).padStart(9)} ${String(r.calls).padStart(8)}  ${r.name}`);
  }
  return lines.join('\n');
}
