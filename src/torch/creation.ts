/** Creating tensors: from data, filled, random, ranges; and the multi-tensor functions. */
import { native } from './native.js';
import { op } from './ops.js';
import { type DType, fromArrayDType, scalarTypeCode } from './dtype.js';
import { Tensor, callT, ids, type Device } from './tensor.js';
import type { NdArray, AnyTypedArray } from '../io/ndarray.js';

export interface CreateOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

const OPS = {
  empty: op('aten::empty', 'memory_format'), zeros: op('aten::zeros'), ones: op('aten::ones'), full: op('aten::full'),
  rand: op('aten::rand'), randn: op('aten::randn'), randint: op('aten::randint', 'low'), randperm: op('aten::randperm'),
  arange: op('aten::arange', 'start_step'), linspace: op('aten::linspace'), eye: op('aten::eye'),
  zerosLike: op('aten::zeros_like'), onesLike: op('aten::ones_like'), emptyLike: op('aten::empty_like'),
  cat: op('aten::cat'), stack: op('aten::stack'), einsum: op('aten::einsum'), where: op('aten::where', 'self'),
};

function finish(t: Tensor, o: CreateOptions): Tensor {
  if (o.requiresGrad) t.requiresGrad = true;
  return t;
}

function typedFor(dtype: DType, values: readonly number[]): AnyTypedArray {
  switch (dtype) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'int64': return BigInt64Array.from(values, (v) => BigInt(v));
    case 'int32': return Int32Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'int8': return Int8Array.from(values);
    case 'uint8': case 'bool': return Uint8Array.from(values, (v) => Number(v));
    default: throw new TypeError(`tensor(): cannot build ${dtype} from numbers directly; build float32 and convert with .to('${dtype}')`);
  }
}

function dtypeOfTyped(data: AnyTypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  throw new TypeError(`tensor(): cannot infer a dtype from ${data.constructor.name}; pass {dtype}`);
}

function flattenNested(data: unknown, shape: number[], out: number[], depth: number): void {
  if (Array.isArray(data)) {
    if (shape.length === depth) shape.push(data.length);
    else if (shape[depth] !== data.length) throw new RangeError(`tensor(): ragged nested array at depth ${depth} (expected length ${shape[depth]}, got ${data.length})`);
    for (const d of data) flattenNested(d, shape, out, depth + 1);
  } else if (typeof data === 'number' || typeof data === 'boolean') {
    if (depth !== shape.length) throw new RangeError('tensor(): ragged nested array');
    out.push(Number(data));
  } else {
    throw new TypeError(`tensor(): expected numbers or nested arrays, got ${typeof data}`);
  }
}

/**
 * A tensor from a typed array (+ shape), nested number arrays, or a single number. Values are
 * copied once into libtorch-owned memory. Default dtype: the typed array's, float32 for numbers.
 */
export function tensor(data: AnyTypedArray | number | readonly unknown[], shapeOrOpts?: readonly number[] | CreateOptions, maybeOpts: CreateOptions = {}): Tensor {
  const opts = Array.isArray(shapeOrOpts) ? maybeOpts : ((shapeOrOpts as CreateOptions | undefined) ?? {});
  let shape = Array.isArray(shapeOrOpts) ? [...(shapeOrOpts as number[])] : undefined;
  let typed: AnyTypedArray;
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    typed = data as AnyTypedArray;
    const rawHalf = opts.dtype === 'float16' && typed instanceof Uint16Array; // IEEE half bits
    dtype = opts.dtype ?? dtypeOfTyped(typed);
    if (!rawHalf && opts.dtype && opts.dtype !== dtypeOfTyped(typed) && !(opts.dtype === 'bool' && typed instanceof Uint8Array)) {
      throw new TypeError(`tensor(): data is ${typed.constructor.name} but dtype ${opts.dtype} was requested`);
    }
    shape ??= [typed.length];
  } else {
    const flat: number[] = [];
    const inferred: number[] = [];
    flattenNested(data, inferred, flat, 0);
    dtype = opts.dtype ?? 'float32';
    typed = typedFor(dtype, flat);
    shape ??= inferred;
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== typed.length) throw new RangeError(`tensor(): shape [${shape.join(', ')}] needs ${n} values, got ${typed.length}`);
  const id = native().fromArrayBuffer(typed.buffer, typed.byteOffset, typed.byteLength, shape, scalarTypeCode(dtype), opts.device);
  return finish(new Tensor(id), opts);
}

/** A tensor holding a copy of an NdArray's values (dtype kept; float16 stays float16). */
export function fromNdArray(arr: NdArray, opts: Omit<CreateOptions, 'dtype'> = {}): Tensor {
  const dtype = fromArrayDType(arr.dtype);
  const d = arr.data;
  const id = native().fromArrayBuffer(d.buffer, d.byteOffset, d.byteLength, arr.shape, scalarTypeCode(dtype), opts.device);
  return finish(new Tensor(id), opts);
}

function dt(o: CreateOptions): number { return scalarTypeCode(o.dtype ?? 'float32'); }

export function empty(shape: readonly number[], o: CreateOptions = {}): Tensor { return finish(callT(OPS.empty, shape, dt(o), null, o.device ?? null, null, null), o); }
export function zeros(shape: readonly number[], o: CreateOptions = {}): Tensor { return finish(callT(OPS.zeros, shape, dt(o), null, o.device ?? null, null), o); }
export function ones(shape: readonly number[], o: CreateOptions = {}): Tensor { return finish(callT(OPS.ones, shape, dt(o), null, o.device ?? null, null), o); }
export function full(shape: readonly number[], value: number, o: CreateOptions = {}): Tensor {
  return finish(callT(OPS.full, shape, { float: value }, dt(o), null, o.device ?? null, null), o);
}
/** U[0, 1) from libtorch's generator (seed with manualSeed). */
export function rand(shape: readonly number[], o: CreateOptions = {}): Tensor { return finish(callT(OPS.rand, shape, dt(o), null, o.device ?? null, null), o); }
/** N(0, 1) from libtorch's generator. */
export function randn(shape: readonly number[], o: CreateOptions = {}): Tensor { return finish(callT(OPS.randn, shape, dt(o), null, o.device ?? null, null), o); }
/** Integers in [low, high) (int64 by default), as torch.randint. */
export function randint(low: number, high: number, shape: readonly number[], o: CreateOptions = {}): Tensor {
  return finish(callT(OPS.randint, low, high, shape, scalarTypeCode(o.dtype ?? 'int64'), null, o.device ?? null, null), o);
}
export function randperm(n: number, o: CreateOptions = {}): Tensor { return callT(OPS.randperm, n, scalarTypeCode(o.dtype ?? 'int64'), null, o.device ?? null, null); }
/** [start, end) by step; int64 unless a dtype is given. */
/**
 * torch.randperm(n, generator=g) with g = torch.Generator().manual_seed(seed): PyTorch's own
 * generator and kernel, so the permutation is PyTorch's bit for bit (DistributedSampler's shuffle).
 */
export function randpermSeeded(n: number, seed: number): Tensor { return new Tensor(native().randpermSeeded(n, BigInt(seed))); }
export function arange(start: number, end?: number, step = 1, o: CreateOptions = {}): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  return finish(callT(OPS.arange, s, e, step, scalarTypeCode(o.dtype ?? 'int64'), null, o.device ?? null, null), o);
}
export function linspace(start: number, end: number, steps: number, o: CreateOptions = {}): Tensor {
  return finish(callT(OPS.linspace, { float: start }, { float: end }, steps, dt(o), null, o.device ?? null, null), o);
}
export function eye(n: number, o: CreateOptions = {}): Tensor { return finish(callT(OPS.eye, n, dt(o), null, o.device ?? null, null), o); }
export function zerosLike(t: Tensor): Tensor { return callT(OPS.zerosLike, t.id); }
export function onesLike(t: Tensor): Tensor { return callT(OPS.onesLike, t.id); }
export function emptyLike(t: Tensor): Tensor { return callT(OPS.emptyLike, t.id); }

export function cat(tensors: readonly Tensor[], dim = 0): Tensor { return callT(OPS.cat, ids(tensors), dim); }
export function stack(tensors: readonly Tensor[], dim = 0): Tensor { return callT(OPS.stack, ids(tensors), dim); }
/** torch.einsum, e.g. einsum('nkcv,kvw->nkcw', a, b). */
export function einsum(equation: string, ...operands: Tensor[]): Tensor { return callT(OPS.einsum, equation, ids(operands)); }
/** condition ? a : b, elementwise with broadcasting. */
export function where(condition: Tensor, a: Tensor, b: Tensor): Tensor { return callT(OPS.where, condition.id, a.id, b.id); }
