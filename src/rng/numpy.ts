/**
 * numpy's legacy global generator (`np.random.*`, i.e. `RandomState` on MT19937), bit-exact for
 * the calls the pipelines and the graph construction make. Method names and argument conventions
 * follow numpy so that call logs compare one to one with the reference `rng_calls`.
 */
import { MT19937 } from './mt19937.js';
import { preciseLog } from './precise-log.js';

/** Smallest all-ones mask covering `max` (numpy `_gen_mask`). */
function maskFor(max: number): number {
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

export class NumpyRandomState {
  private mt = new MT19937();
  /** Second value of the last polar Box–Muller pair (legacy `gauss` cache). */
  private cachedGauss: number | null = null;

  constructor(seed?: number | readonly number[]) {
    if (seed !== undefined) this.seed(seed);
  }

  /**
   * `np.random.seed(s)`: an integer uses `init_genrand`; an array of 32-bit words uses
   * `init_by_array`, as numpy's legacy seeding does. Clears the cached Gaussian.
   */
  seed(seed: number | readonly number[]): void {
    if (typeof seed === 'number') {
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        throw new RangeError(`numpy seed must be an integer between 0 and 2**32 - 1, got ${seed}`);
      }
      this.mt.initGenrand(seed);
    } else {
      for (const w of seed) {
        if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) {
          throw new RangeError(`numpy seed array entries must be 32-bit unsigned integers, got ${w}`);
        }
      }
      this.mt.initByArray(seed);
    }
    this.cachedGauss = null;
  }

  /** An independent generator in the same state (including the cached Gaussian). */
  clone(): NumpyRandomState {
    const copy = new NumpyRandomState();
    copy.mt = this.mt.clone();
    copy.cachedGauss = this.cachedGauss;
    return copy;
  }

  /** `np.random.rand()` / `random_sample()`: one double in [0, 1). */
  rand(): number {
    return this.mt.nextDouble();
  }

  /**
   * Masked rejection draw in [0, range] (numpy `buffered_bounded_masked_uint32`); a range of 0
   * returns 0 without consuming output.
   */
  private bounded(range: number, mask: number): number {
    if (range === 0) return 0;
    if (range === 0xffffffff) return this.mt.nextUint32();
    let v: number;
    do {
      v = (this.mt.nextUint32() & mask) >>> 0;
    } while (v > range);
    return v;
  }

  private checkRange(low: number, high: number, what: string): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new RangeError(`${what}: bounds must be integers, got low=${low}, high=${high}`);
    }
    if (low >= high) throw new RangeError(`${what}: low >= high (low=${low}, high=${high})`);
    const range = high - low - 1;
    if (range > 0xffffffff) {
      throw new RangeError(`${what}: ranges wider than 2**32 are not supported (low=${low}, high=${high})`);
    }
    return range;
  }

  /** `np.random.randint(high)` or `np.random.randint(low, high)`: an integer in [low, high). */
  randint(lowOrHigh: number, high?: number): number {
    const low = high === undefined ? 0 : lowOrHigh;
    const hi = high === undefined ? lowOrHigh : high;
    const range = this.checkRange(low, hi, 'randint');
    return low + this.bounded(range, maskFor(range));
  }

  /** `np.random.randint(highs)` with an array of upper bounds: element-wise, in index order. */
  randintArray(highs: ArrayLike<number>): number[] {
    const out = new Array<number>(highs.length);
    for (let i = 0; i < highs.length; i++) {
      const range = this.checkRange(0, highs[i], 'randint');
      out[i] = this.bounded(range, maskFor(range));
    }
    return out;
  }

  /**
   * `np.random.choice(n, k, replace=False)` without probabilities: numpy permutes the whole
   * range (legacy Fisher–Yates from the top) and returns the first k entries.
   */
  choice(n: number, k: number, replace = false): number[] {
    if (replace) throw new Error('choice: only replace=False is implemented (the pipelines never sample with replacement)');
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`choice: population size must be a positive integer, got ${n}`);
    if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`choice: sample size must be a non-negative integer, got ${k}`);
    if (k > n) throw new RangeError(`choice: cannot take a larger sample (${k}) than the population (${n}) when replace=False`);
    return this.permutation(n).slice(0, k);
  }

  /** `np.random.permutation(n)`: legacy shuffle of 0..n-1. */
  permutation(n: number): number[] {
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i >= 1; i--) {
      const j = this.bounded(i, maskFor(i));
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }

  /** `np.random.uniform(low, high)`: `low + (high - low) * rand()`. */
  uniform(low?: number, high?: number): number;
  /** `np.random.uniform(low, high, size=n)`: n sequential draws. */
  uniform(low: number, high: number, size: number): number[];
  uniform(low = 0, high = 1, size?: number): number | number[] {
    const range = high - low;
    if (!Number.isFinite(range)) throw new RangeError(`uniform: range exceeds valid bounds (low=${low}, high=${high})`);
    if (size === undefined) return low + range * this.rand();
    const out = new Array<number>(size);
    for (let i = 0; i < size; i++) out[i] = low + range * this.rand();
    return out;
  }

  /** Legacy `gauss`: polar Box–Muller, returning the cached second value on every other call. */
  private gauss(): number {
    if (this.cachedGauss !== null) {
      const g = this.cachedGauss;
      this.cachedGauss = null;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2.0 * this.rand() - 1.0;
      x2 = 2.0 * this.rand() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt((-2.0 * preciseLog(r2)) / r2);
    this.cachedGauss = f * x1;
    return f * x2;
  }

  /** `np.random.randn(*shape)` flattened in C order (`randn()` with no shape: one value). */
  randn(...shape: number[]): Float64Array {
    let n = 1;
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`randn: dimensions must be non-negative integers, got [${shape.join(', ')}]`);
      n *= d;
    }
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.gauss();
    return out;
  }

  /** `np.random.normal(loc, scale, size)`: `loc + scale * gauss()` per element. */
  normal(loc: number, scale: number, size: number): Float64Array {
    if (scale < 0) throw new RangeError(`normal: scale must be non-negative, got ${scale}`);
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = loc + scale * this.gauss();
    return out;
  }
}
