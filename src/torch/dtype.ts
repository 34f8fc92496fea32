/** Tensor dtypes and their libtorch ScalarType codes (c10/core/ScalarType.h). */
import type { DType as ArrayDType } from '../io/ndarray.js';

export type DType = 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'float16' | 'float32' | 'float64' | 'bool' | 'bfloat16';

const CODES: Record<DType, number> = {
  uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4, float16: 5, float32: 6, float64: 7, bool: 11, bfloat16: 15,
};
const NAMES: Record<number, DType> = Object.fromEntries(Object.entries(CODES).map(([k, v]) => [v, k as DType]));

export function scalarTypeCode(dtype: DType): number {
  const c = CODES[dtype];
  if (c === undefined) throw new TypeError(`unknown dtype '${dtype}' (expected one of ${Object.keys(CODES).join(', ')})`);
  return c;
}

export function dtypeFromCode(code: number): DType {
  const d = NAMES[code];
  if (!d) throw new TypeError(`unsupported libtorch scalar type code ${code}`);
  return d;
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64' || dtype === 'bfloat16';
}

/** The NdArray dtype that holds a tensor dtype's values bit-for-bit (bfloat16 has none). */
export function toArrayDType(dtype: DType): ArrayDType {
  if (dtype === 'bfloat16') throw new TypeError('bfloat16 tensors cannot be exported as arrays; convert with .to("float32") first');
  return dtype;
}

/** The tensor dtype for an NdArray dtype; uint16/uint32/uint64 have no libtorch counterpart. */
export function fromArrayDType(dtype: ArrayDType, where = 'array'): DType {
  if (dtype === 'uint16' || dtype === 'uint32' || dtype === 'uint64') {
    throw new TypeError(`${where}: dtype ${dtype} has no libtorch counterpart (convert to int64 first)`);
  }
  return dtype;
}
