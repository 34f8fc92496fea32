/** Shared helpers of the model parity tests: fixture arrays as tensors, tolerance checks. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readNpy } from '../../src/io/npy.js';
import { fromNdArray, type Tensor } from '../../src/torch/index.js';
import { fixture } from '../fixtures.js';

export function fixtureTensor(...parts: string[]): Tensor {
  return fromNdArray(readNpy(fixture(...parts)));
}

export function manifest(config: string): any {
  return JSON.parse(readFileSync(fixture('models', config, 'manifest.json'), 'utf8'));
}

/** A JSON `{__ndarray__}` value or a plain number. */
export function jsonValue(v: any): any {
  return v && typeof v === 'object' && '__ndarray__' in v ? v.__ndarray__ : v;
}

/** |a − b| ≤ atol + rtol·|b| elementwise, reporting the worst element. */
export function assertClose(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number>, o: { atol: number; rtol: number; what: string }): void {
  const a = 'toFloat64Array' in actual ? actual.toFloat64Array() : Float64Array.from(actual);
  const e = 'toFloat64Array' in expected ? expected.toFloat64Array() : Float64Array.from(expected);
  assert.equal(a.length, e.length, `${o.what}: ${a.length} values vs ${e.length} expected`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i] - e[i]) - (o.atol + o.rtol * Math.abs(e[i]));
    if (!(excess <= worstExcess)) { worstExcess = Number.isNaN(excess) ? Infinity : excess; worst = i; }
  }
  if (worst >= 0) assert.fail(`${o.what}: element ${worst} is ${a[worst]}, expected ${e[worst]} (atol ${o.atol}, rtol ${o.rtol})`);
}
