/**
 * A type-tagged JSON form of decoded values, identical to what `canon` in python.ts computes for
 * the Python objects, so TypeScript and Python readings of the same pickle can be compared exactly.
 * Python ints and integral floats are not distinguished (the TypeScript value model cannot).
 */
import { createHash } from 'node:crypto';
import { bytesOf, type NdArray } from '../../src/io/ndarray.js';
import { PyFloat, PyObject, PyTuple, type PyValue, isOrderedDict, isPyDict, pyAttributes } from '../../src/io/pickle/index.js';
import { isNdArray } from '../../src/io/ndarray.js';
import { PthTensor } from '../../src/io/pth.js';

export type Canonical = null | boolean | number | string | Canonical[] | { [k: string]: Canonical };

function num(x: number): Canonical {
  if (Number.isNaN(x)) return { t: 'float', v: 'nan' };
  if (!Number.isFinite(x)) return { t: 'float', v: x > 0 ? 'inf' : '-inf' };
  if (Object.is(x, -0)) return { t: 'float', v: '-0' };
  return x;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function array(arr: NdArray): Canonical {
  return { t: 'ndarray', dtype: arr.dtype, shape: [...arr.shape], sha256: sha256(bytesOf(arr)) };
}

function tensorBytes(t: PthTensor): Uint8Array {
  if (t.dtype !== 'bfloat16') return bytesOf(t.array);
  const bits = new Uint32Array((t.array.data as Float32Array).slice().buffer);
  return new Uint8Array(Uint16Array.from(bits, (b) => b >>> 16).buffer);
}

function dict(entries: [PyValue, PyValue][], source: object): Canonical {
  const out: { [k: string]: Canonical } = { t: 'dict', ordered: isOrderedDict(source), items: entries.map(([k, v]) => [canonical(k), canonical(v)]) };
  const attrs = isOrderedDict(source) ? pyAttributes(source) : undefined;
  if (attrs !== undefined) out.attrs = canonical(attrs);
  return out;
}

export function canonical(v: PyValue): Canonical {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return num(v);
  if (typeof v === 'bigint') {
    return v >= BigInt(-Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : { t: 'bigint', v: v.toString() };
  }
  if (v instanceof PyFloat) return num(v.value);
  if (v instanceof Uint8Array) return { t: 'bytes', hex: Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex') };
  if (v instanceof PyTuple) return { t: 'tuple', items: Array.from(v, canonical) };
  if (Array.isArray(v)) return { t: 'list', items: v.map(canonical) };
  if (v instanceof Set) return { t: 'set', items: [...v].map((x) => JSON.stringify(sortKeys(canonical(x)))).sort() };
  if (v instanceof Map) return dict([...v.entries()], v);
  if (v instanceof PthTensor) {
    return {
      t: 'tensor', dtype: v.dtype, shape: [...v.array.shape], sha256: sha256(tensorBytes(v)),
      requires_grad: v.requiresGrad, parameter: v.isParameter,
    };
  }
  if (v instanceof PyObject && v.pyClass === 'torch.device') return { t: 'object', class: 'torch.device', repr: v.args.join(':') };
  if (isNdArray(v)) return array(v);
  if (isPyDict(v)) return dict(Object.entries(v), v);
  throw new TypeError(`canonical: unsupported value ${String(v)}`);
}

/** JSON.stringify with sorted keys, as Python's json.dumps(sort_keys=True) — for set items. */
function sortKeys(c: Canonical): Canonical {
  if (Array.isArray(c)) return c.map(sortKeys);
  if (c !== null && typeof c === 'object') return Object.fromEntries(Object.keys(c).sort().map((k) => [k, sortKeys(c[k])]));
  return c;
}
