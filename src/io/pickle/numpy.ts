/**
 * numpy objects inside pickles, rebuilt without numpy: arrays (`_reconstruct` + `__setstate__`,
 * protocol-5 `_frombuffer`), scalars and dtypes. Data bytes are viewed, not copied, when aligned.
 */
import { type DType, type NdArray, itemSize, numel, shapeString, viewBytes } from '../ndarray.js';
import { fortranToC, numpyDescr, parseNumpyDescr } from '../npy.js';
import { encodeLatin1 } from './text.js';
import { PyGlobal, PyObject, PyTuple, type PyValue, describePyValue } from './values.js';

export const NUMPY_DTYPE = 'numpy.dtype';
export const NUMPY_NDARRAY = 'numpy.ndarray';

/** The `numpy.dtype(descr, align, copy)` recipe numpy pickles for a dtype, with its BUILD state. */
export function numpyDTypeObject(dtype: DType): PyObject {
  const descr = numpyDescr(dtype); // e.g. '<f4', '|u1'
  const obj = new PyObject(NUMPY_DTYPE, PyTuple.fromItems<PyValue>([descr.slice(1), false, true]));
  // (version, byteorder, subarray, names, fields, elsize, alignment, flags) as numpy 1.x writes it.
  obj.state = PyTuple.fromItems<PyValue>([3, descr[0], null, null, null, -1, -1, 0]);
  return obj;
}

/** Interprets a pickled `numpy.dtype` object (args ('f4', False, True), state (3, '<', ...)). */
export function dtypeFromPickle(value: unknown, what: string): DType {
  if (!(value instanceof PyObject) || value.pyClass !== NUMPY_DTYPE) {
    throw new Error(`${what}: expected a numpy.dtype, got ${describePyValue(value)}`);
  }
  const descr = value.args[0];
  if (typeof descr !== 'string') throw new Error(`${what}: numpy.dtype descriptor must be a str, got ${describePyValue(descr)}`);
  const state = value.state;
  const order = state instanceof PyTuple && typeof state[1] === 'string' ? state[1] : '<';
  if (descr.startsWith('O')) throw new Error(`${what}: object arrays (dtype '${descr}') hold pickled Python objects and are not supported`);
  return parseNumpyDescr(order === '|' ? `<${descr}` : `${order}${descr}`, what);
}

function shapeFromPickle(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw new Error(`${what}: shape must be a tuple, got ${describePyValue(value)}`);
  return Array.from(value, (d) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new Error(`${what}: bad dimension ${String(d)} in shape`);
    return d;
  });
}

/** Raw array bytes: bytes, bytearray, or a latin-1 str (Python 2 pickles read with encoding='latin1'). */
function rawBytes(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encodeLatin1(value, what);
  if (Array.isArray(value)) throw new Error(`${what}: array data is a list of Python objects (object dtype), not supported`);
  throw new Error(`${what}: array data must be bytes, got ${describePyValue(value)}`);
}

/** An NdArray over `bytes` (viewed when aligned), validating the byte count; Fortran order is reordered to C. */
export function arrayFromBytes(dtype: DType, shape: number[], bytes: Uint8Array, fortran: boolean, what: string): NdArray {
  const count = numel(shape);
  const need = count * itemSize(dtype);
  if (bytes.length !== need) {
    throw new Error(`${what}: ${dtype} array of shape ${shapeString(shape)} needs ${need} bytes, data has ${bytes.length}`);
  }
  const arr = { dtype, shape, data: viewBytes(dtype, bytes, count) } as NdArray;
  return fortran ? fortranToC(arr) : arr;
}

type MutableNdArray = { -readonly [K in keyof NdArray]: NdArray[K] };

/** The data of every array that `_reconstruct` made and BUILD has not filled yet. */
const PLACEHOLDER_DATA = new Int8Array(0);

/**
 * `_reconstruct(ndarray, (0,), b'b')`: numpy's empty int8 placeholder, which BUILD then fills in
 * place (the memo already holds it, so it must stay the same object). Only plain ndarrays.
 */
export function reconstructArray(args: readonly unknown[]): NdArray {
  const subtype = args[0];
  if (!(subtype instanceof PyGlobal) || subtype.pyClass !== NUMPY_NDARRAY) {
    throw new Error(`_reconstruct: only numpy.ndarray can be rebuilt, got ${describePyValue(subtype)}`);
  }
  return { dtype: 'int8', shape: [0], data: PLACEHOLDER_DATA };
}

/** An array from `_reconstruct` still waiting for its BUILD. */
export function isArrayPlaceholder(value: unknown): value is NdArray {
  return typeof value === 'object' && value !== null && (value as Partial<NdArray>).data === PLACEHOLDER_DATA;
}

/** ndarray.__setstate__((version, shape, dtype, is_fortran, data)) (the version may be missing), in place. */
export function setArrayState(placeholder: NdArray, state: unknown): void {
  const what = 'ndarray.__setstate__';
  if (!(state instanceof PyTuple) || (state.length !== 5 && state.length !== 4)) {
    throw new Error(`${what}: state must be a (version, shape, dtype, is_fortran, data) tuple, got ${describePyValue(state)}`);
  }
  const offset = state.length - 4;
  const fortran = state[offset + 2];
  if (typeof fortran !== 'boolean' && fortran !== 0 && fortran !== 1) {
    throw new Error(`${what}: is_fortran must be a bool, got ${describePyValue(fortran)}`);
  }
  const shape = shapeFromPickle(state[offset], what);
  const filled = arrayFromBytes(dtypeFromPickle(state[offset + 1], what), shape, rawBytes(state[offset + 3], what), Boolean(fortran) && shape.length > 1, what);
  const target = placeholder as MutableNdArray;
  target.dtype = filled.dtype;
  target.shape = filled.shape;
  target.data = filled.data;
}

/** `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)` (protocol 5, in-band buffers). */
export function arrayFromBuffer(args: readonly unknown[]): NdArray {
  const what = '_frombuffer';
  if (args.length !== 4) throw new Error(`${what}: expected (buffer, dtype, shape, order), got ${args.length} arguments`);
  const [buffer, dtype, shape, order] = args;
  if (!(buffer instanceof Uint8Array)) throw new Error(`${what}: buffer must be bytes, got ${describePyValue(buffer)}`);
  if (order !== 'C' && order !== 'F') throw new Error(`${what}: order must be 'C' or 'F', got ${describePyValue(order)}`);
  const shp = shapeFromPickle(shape, what);
  return arrayFromBytes(dtypeFromPickle(dtype, what), shp, buffer, order === 'F' && shp.length > 1, what);
}

/** `numpy.core.multiarray.scalar(dtype, bytes)`: a numpy scalar, as a 0-d NdArray. */
export function scalarFromPickle(args: readonly unknown[]): NdArray {
  const what = 'numpy scalar';
  if (args.length !== 2) throw new Error(`${what}: expected (dtype, data), got ${args.length} arguments`);
  return arrayFromBytes(dtypeFromPickle(args[0], what), [], rawBytes(args[1], what), false, what);
}
