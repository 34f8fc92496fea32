/**
 * A plain n-dimensional array: the exchange type between file formats (npy, pickle, checkpoints),
 * the data pipelines (pure TypeScript) and the tensor engine.
 *
 * Storage conventions:
 * - always C order (readers convert Fortran-order data on load);
 * - float16 is kept as raw IEEE half bits in a Uint16Array (see float16.ts for arithmetic);
 * - int64/uint64 use BigInt64Array/BigUint64Array; bool uses Uint8Array (0/1).
 */
export type DType =
  | 'float16' | 'float32' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool';

export type TypedArrayFor<D extends DType> =
  D extends 'float16' ? Uint16Array :
  D extends 'float32' ? Float32Array :
  D extends 'float64' ? Float64Array :
  D extends 'int8' ? Int8Array :
  D extends 'uint8' ? Uint8Array :
  D extends 'int16' ? Int16Array :
  D extends 'uint16' ? Uint16Array :
  D extends 'int32' ? Int32Array :
  D extends 'uint32' ? Uint32Array :
  D extends 'int64' ? BigInt64Array :
  D extends 'uint64' ? BigUint64Array :
  D extends 'bool' ? Uint8Array : never;

export type AnyTypedArray =
  | Uint16Array | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

export interface NdArray<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: TypedArrayFor<D>;
}

interface DTypeInfo {
  readonly itemSize: number;
  readonly create: (buffer: ArrayBufferLike, byteOffset: number, length: number) => AnyTypedArray;
  readonly alloc: (length: number) => AnyTypedArray;
}

const INFO: Record<DType, DTypeInfo> = {
  float16: { itemSize: 2, create: (b, o, n) => new Uint16Array(b, o, n), alloc: (n) => new Uint16Array(n) },
  float32: { itemSize: 4, create: (b, o, n) => new Float32Array(b, o, n), alloc: (n) => new Float32Array(n) },
  float64: { itemSize: 8, create: (b, o, n) => new Float64Array(b, o, n), alloc: (n) => new Float64Array(n) },
  int8: { itemSize: 1, create: (b, o, n) => new Int8Array(b, o, n), alloc: (n) => new Int8Array(n) },
  uint8: { itemSize: 1, create: (b, o, n) => new Uint8Array(b, o, n), alloc: (n) => new Uint8Array(n) },
  int16: { itemSize: 2, create: (b, o, n) => new Int16Array(b, o, n), alloc: (n) => new Int16Array(n) },
  uint16: { itemSize: 2, create: (b, o, n) => new Uint16Array(b, o, n), alloc: (n) => new Uint16Array(n) },
  int32: { itemSize: 4, create: (b, o, n) => new Int32Array(b, o, n), alloc: (n) => new Int32Array(n) },
  uint32: { itemSize: 4, create: (b, o, n) => new Uint32Array(b, o, n), alloc: (n) => new Uint32Array(n) },
  int64: { itemSize: 8, create: (b, o, n) => new BigInt64Array(b, o, n), alloc: (n) => new BigInt64Array(n) },
  uint64: { itemSize: 8, create: (b, o, n) => new BigUint64Array(b, o, n), alloc: (n) => new BigUint64Array(n) },
  bool: { itemSize: 1, create: (b, o, n) => new Uint8Array(b, o, n), alloc: (n) => new Uint8Array(n) },
};

export const DTYPES = Object.keys(INFO) as DType[];

export function isDType(s: string): s is DType {
  return Object.prototype.hasOwnProperty.call(INFO, s);
}

/**
 * Structural NdArray test: a known dtype, a shape array and a typed-array `data`. Null-prototype
 * objects are never arrays: that is how decoded Python dicts look, whatever their keys.
 */
export function isNdArray(value: unknown): value is NdArray {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) === null) return false;
  const v = value as { dtype?: unknown; shape?: unknown; data?: unknown };
  return typeof v.dtype === 'string' && isDType(v.dtype) && Array.isArray(v.shape) && ArrayBuffer.isView(v.data);
}

export function itemSize(dtype: DType): number {
  return INFO[dtype].itemSize;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Allocates a zero-filled array. */
export function zeros<D extends DType>(dtype: D, shape: readonly number[]): NdArray<D> {
  return { dtype, shape: [...shape], data: INFO[dtype].alloc(numel(shape)) as TypedArrayFor<D> };
}

/**
 * Views little-endian bytes as a typed array of `dtype`. Copies only when the bytes are not
 * aligned to the item size (typed arrays require alignment).
 */
export function viewBytes<D extends DType>(dtype: D, bytes: Uint8Array, count: number): TypedArrayFor<D> {
  const info = INFO[dtype];
  if (bytes.byteLength < count * info.itemSize) {
    throw new RangeError(`need ${count * info.itemSize} bytes for ${count} ${dtype} values, have ${bytes.byteLength}`);
  }
  if (bytes.byteOffset % info.itemSize === 0) {
    return info.create(bytes.buffer, bytes.byteOffset, count) as TypedArrayFor<D>;
  }
  const copy = new Uint8Array(count * info.itemSize);
  copy.set(bytes.subarray(0, count * info.itemSize));
  return info.create(copy.buffer, 0, count) as TypedArrayFor<D>;
}

/** The bytes behind an array's data (a view, no copy). */
export function bytesOf(arr: NdArray): Uint8Array {
  const d = arr.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

export function ndarray<D extends DType>(dtype: D, shape: readonly number[], data: TypedArrayFor<D>): NdArray<D> {
  const n = numel(shape);
  if (data.length !== n) {
    throw new RangeError(`shape [${shape.join(', ')}] needs ${n} values, data has ${data.length}`);
  }
  return { dtype, shape: [...shape], data };
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
