/**
 * Mulberry32: a small, fast 32-bit generator (not one the original uses). For the built-in text
 * encoder's sign bits and the fuzzers' mutations, where only determinism for a seed matters.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
