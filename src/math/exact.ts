/**
 * Error-free transformations on doubles and an exactly rounded fused multiply-add, the building
 * blocks for reproducing library math (numpy's SVML kernels, a correctly rounded log) bit for bit.
 * Valid away from overflow and underflow (|values| well inside 2^±996).
 */
const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp split)

/** a + b = hi + lo exactly. */
export interface DD { hi: number; lo: number }

export function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: (a - (s - bb)) + (b - bb) };
}

/** twoSum when |a| >= |b|. */
export function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return { hi: s, lo: b - (s - a) };
}

/** a * b = hi + lo exactly (Dekker). */
export function twoProd(a: number, b: number): DD {
  const p = a * b;
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return { hi: p, lo: ((ah * bh - p) + ah * bl + al * bh) + al * bl };
}

const view = new DataView(new ArrayBuffer(8));

/** The neighbouring double of x (x != 0) one step away from zero (up) or towards zero (down). */
function step(x: number, awayFromZero: boolean): number {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, awayFromZero ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/** Round-to-odd of hi + lo where hi = RN(hi + lo): hi if exact or odd, else its odd neighbour towards lo. */
function roundToOdd(s: DD): number {
  if (s.lo === 0 || s.hi === 0) return s.hi;
  view.setFloat64(0, s.hi);
  if (view.getUint32(4) & 1) return s.hi;
  return step(s.hi, (s.lo > 0) === (s.hi > 0));
}

/**
 * a * b + c with a single rounding to nearest (IEEE fusedMultiplyAdd), emulated as
 * RN(th + RO(tl + pl)) (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums", 2008).
 */
export function fma(a: number, b: number, c: number): number {
  const p = twoProd(a, b);
  if (!Number.isFinite(p.hi) || !Number.isFinite(c)) return a * b + c;
  const t = twoSum(c, p.hi);
  const r = t.hi + roundToOdd(twoSum(t.lo, p.lo));
  // An exactly zero result takes its sign from the plain expression (IEEE rules for x + (-x)).
  return r === 0 ? a * b + c : r;
}
