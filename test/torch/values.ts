/** Small helpers for comparing tensor contents in tests. */
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/torch/index.js';

/** The values as plain numbers (any dtype; float32 → float64 is exact). */
export function vals(t: Tensor): number[] {
  return Array.from(t.toFloat64Array());
}

/** Asserts shape and values within |a − e| ≤ atol + rtol·|e| (exact by default). */
export function assertTensor(t: Tensor, shape: readonly number[], expected: readonly number[], what: string, tol: { atol?: number; rtol?: number } = {}): void {
  assert.deepEqual(t.shape, [...shape], `${what}: shape`);
  const got = vals(t);
  assert.equal(got.length, expected.length, `${what}: element count`);
  const atol = tol.atol ?? 0;
  const rtol = tol.rtol ?? 0;
  got.forEach((g, i) => {
    const e = expected[i];
    const ok = Number.isNaN(e) ? Number.isNaN(g) : g === e || Math.abs(g - e) <= atol + rtol * Math.abs(e);
    assert.ok(ok, `${what}: element ${i} is ${g}, expected ${e} (atol ${atol}, rtol ${rtol})\n  got      [${got.join(', ')}]\n  expected [${expected.join(', ')}]`);
  });
}
