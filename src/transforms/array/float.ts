/**
 * Floating-point arrays as the pipelines see them: float16 (IEEE bits), float32 or float64, with
 * numpy's rounding for arithmetic "in the array's dtype" and numpy's dtype promotion.
 */
import { type NdArray, numel, shapeString } from '../../io/ndarray.js';
import { floatToHalfBits, halfTable } from './half.js';

export type FloatDType = 'float16' | 'float32' | 'float64';
export type FloatArray = NdArray<FloatDType>;
/** Values of a float array as numbers (float16 decoded). */
export type FloatValues = Float32Array | Float64Array;

export function isFloatDType(d: string): d is FloatDType {
  return d === 'float16' || d === 'float32' || d === 'float64';
}

const RANK: Record<FloatDType, number> = { float16: 0, float32: 1, float64: 2 };
const BY_RANK: FloatDType[] = ['float16', 'float32', 'float64'];

/** numpy's result dtype for an operation mixing two float dtypes (the wider one). */
export function promoteFloat(a: FloatDType, b: FloatDType): FloatDType {
  return BY_RANK[Math.max(RANK[a], RANK[b])];
}

/** The values of `arr`: the data itself for float32/float64 (no copy), a decoded copy for float16. */
export function floatValues(arr: FloatArray): FloatValues {
  if (arr.dtype !== 'float16') return arr.data as FloatValues;
  const bits = arr.data as Uint16Array;
  const t = halfTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]];
  return out;
}

/** Rounds the exact result of one arithmetic operation the way numpy does in `dtype`. */
export type Rounder = (x: number) => number;

const identity: Rounder = (x) => x;

/** float16: compute in float32, round to half; float32: round to float32; float64: as is. */
export function arithRounder(dtype: FloatDType): Rounder {
  if (dtype === 'float64') return identity;
  if (dtype === 'float32') return Math.fround;
  const t = halfTable();
  return (x) => t[floatToHalfBits(x)];
}

/** Allocates the value buffer for a result of `dtype` (float16 results are staged as float32). */
export function allocValues(dtype: FloatDType, n: number): FloatValues {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** Wraps values computed in `dtype` (already rounded to it) as an array of that dtype. */
export function fromValues(dtype: FloatDType, shape: readonly number[], values: FloatValues): FloatArray {
  if (values.length !== numel(shape)) throw new RangeError(`shape ${shapeString(shape)} needs ${numel(shape)} values, got ${values.length}`);
  if (dtype === 'float16') {
    const bits = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) bits[i] = floatToHalfBits(values[i]);
    return { dtype, shape: [...shape], data: bits };
  }
  if (dtype === 'float32' && !(values instanceof Float32Array)) return { dtype, shape: [...shape], data: Float32Array.from(values) };
  if (dtype === 'float64' && !(values instanceof Float64Array)) return { dtype, shape: [...shape], data: Float64Array.from(values) };
  return { dtype, shape: [...shape], data: values } as FloatArray;
}

/** `arr.astype(float32)` (a new array; float16 and float32 values convert exactly). */
export function toFloat32(arr: FloatArray): NdArray<'float32'> {
  const v = floatValues(arr);
  const data = v instanceof Float32Array && v !== arr.data ? v : Float32Array.from(v);
  return { dtype: 'float32', shape: [...arr.shape], data };
}

/**
 * Gathers along axis 1 of an [A, B, ...rest] array: out[a, i] = arr[a, indices[i]] (numpy
 * `arr[:, indices]`), keeping the dtype (raw element copies).
 */
export function takeAxis1<D extends NdArray>(arr: D, indices: ArrayLike<number>, what: string): D {
  const [a, b] = arr.shape;
  const inner = numel(arr.shape.slice(2));
  const n = indices.length;
  for (let i = 0; i < n; i++) {
    const f = indices[i];
    if (!Number.isInteger(f) || f < 0 || f >= b) throw new RangeError(`${what}: frame index ${f} is out of range for ${b} frames`);
  }
  type Typed = Float32Array; // every typed array has the same set/subarray surface
  const src = arr.data as unknown as Typed;
  const out = new (arr.data.constructor as new (n: number) => Typed)(a * n * inner);
  for (let p = 0; p < a; p++) {
    for (let i = 0; i < n; i++) {
      const from = (p * b + indices[i]) * inner;
      out.set(src.subarray(from, from + inner), (p * n + i) * inner);
    }
  }
  return { dtype: arr.dtype, shape: [a, n, ...arr.shape.slice(2)], data: out } as unknown as D;
}

/**
 * Concatenates float arrays along `axis` (negative counts from the end), promoting to the widest
 * dtype like `np.concatenate`.
 */
export function concatFloat(arrays: readonly FloatArray[], axis: number, what: string): FloatArray {
  if (arrays.length === 0) throw new Error(`${what}: nothing to concatenate`);
  const nd = arrays[0].shape.length;
  const ax = axis < 0 ? axis + nd : axis;
  if (ax < 0 || ax >= nd) throw new RangeError(`${what}: axis ${axis} is out of bounds for ${nd}-d arrays`);
  for (const a of arrays) {
    if (a.shape.length !== nd || a.shape.some((d, i) => i !== ax && d !== arrays[0].shape[i])) {
      throw new RangeError(`${what}: cannot concatenate ${arrays.map((x) => shapeString(x.shape)).join(' and ')} along axis ${axis}`);
    }
  }
  const dtype = arrays.map((a) => a.dtype).reduce(promoteFloat);
  const outer = numel(arrays[0].shape.slice(0, ax));
  const inner = numel(arrays[0].shape.slice(ax + 1));
  const total = arrays.reduce((s, a) => s + a.shape[ax], 0);
  const out = allocValues(dtype, outer * total * inner);
  let offset = 0;
  for (const a of arrays) {
    const v = floatValues(a);
    const chunk = a.shape[ax] * inner;
    for (let o = 0; o < outer; o++) out.set(v.subarray(o * chunk, (o + 1) * chunk), (o * total + offset) * inner);
    offset += a.shape[ax];
  }
  const shape = [...arrays[0].shape];
  shape[ax] = total;
  return fromValues(dtype, shape, out);
}

/** `concat([kp, score[..., None]], -1)`: appends a [.., V] score array as the last channel. */
export function appendScoreChannel(kp: FloatArray, score: FloatArray, what: string): FloatArray {
  const expected = kp.shape.slice(0, -1);
  if (score.shape.length !== expected.length || score.shape.some((d, i) => d !== expected[i])) {
    throw new RangeError(`${what}: keypoint_score ${shapeString(score.shape)} does not match keypoint ${shapeString(kp.shape)}`);
  }
  return concatFloat([kp, { ...score, shape: [...score.shape, 1] } as FloatArray], -1, what);
}
