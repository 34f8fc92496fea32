/**
 * Reading the value model of src/io/pickle/ without caring how a particular file spelled a
 * value: dicts arrive as null-prototype objects (or Maps when a key is not a string), tuples as
 * arrays (PyTuple extends Array), Python ints as number or bigint, numpy scalars as 0-d NdArrays.
 */
import { type NdArray, isNdArray } from '../io/ndarray.js';
import { fromHalf } from '../io/float16.js';

/** A Python dict: a Map, or a null-prototype / plain object that is not an NdArray. */
export function isMapping(v: unknown): v is Map<unknown, unknown> | Record<string, unknown> {
  if (v instanceof Map) return true;
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === null || proto === Object.prototype) && !isNdArray(v);
}

export function mappingEntries(v: Map<unknown, unknown> | Record<string, unknown>): [unknown, unknown][] {
  return v instanceof Map ? [...v.entries()] : Object.entries(v);
}

export function mappingGet(v: Map<unknown, unknown> | Record<string, unknown>, key: string): unknown {
  return v instanceof Map ? v.get(key) : Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
}

const INTEGER_DTYPES = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool']);
export const FLOAT_DTYPES: ReadonlySet<string> = new Set(['float16', 'float32', 'float64']);

export function isIntegerDType(dtype: string): boolean {
  return INTEGER_DTYPES.has(dtype);
}

/**
 * A Python int, bool or numpy integer scalar as a JS number; null when `v` is not an integer
 * (or does not fit a double exactly).
 */
export function asInteger(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : null;
  }
  if (isNdArray(v) && v.shape.length === 0 && isIntegerDType(v.dtype)) return asInteger(v.data[0]);
  return null;
}

/** A Python float/int or numpy scalar as a JS number; null otherwise. */
export function asNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  const i = asInteger(v);
  if (i !== null) return i;
  if (isNdArray(v) && v.shape.length === 0 && FLOAT_DTYPES.has(v.dtype)) {
    return v.dtype === 'float16' ? fromHalf(v.data[0] as number) : (v.data[0] as number);
  }
  return null;
}
