/**
 * CPython's `random.Random` (MT19937), bit-exact for integer seeding and the methods the
 * augmentations and the training mix-up use. Method names follow CPython.
 */
import { MT19937 } from './mt19937.js';

/** The 32-bit words of |n|, least significant first ([0] for 0), as CPython's `random_seed`. */
function seedWords(n: bigint): number[] {
  let v = n < 0n ? -n : n;
  if (v === 0n) return [0];
  const words: number[] = [];
  while (v > 0n) {
    words.push(Number(v & 0xffffffffn));
    v >>= 32n;
  }
  return words;
}

function bitLength(n: number): number {
  return n < 2 ** 32 ? 32 - Math.clz32(n) : n.toString(2).length;
}

export class PythonRandom {
  private mt = new MT19937();

  constructor(seed?: number | bigint) {
    if (seed !== undefined) this.seed(seed);
  }

  /** `random.seed(n)` for an integer n (negative values use |n|, like CPython). */
  seed(seed: number | bigint): void {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
      throw new RangeError(`python random seed must be an integer, got ${seed}`);
    }
    this.mt.initByArray(seedWords(BigInt(seed)));
  }

  /** An independent generator in the same state. */
  clone(): PythonRandom {
    const copy = new PythonRandom();
    copy.mt = this.mt.clone();
    return copy;
  }

  /** `random.random()`: a double in [0, 1). */
  random(): number {
    return this.mt.nextDouble();
  }

  /** `random.getrandbits(k)` for 0 <= k <= 53 (words are filled least significant first). */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k > 53) throw new RangeError(`getrandbits: k must be an integer in [0, 53], got ${k}`);
    if (k === 0) return 0;
    if (k <= 32) return this.mt.nextUint32() >>> (32 - k);
    const low = this.mt.nextUint32();
    const high = this.mt.nextUint32() >>> (64 - k);
    return high * 4294967296 + low;
  }

  /** `_randbelow(n)`: rejection sampling with getrandbits(bit_length(n)); consumes output even for n = 1. */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`randbelow: n must be a positive integer, got ${n}`);
    const k = bitLength(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `random.randrange(start, stop)` (step 1) or `randrange(stop)`. */
  randrange(startOrStop: number, stop?: number): number {
    const start = stop === undefined ? 0 : startOrStop;
    const end = stop === undefined ? startOrStop : stop;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
      throw new RangeError(`randrange: bounds must be integers, got ${start}, ${end}`);
    }
    if (end <= start) throw new RangeError(`randrange: empty range (${start}, ${end})`);
    return start + this.randbelow(end - start);
  }

  /** `random.randint(a, b)`: an integer in [a, b], both inclusive. */
  randint(a: number, b: number): number {
    return this.randrange(a, b + 1);
  }

  /** `random.choice(seq)`. */
  choice<T>(seq: readonly T[]): T {
    if (seq.length === 0) throw new RangeError('choice: cannot choose from an empty sequence');
    return seq[this.randbelow(seq.length)];
  }

  /** `random.shuffle(x)` in place. */
  shuffle<T>(x: T[]): void {
    for (let i = x.length - 1; i >= 1; i--) {
      const j = this.randbelow(i + 1);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** `random.sample(population, k)`: CPython's pool algorithm for small populations, set algorithm otherwise. */
  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (!Number.isSafeInteger(k) || k < 0 || k > n) throw new RangeError(`sample: sample larger than population or is negative (k=${k}, n=${n})`);
    const result = new Array<T>(k);
    let setsize = 21; // size of a small set minus size of an empty list (CPython's heuristic)
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = population.slice();
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j];
        pool[j] = pool[n - i - 1];
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = population[j];
      }
    }
    return result;
  }
}
