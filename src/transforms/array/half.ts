/**
 * Fast float16 conversions for the hot pipeline paths (no per-element allocation). They follow
 * numpy's conversions bit for bit; io/float16.ts is the general reference they are tested against.
 */
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

let table: Float32Array | null = null;

/** Value of every half bit pattern (65536 entries, built on first use). */
export function halfTable(): Float32Array {
  if (table) return table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) t[h] = sign * mant * 2 ** -24;
    else if (exp === 0x1f) t[h] = mant ? NaN : sign * Infinity;
    else t[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  table = t;
  return t;
}

/**
 * Half bits of `x` rounded first to float32 and then to half, to nearest even: numpy's float16
 * arithmetic (each ufunc computes in float32, then converts; `npy_floatbits_to_halfbits`). For
 * inputs that are already float32 values this is the plain float→half conversion.
 */
export function floatToHalfBits(x: number): number {
  scratchF32[0] = x;
  const f = scratchU32[0];
  const sign = (f >>> 16) & 0x8000;
  const fExp = f & 0x7f800000;
  if (fExp >= 0x47800000) {
    if (fExp === 0x7f800000 && (f & 0x007fffff) !== 0) {
      const nan = 0x7c00 + ((f & 0x007fffff) >>> 13); // keep the payload's top bits, stay a NaN
      return sign | (nan === 0x7c00 ? 0x7c01 : nan);
    }
    return sign | 0x7c00; // infinity or overflow
  }
  if (fExp <= 0x38000000) {
    if (fExp < 0x33000000) return sign; // too small even for a subnormal: signed zero
    const e = fExp >>> 23;
    let sig = 0x00800000 + (f & 0x007fffff);
    const shift = 113 - e;
    // Round half to even; the bits shifted out below the 13-bit window also count as "above half".
    const lost = sig & ((1 << shift) - 1);
    sig >>>= shift;
    if ((sig & 0x3fff) !== 0x1000 || lost !== 0) sig += 0x1000;
    return sign | (sig >>> 13);
  }
  const hExp = (fExp - 0x38000000) >>> 13;
  let sig = f & 0x007fffff;
  if ((sig & 0x3fff) !== 0x1000) sig += 0x1000;
  return sign | (hExp + (sig >>> 13)); // a carry out of the significand bumps the exponent (to inf at most)
}
