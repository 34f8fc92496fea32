/**
 * Natural logarithm rounded correctly to double (double-double evaluation), for numpy's legacy
 * Gaussian, which calls the C library's `log`. V8's `Math.log` is off by one ulp far more often
 * than glibc's (documented bound 0.52 ulp), so the correctly rounded value is the closest
 * platform-independent match; the rare remaining differences are one ulp of a double.
 */
import { type DD, quickTwoSum, twoProd, twoSum } from '../math/exact.js';

const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
const SQRT2 = Math.SQRT2;
/** Terms of atanh's series needed for 2^-110 relative accuracy with |s| <= 3 - 2*sqrt(2). */
const SERIES_TERMS = 23;

function ddAdd(a: DD, b: DD): DD {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  const u = quickTwoSum(s.hi, s.lo + t.hi);
  return quickTwoSum(u.hi, u.lo + t.lo);
}

function ddMul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return quickTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

/** 1/(2k+1) as double-doubles, the atanh series coefficients. */
const COEFFS: DD[] = Array.from({ length: SERIES_TERMS }, (_, k) => {
  const d = 2 * k + 1;
  const hi = 1 / d;
  const p = twoProd(hi, d);
  return { hi, lo: ((1 - p.hi) - p.lo) / d };
});

const view = new DataView(new ArrayBuffer(8));

export function preciseLog(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x); // NaN, 0, negatives, +Inf: no rounding involved
  let scaled = x;
  let e = 0;
  if (scaled < 2 ** -1022) { scaled *= 2 ** 54; e = -54; } // subnormal: normalise first
  view.setFloat64(0, scaled);
  const biased = (view.getUint32(0) >>> 20) & 0x7ff;
  e += biased - 1023;
  let m = scaled / 2 ** (biased - 1023); // in [1, 2), exact
  if (m > SQRT2) { m /= 2; e += 1; }
  // log(m) = 2 atanh(s), s = (m - 1)/(m + 1); m - 1 is exact (Sterbenz).
  const f = m - 1;
  const den = twoSum(m, 1);
  const q1 = f / den.hi;
  const p = twoProd(q1, den.hi);
  const rem = ((f - p.hi) - p.lo) - q1 * den.lo;
  const s = quickTwoSum(q1, rem / den.hi);
  const s2 = ddMul(s, s);
  let t = COEFFS[SERIES_TERMS - 1];
  for (let k = SERIES_TERMS - 2; k >= 0; k--) t = ddAdd(ddMul(t, s2), COEFFS[k]);
  const logm = ddMul({ hi: 2 * s.hi, lo: 2 * s.lo }, t);
  const eln2 = twoProd(e, LN2_HI);
  const total = ddAdd(ddAdd(eln2, { hi: e * LN2_LO, lo: 0 }), logm);
  return total.hi + total.lo;
}
