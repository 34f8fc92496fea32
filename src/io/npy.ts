/**
 * NumPy `.npy` files (format versions 1.0–3.0), read and written as NdArray.
 * Object arrays (pickled payloads) are refused: they would need code execution semantics.
 */
import { readFileSync } from 'node:fs';
import { type DType, type NdArray, itemSize, numel, viewBytes, bytesOf, shapeString } from './ndarray.js';
import { writeFileAtomic } from './atomic.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR_TO_DTYPE: Record<string, DType> = {
  '<f2': 'float16', '<f4': 'float32', '<f8': 'float64',
  '|i1': 'int8', '|u1': 'uint8', '<i2': 'int16', '<u2': 'uint16',
  '<i4': 'int32', '<u4': 'uint32', '<i8': 'int64', '<u8': 'uint64', '|b1': 'bool',
};
const DTYPE_TO_DESCR = Object.fromEntries(Object.entries(DESCR_TO_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;

/** numpy's descr string for a dtype (little-endian), e.g. `<f4`. */
export function numpyDescr(dtype: DType): string {
  return DTYPE_TO_DESCR[dtype];
}

/** Parses a numpy dtype string (`<f4`, `float32`, `|b1`, `=i8`, ...) into a DType. */
export function parseNumpyDescr(descr: string, where: string): DType {
  let d = descr;
  if (d.startsWith('=')) d = '<' + d.slice(1); // native order; every supported host is little-endian
  if (/^[<|]/.test(d) && itemSizeOfDescr(d) === 1) d = '|' + d.slice(1);
  const dt = DESCR_TO_DTYPE[d];
  if (dt) return dt;
  if (d.startsWith('>')) throw new Error(`${where}: big-endian dtype '${descr}' is not supported`);
  throw new Error(`${where}: unsupported dtype '${descr}' (expected a numeric or bool dtype such as '<f4')`);
}

function itemSizeOfDescr(d: string): number {
  return Number(d.slice(2)) || 0;
}

/** Reorders Fortran-order (column-major) data into C order. */
export function fortranToC(arr: NdArray): NdArray {
  const shape = arr.shape;
  const nd = shape.length;
  if (nd < 2) return arr;
  const n = numel(shape);
  const out = new (arr.data.constructor as new (n: number) => typeof arr.data)(n);
  const idx = new Array<number>(nd).fill(0);
  // Fortran strides (in elements).
  const fstride = new Array<number>(nd);
  let s = 1;
  for (let i = 0; i < nd; i++) { fstride[i] = s; s *= shape[i]; }
  const src = arr.data as unknown as { [i: number]: number | bigint };
  const dst = out as unknown as { [i: number]: number | bigint };
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let i = 0; i < nd; i++) f += idx[i] * fstride[i];
    dst[c] = src[f];
    for (let i = nd - 1; i >= 0; i--) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
  return { dtype: arr.dtype, shape: [...shape], data: out } as NdArray;
}

/** Parses a .npy file's bytes. `where` names the source in error messages. */
export function parseNpy(buf: Uint8Array, where = '<npy>'): NdArray {
  for (let i = 0; i < MAGIC.length; i++) {
    if (buf[i] !== MAGIC[i]) throw new Error(`${where}: not a .npy file (bad magic)`);
  }
  if (buf.byteLength < 10) throw new Error(`${where}: truncated .npy header (${buf.byteLength} bytes)`);
  const major = buf[6];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) { headerLen = dv.getUint16(8, true); headerStart = 10; }
  else if ((major === 2 || major === 3) && buf.byteLength >= 12) { headerLen = dv.getUint32(8, true); headerStart = 12; }
  else if (major === 2 || major === 3) throw new Error(`${where}: truncated .npy header (${buf.byteLength} bytes)`);
  else throw new Error(`${where}: unsupported .npy version ${major}`);
  if (headerStart + headerLen > buf.byteLength) throw new Error(`${where}: truncated .npy header`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${where}: malformed .npy header: ${header.trim()}`);
  }
  const dtype = parseNumpyDescr(descr, where);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${where}: bad shape (${shapeText})`);
  const count = numel(shape);
  const dataStart = headerStart + headerLen;
  const need = count * itemSize(dtype);
  if (buf.byteLength - dataStart < need) {
    throw new Error(`${where}: truncated .npy data: shape ${shapeString(shape)} ${dtype} needs ${need} bytes, file has ${buf.byteLength - dataStart}`);
  }
  const data = viewBytes(dtype, buf.subarray(dataStart), count);
  const arr = { dtype, shape, data } as NdArray;
  return fortran === 'True' ? fortranToC(arr) : arr;
}

export function readNpy(path: string): NdArray {
  return parseNpy(readFileSync(path), path);
}

/** Serialises an array as .npy version 1.0 (C order, little-endian). */
export function encodeNpy(arr: NdArray): Uint8Array {
  const shapeText = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let header = `{'descr': '${numpyDescr(arr.dtype)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + arr.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(bytesOf(arr), 10 + header.length);
  return out;
}

export function writeNpy(path: string, arr: NdArray): void {
  writeFileAtomic(path, encodeNpy(arr));
}
