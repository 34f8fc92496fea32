/**
 * numpy's `add.reduce` (`arr.sum()`), reproduced with its rounding: pairwise summation in blocks
 * with an accumulator of the array's precision (float32 for float16 and float32 arrays), the
 * partial result stored back in the array dtype after every buffer-sized chunk.
 */
import { type FloatArray, type FloatValues, arithRounder, floatValues } from './float.js';

const PAIRWISE_BLOCK = 128; // numpy PW_BLOCKSIZE
const BUFFER_SIZE = 8192; // numpy NPY_BUFSIZE: elements per inner reduction loop

/** numpy's `pairwise_sum` over values[start .. start+n) with accumulator rounding `acc`. */
export function pairwiseSum(v: FloatValues, start: number, n: number, acc: (x: number) => number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = acc(res + v[start + i]);
    return res;
  }
  if (n <= PAIRWISE_BLOCK) {
    const r = [v[start], v[start + 1], v[start + 2], v[start + 3], v[start + 4], v[start + 5], v[start + 6], v[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = acc(r[j] + v[start + i + j]);
    }
    let res = acc(acc(acc(r[0] + r[1]) + acc(r[2] + r[3])) + acc(acc(r[4] + r[5]) + acc(r[6] + r[7])));
    for (; i < n; i++) res = acc(res + v[start + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return acc(pairwiseSum(v, start, n2, acc) + pairwiseSum(v, start + n2, n - n2, acc));
}

/** Accumulator precision of numpy's add loops: float for half and float, double for double. */
function accumulatorFor(arr: FloatArray): (x: number) => number {
  return arr.dtype === 'float64' ? (x) => x : Math.fround;
}

/** `arr.sum()` over all elements, as the array dtype's value. */
export function numpySum(arr: FloatArray): number {
  const v = floatValues(arr);
  const acc = accumulatorFor(arr);
  const store = arithRounder(arr.dtype);
  let total = 0;
  for (let start = 0; start < v.length; start += BUFFER_SIZE) {
    total = store(total + pairwiseSum(v, start, Math.min(BUFFER_SIZE, v.length - start), acc));
  }
  return total;
}

/** `row.sum()` of one short contiguous row (one inner loop), as the array dtype's value. */
export function numpyRowSum(arr: FloatArray, values: FloatValues, start: number, n: number): number {
  return arithRounder(arr.dtype)(pairwiseSum(values, start, n, accumulatorFor(arr)));
}
