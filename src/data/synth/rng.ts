/**
 * A small seeded generator for the synthetic data (sfc32 seeded through splitmix32). It only has
 * to be deterministic and fast; nothing here needs to match numpy's streams.
 */
/** The sum of two U(0, 1) minus 1 has variance 1/6. */
const TRIANGULAR_TO_UNIT = Math.sqrt(6);

export class SynthRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /**
   * Zero-mean, unit-variance noise from a single draw: the sum of two 16-bit uniforms (a triangular
   * distribution). Much cheaper than a Gaussian; good enough for sensor jitter.
   */
  noise(): number {
    const x = this.nextUint32();
    return (((x & 0xffff) + (x >>> 16)) / 65536 - 1) * TRIANGULAR_TO_UNIT;
  }
}
