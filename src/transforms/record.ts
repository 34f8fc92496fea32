/** Typed access to record fields, with errors that name the operation and the key. */
import { type NdArray, isNdArray, shapeString } from '../io/ndarray.js';
import { type FloatArray, isFloatDType } from './array/float.js';
import { type PipelineRecord, TransformError } from './types.js';

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (isNdArray(v)) return `a ${v.dtype} array ${shapeString(v.shape)}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

export function requireKey(rec: PipelineRecord, key: string, op: string): unknown {
  if (!(key in rec)) throw new TransformError(op, `the record has no '${key}' (keys: ${Object.keys(rec).join(', ')})`);
  return rec[key];
}

/** A float16/32/64 array of rank `rank` at `key`. */
export function requireFloatArray(rec: PipelineRecord, key: string, op: string, rank?: number): FloatArray {
  const v = requireKey(rec, key, op);
  if (!isNdArray(v) || !isFloatDType(v.dtype)) throw new TransformError(op, `'${key}' must be a float array, got ${describe(v)}`);
  if (rank !== undefined && v.shape.length !== rank) {
    throw new TransformError(op, `'${key}' must have ${rank} dimensions, got shape ${shapeString(v.shape)}`);
  }
  return v as FloatArray;
}

/** An integer scalar (a Python int or a 0-d integer array) at `key`. */
export function requireInt(rec: PipelineRecord, key: string, op: string): number {
  const v = requireKey(rec, key, op);
  const n = isNdArray(v) && v.shape.length === 0 ? Number(v.data[0]) : typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new TransformError(op, `'${key}' must be an integer, got ${describe(v)}`);
  return n;
}

/** The values of an integer (or bool) array as numbers. */
export function intValues(arr: NdArray, what: string, op: string): number[] {
  if (arr.dtype.startsWith('float')) throw new TransformError(op, `'${what}' must be an integer array, got ${arr.dtype}`);
  return Array.from(arr.data as ArrayLike<number | bigint>, (x) => Number(x));
}

/** An int64 array of numbers. */
export function int64Array(values: ArrayLike<number>, shape: readonly number[] = [values.length]): NdArray<'int64'> {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return { dtype: 'int64', shape: [...shape], data };
}
