/**
 * The numpy behaviours the original's metrics depend on, reproduced exactly so that ties, NaNs and
 * float rounding give the same answers as numpy 1.24:
 *
 * - `argsortRow`: `np.argsort(x)` with the default kind ('quicksort'), numpy's introsort on an
 *   index array. It is not stable: among equal scores, which index ends up last (the original's
 *   top-1 prediction) depends on the partitioning, so only the same algorithm gives the same pick.
 *   (`argHeapsortRow` is its depth-limit fallback, numpy's `kind='heapsort'`.) Later numpy releases
 *   dispatch argsort to a SIMD sort on AVX-512 CPUs, whose order of ties differs; 1.24 is the reference.
 * - `argmaxRow`: `np.argmax(x)`: the first maximum, or the first NaN.
 * - `pairwiseSum`: `np.add.reduce` over float64 (pairwise summation), as used by `np.mean`.
 */

/** numpy's `SMALL_QUICKSORT`: partitions with pr - pl at most this (≤ 16 elements) are insertion-sorted. */
const SMALL_QUICKSORT = 15;

/** A readable row of numbers (a typed-array subarray or a plain array). */
export type NumericRow = ArrayLike<number>;

/** numpy's float ordering: NaNs sort after every number. */
function less(a: number, b: number): boolean {
  return a < b || (b !== b && a === a);
}

/** Index of the most significant set bit (`npy_get_msb`). */
function msb(n: number): number {
  let depth = 0;
  while ((n >>>= 1) > 0) depth++;
  return depth;
}

/** numpy's `aheapsort_` on idx[lo .. lo+n-1]: the introsort fallback once recursion is too deep. */
function argHeapsort(v: NumericRow, idx: Int32Array, lo: number, n: number): void {
  const a = lo - 1; // heap positions are 1-based: a + k is position k
  for (let l = n >> 1; l > 0; --l) siftDown(v, idx, a, l, n);
  for (; n > 1;) {
    const tmp = idx[a + n];
    idx[a + n] = idx[a + 1];
    n -= 1;
    siftDownValue(v, idx, a, 1, n, tmp);
  }
}

function siftDown(v: NumericRow, idx: Int32Array, a: number, l: number, n: number): void {
  siftDownValue(v, idx, a, l, n, idx[a + l]);
}

function siftDownValue(v: NumericRow, idx: Int32Array, a: number, start: number, n: number, tmp: number): void {
  let i = start;
  for (let j = start << 1; j <= n;) {
    if (j < n && less(v[idx[a + j]], v[idx[a + j + 1]])) j += 1;
    if (!less(v[tmp], v[idx[a + j]])) break;
    idx[a + i] = idx[a + j];
    i = j;
    j += j;
  }
  idx[a + i] = tmp;
}

/**
 * `np.argsort(v)` (kind='quicksort'): numpy's `aquicksort_` — median-of-3 quicksort that pushes the
 * larger partition, insertion sort up to 16 elements, heapsort past depth 2·msb(n).
 */
export function argsortRow(v: NumericRow): Int32Array {
  const num = v.length;
  const idx = new Int32Array(num);
  for (let i = 0; i < num; i++) idx[i] = i;
  if (num < 2) return idx;
  const swap = (p: number, q: number): void => {
    const t = idx[p];
    idx[p] = idx[q];
    idx[q] = t;
  };
  const stack: number[] = [];
  const depths: number[] = [];
  let pl = 0;
  let pr = num - 1;
  let cdepth = msb(num) * 2;
  for (;;) {
    if (cdepth < 0) {
      argHeapsort(v, idx, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(v[idx[pm]], v[idx[pl]])) swap(pm, pl);
        if (less(v[idx[pr]], v[idx[pm]])) swap(pr, pm);
        if (less(v[idx[pm]], v[idx[pl]])) swap(pm, pl);
        const vp = v[idx[pm]];
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi; while (less(v[idx[pi]], vp));
          do --pj; while (less(vp, v[idx[pj]]));
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depths.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = idx[pi];
        const vp = v[vi];
        let pj = pi;
        while (pj > pl && less(vp, v[idx[pj - 1]])) {
          idx[pj] = idx[pj - 1];
          pj--;
        }
        idx[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depths.pop()!;
  }
  return idx;
}

/** `np.argsort(v, kind='heapsort')`: the same heapsort introsort falls back to. */
export function argHeapsortRow(v: NumericRow): Int32Array {
  const idx = Int32Array.from({ length: v.length }, (_, i) => i);
  argHeapsort(v, idx, 0, v.length);
  return idx;
}

/** `np.argmax(v)`: the first maximum; a NaN counts as the maximum (the first NaN wins). */
export function argmaxRow(v: NumericRow): number {
  let best = v[0];
  let at = 0;
  if (best !== best) return 0;
  for (let i = 1; i < v.length; i++) {
    const x = v[i];
    if (!(x <= best)) {
      best = x;
      at = i;
      if (x !== x) break;
    }
  }
  return at;
}

/** numpy's pairwise summation block size (`PW_BLOCKSIZE`). */
const PW_BLOCKSIZE = 128;

/** numpy's `pairwise_sum_DOUBLE` over v[lo .. lo+n-1]. */
function pairwise(v: NumericRow, lo: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += v[lo + i];
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => v[lo + j]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += v[lo + i + j];
    }
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += v[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(v, lo, n2) + pairwise(v, lo + n2, n - n2);
}

/**
 * `np.add.reduce` of a 1-D float64 array: the first element is the initial value and the rest is
 * added as one pairwise sum (that is how numpy's reduction feeds its inner loop).
 */
export function pairwiseSum(v: NumericRow): number {
  if (v.length === 0) return 0;
  return v[0] + pairwise(v, 1, v.length - 1);
}

/** `np.mean` of a 1-D float64 array (NaN for an empty one, like numpy). */
export function numpyMean(v: NumericRow): number {
  return pairwiseSum(v) / v.length;
}
