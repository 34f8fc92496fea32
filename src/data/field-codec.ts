/**
 * JSON encoding of an annotation's non-array fields for the dataset store. Plain JSON covers
 * strings, numbers, lists and string-keyed dicts; the two Python shapes JSON lacks are tagged:
 * dicts with non-string keys (K400 `valid` {0.5: 55, ...}) as {"$map": [[k, v], ...]} and ints
 * beyond 2^53 as {"$int": "digits"}. Arrays nested inside other values are not supported (no
 * PYSKL dataset has them).
 */
import { isMapping, mappingEntries } from './python-values.js';
import { isNdArray } from '../io/ndarray.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function encodeField(value: unknown, where: string): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { $float: String(value) };
    return value;
  }
  if (typeof value === 'bigint') return { $int: value.toString() };
  if (Array.isArray(value)) return value.map((v, i) => encodeField(v, `${where}[${i}]`));
  if (isNdArray(value)) throw new Error(`${where}: arrays nested inside other values cannot be stored`);
  if (value instanceof Map) {
    return { $map: [...value.entries()].map(([k, v]) => [encodeField(k, `${where} key`), encodeField(v, `${where}[${String(k)}]`)]) };
  }
  if (isMapping(value)) {
    const out: { [k: string]: Json } = {};
    for (const [key, v] of mappingEntries(value)) {
      const k = String(key);
      if (k.startsWith('$')) throw new Error(`${where}: dict key '${k}' clashes with the store's tags`);
      out[k] = encodeField(v, `${where}.${k}`);
    }
    return out;
  }
  throw new Error(`${where}: cannot store a value of type ${typeof value}`);
}

export function decodeField(value: Json): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeField);
  if ('$map' in value) return new Map((value.$map as Json[][]).map(([k, v]) => [decodeField(k), decodeField(v)]));
  if ('$int' in value) return BigInt(value.$int as string);
  if ('$float' in value) return Number(value.$float);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodeField(v);
  return out;
}
