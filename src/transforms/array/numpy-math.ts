/**
 * numpy's float64 `sin` / `cos` and 3-term `einsum` sums as the reference machine computes them.
 * numpy 1.24 on AVX-512 (SKX) CPUs evaluates float64 sin/cos with Intel's SVML "la" kernels
 * (`__svml_sin8`, `__svml_cos8`, vendored by numpy), not with the C library: results differ from
 * `Math.sin`/`Math.cos` by up to 3 ulps, which changes RandomRot's rotation matrix. The kernels'
 * main path is reproduced here operation by operation (each FMA rounded once, the reduction FMA
 * of cos rounded toward zero); arguments outside it (|x| ≥ 2^24 for sin, |x|/π ≥ 2^23 for cos,
 * NaN, ±Inf) fall back to `Math` (not bit-exact there). On CPUs without AVX-512 the original gets
 * libm values instead, so the reference itself is machine-dependent.
 */
import { fma, twoProd } from '../../math/exact.js';

const INV_PI = 0.3183098861837907;
const PI_1 = 3.141592653589793;
const PI_2 = 1.224646799147353e-16;
const PI_3 = 2.165713347843828e-32;

const SIN_POLY = [-7.373344533110665e-13, 1.6048095404959637e-10, -2.505188027386288e-08, 2.7557316600552628e-06,
  -0.00019841269825056256, 0.008333333333285542, -0.16666666666666186];
const COS_POLY = [-7.37280909726507e-13, 1.6048055576979365e-10, -2.505187912674299e-08, 2.755731658449074e-06,
  -0.00019841269824944275, 0.00833333333328519, -0.16666666666666183];

const SIN_SHIFTER = 6755399441055744; // 1.5 * 2^52: adding it rounds to an integer
const SIN_LIMIT = 16777216; // 2^24
const COS_LIMIT = 8388606; // N above this takes SVML's long reduction path
const COS_TINY = 7.450580596923828e-09; // 2^-27: cos is 1.0 below

/** Horner evaluation with one FMA per step, as the kernels do. */
function poly(c: readonly number[], r2: number): number {
  let p = fma(c[0], r2, c[1]);
  for (let i = 2; i < c.length; i++) p = fma(r2, p, c[i]);
  return p;
}

/** (-1)^odd · x, by flipping the sign bit (so that signed zeros come out as SVML's). */
function withParity(x: number, odd: boolean): number {
  return odd ? -x : x;
}

export function numpySin(x: number): number {
  if (!(Math.abs(x) <= SIN_LIMIT)) return Math.sin(x);
  const y = fma(x, INV_PI, SIN_SHIFTER);
  const n = y - SIN_SHIFTER;
  const odd = (y % 2) !== 0;
  let r = fma(-n, PI_1, x);
  r = fma(-PI_2, n, r);
  const r2 = r * r;
  r = fma(-PI_3, n, r);
  const res = fma(r2 * r, poly(SIN_POLY, r2), r);
  // For ±0 the kernel also xors in the input's sign: sin(-0) = -0.
  return withParity(res, x === 0 ? odd !== Object.is(x, -0) : odd);
}

export function numpyCos(x: number): number {
  const ax = Math.abs(x);
  if (ax < COS_TINY) return 1.0;
  if (!(ax / Math.PI < COS_LIMIT)) return Math.cos(x);
  // y = RZ(ax·(1/π) + 2^52) = 2^52 + floor(ax·(1/π)) computed exactly.
  const p = twoProd(ax, INV_PI);
  const n = Number.isInteger(p.hi) && p.lo < 0 ? p.hi - 1 : Math.floor(p.hi);
  const dn = n + 0.5; // (y - (2^52 - 0.5)), exact
  let r = fma(dn, PI_1, -ax);
  r = fma(PI_2, dn, r);
  const r2 = r * r;
  r = fma(PI_3, dn, r);
  const rs = withParity(r, n % 2 !== 0);
  return fma(rs * r2, poly(COS_POLY, r2), rs);
}

/**
 * Σ_k a[k]·b[k] over 3 terms as numpy's einsum reduces them on AVX-512: products in lanes, the
 * 8-lane horizontal add `((l0 + l2) + l1)` (unused lanes +0), then added to the zero-initialised
 * output; the +0 terms turn a -0 result into +0.
 */
export function einsumDot3(a0: number, a1: number, a2: number, b0: number, b1: number, b2: number): number {
  return (a0 * b0 + a2 * b2) + a1 * b1 + 0;
}

/** The 2-term einsum reduction (same lanes, same +0 normalisation). */
export function einsumDot2(a0: number, a1: number, b0: number, b1: number): number {
  return a0 * b0 + a1 * b1 + 0;
}
