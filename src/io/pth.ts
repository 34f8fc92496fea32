/**
 * PyTorch checkpoints (`torch.save` zip format, as written by torch ≥ 1.6 and read by torch.load)
 * at the NdArray level: tensors become `PthTensor`s around C-contiguous NdArrays.
 *
 * Layout of a checkpoint archive `<name>/`:
 *   data.pkl     pickle of the saved object; each tensor is
 *                torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
 *                where `storage` is a persistent id ('storage', torch.<T>Storage, key, location, numel)
 *   data/<key>   raw little-endian storage bytes
 *   version      "3\n"
 * The legacy (pre-1.6, non-zip) format and TorchScript archives are refused with a clear message.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { type AnyTypedArray, type DType, type NdArray, bytesOf, itemSize, numel, shapeString, viewBytes } from './ndarray.js';
import {
  BUILTIN_GLOBALS, NUMPY_GLOBALS, PyGlobal, PyInstance, PyObject, PyTuple, combinePolicies, describePyValue, dumpPickleChunks,
  loadPickle, markOrderedDict, type GlobalBinding, type GlobalsPolicy, type PyReduce, type PyValue,
} from './pickle/index.js';
import { ZipReader, writeZipFile } from './zip.js';

/** Element types of PyTorch tensors this module handles: NdArray's dtypes plus bfloat16. */
export type TorchDType = DType | 'bfloat16';

/** `torch.<Name>` storage classes → element type (the legacy typed-storage names torch still pickles). */
const STORAGE_DTYPES: Readonly<Record<string, TorchDType>> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8',
  ByteStorage: 'uint8', BoolStorage: 'bool',
};
const STORAGE_NAME_OF = Object.fromEntries(Object.entries(STORAGE_DTYPES).map(([name, dt]) => [dt, name])) as Record<TorchDType, string>;
/** Untyped storages (torch 2.x, raw bytes). */
const UNTYPED_STORAGES = ['torch.UntypedStorage', 'torch.storage.UntypedStorage'];
/** torch dtypes that may appear as plain values (e.g. in `meta`). */
const TORCH_DTYPE_NAMES = [
  'float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool',
  'float', 'double', 'half', 'long', 'int', 'short',
];

/**
 * A tensor from a checkpoint. `array` is C-contiguous; for bfloat16 tensors it holds the exactly
 * widened float32 values (`dtype` stays 'bfloat16' and writing narrows them back).
 */
export class PthTensor extends PyInstance {
  readonly pyClass: string;
  readonly dtype: TorchDType;
  readonly requiresGrad: boolean;
  /** A `torch.nn.Parameter` (written back through `_rebuild_parameter`). */
  readonly isParameter: boolean;

  constructor(readonly array: NdArray, options: { requiresGrad?: boolean; isParameter?: boolean; dtype?: TorchDType } = {}) {
    super();
    this.dtype = options.dtype ?? array.dtype;
    if (this.dtype === 'bfloat16' ? array.dtype !== 'float32' : this.dtype !== array.dtype) {
      throw new Error(`PthTensor: a ${this.dtype} tensor cannot hold a ${array.dtype} array`);
    }
    this.requiresGrad = options.requiresGrad ?? false;
    this.isParameter = options.isParameter ?? false;
    this.pyClass = this.isParameter ? 'torch.nn.parameter.Parameter' : 'torch.Tensor';
  }
}

/** A loaded storage: the elements of `data/<key>` (bfloat16 already widened to float32). */
export class PthStorage extends PyInstance {
  readonly pyClass = 'torch.storage.TypedStorage';
  constructor(readonly key: string, readonly dtype: TorchDType, readonly data: AnyTypedArray) {
    super();
  }
}

function arrayDType(dtype: TorchDType): DType {
  return dtype === 'bfloat16' ? 'float32' : dtype;
}

function int(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Error(`${what} must be a non-negative int, got ${describePyValue(value)}`);
  return value;
}

function intTuple(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw new Error(`${what} must be a tuple, got ${describePyValue(value)}`);
  return Array.from(value, (v, i) => int(v, `${what}[${i}]`));
}

/** Copies the strided view (offset, size, stride) of `src` into a new C-contiguous array. */
function gather(src: AnyTypedArray, offset: number, size: number[], stride: number[], count: number): AnyTypedArray {
  const out = new (src.constructor as new (n: number) => AnyTypedArray)(count);
  const o = out as unknown as { [i: number]: number | bigint };
  const s = src as unknown as { [i: number]: number | bigint };
  const nd = size.length;
  const index = new Array<number>(nd).fill(0);
  const inner = size[nd - 1];
  const innerStride = stride[nd - 1];
  let base = offset;
  for (let k = 0; k < count; k += inner) {
    for (let j = 0; j < inner; j++) o[k + j] = s[base + j * innerStride];
    for (let d = nd - 2; d >= 0; d--) {
      base += stride[d];
      if (++index[d] < size[d]) break;
      base -= stride[d] * size[d];
      index[d] = 0;
    }
  }
  return out;
}

/** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
function rebuildTensor(args: readonly unknown[]): PthTensor {
  const what = '_rebuild_tensor_v2';
  if (args.length < 4) throw new Error(`${what}: expected at least (storage, offset, size, stride), got ${args.length} arguments`);
  const [storage, offsetArg, sizeArg, strideArg, requiresGrad] = args;
  if (!(storage instanceof PthStorage)) throw new Error(`${what}: first argument must be a storage, got ${describePyValue(storage)}`);
  const offset = int(offsetArg, `${what}: storage_offset`);
  const size = intTuple(sizeArg, `${what}: size`);
  const stride = intTuple(strideArg, `${what}: stride`);
  if (stride.length !== size.length) throw new Error(`${what}: size ${shapeString(size)} and stride ${shapeString(stride)} differ in length`);
  const count = numel(size);
  let last = offset;
  for (let d = 0; d < size.length; d++) last += (size[d] - 1) * stride[d];
  if (count > 0 && last >= storage.data.length) {
    throw new Error(`${what}: tensor ${shapeString(size)} (offset ${offset}, stride ${shapeString(stride)}) reaches element ${last} of a ${storage.data.length}-element storage`);
  }
  let contiguous = true;
  for (let d = size.length - 1, expect = 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expect) contiguous = false;
    expect *= size[d];
  }
  const data = count === 0 ? storage.data.subarray(0, 0)
    : contiguous ? storage.data.subarray(offset, offset + count)
    : gather(storage.data, offset, size, stride, count);
  const array = { dtype: arrayDType(storage.dtype), shape: size, data } as NdArray;
  return new PthTensor(array, { requiresGrad: requiresGrad === true, dtype: storage.dtype });
}

/** `_rebuild_parameter(data, requires_grad, backward_hooks)` (and torch 2.x's `..._with_state`, state dropped). */
function rebuildParameter(args: readonly unknown[]): PthTensor {
  const [data, requiresGrad] = args;
  if (!(data instanceof PthTensor)) throw new Error(`_rebuild_parameter: expected a tensor, got ${describePyValue(data)}`);
  return new PthTensor(data.array, { requiresGrad: requiresGrad === true, isParameter: true, dtype: data.dtype });
}

const VALUE_ONLY: GlobalBinding = {};

const TORCH_GLOBALS: GlobalsPolicy = {
  name: 'torch',
  bindings: {
    'torch._utils._rebuild_tensor_v2': { call: rebuildTensor },
    'torch._utils._rebuild_parameter': { call: rebuildParameter },
    'torch._utils._rebuild_parameter_with_state': { call: rebuildParameter },
    'torch.device': { call: (args) => new PyObject('torch.device', PyTuple.fromItems(args as PyValue[])) },
    'torch.Size': {
      call: (args) => {
        if (!Array.isArray(args[0])) throw new Error(`torch.Size: expected a list of ints, got ${describePyValue(args[0])}`);
        return PyTuple.fromItems(args[0]);
      },
    },
    ...Object.fromEntries(Object.keys(STORAGE_DTYPES).map((name) => [`torch.${name}`, VALUE_ONLY])),
    ...Object.fromEntries(UNTYPED_STORAGES.map((name) => [name, VALUE_ONLY])),
    ...Object.fromEntries(TORCH_DTYPE_NAMES.map((name) => [`torch.${name}`, VALUE_ONLY])),
  },
};

/** For checkpoints: tensors, parameters, OrderedDict state dicts, and numpy values in `meta`. */
export const CHECKPOINT_GLOBALS: GlobalsPolicy = combinePolicies('CHECKPOINT_GLOBALS', BUILTIN_GLOBALS, NUMPY_GLOBALS, TORCH_GLOBALS);

function storageDType(type: unknown, what: string): TorchDType {
  if (type instanceof PyGlobal) {
    if (UNTYPED_STORAGES.includes(type.pyClass)) return 'uint8';
    if (type.module === 'torch' && Object.prototype.hasOwnProperty.call(STORAGE_DTYPES, type.qualname)) return STORAGE_DTYPES[type.qualname];
  }
  throw new Error(`${what}: unsupported storage type ${describePyValue(type)}`);
}

/** bfloat16 bits → float32 (exact: bfloat16 is the upper half of a float32). */
function widenBFloat16(bits: Uint16Array): Float32Array {
  const wide = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) wide[i] = bits[i] << 16;
  return new Float32Array(wide.buffer);
}

/** float32 → bfloat16 bits, rounding to nearest even (NaN stays NaN). */
function narrowBFloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const b = bits[i];
    out[i] = Number.isNaN(values[i]) ? (b >>> 16) | 0x40 : (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

export interface PthFile {
  /** The unpickled object; tensors are PthTensor. */
  readonly value: PyValue;
  /** The archive's top folder (`archive` for files written by torch ≥ 1.13 / writePth). */
  readonly archiveName: string;
  /** Contents of `<name>/version`, trimmed. */
  readonly version: string;
}

function checkFormat(path: string): void {
  const head = new Uint8Array(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x50 && head[1] === 0x4b) return;
  if (head[0] === 0x80) {
    throw new Error(`${path}: legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with a recent torch.save`);
  }
  throw new Error(`${path}: not a PyTorch checkpoint (expected a zip archive)`);
}

/** Reads a `torch.save` zip checkpoint. Tensors are materialised as C-contiguous NdArrays. */
export function readPth(path: string): PthFile {
  checkFormat(path);
  return readArchive(ZipReader.open(path), path);
}

/** `readPth` for a checkpoint already in memory; `source` names it in errors. */
export function parsePth(bytes: Uint8Array, source = '<pth bytes>'): PthFile {
  return readArchive(ZipReader.fromBytes(bytes, source), source);
}

function readArchive(zip: ZipReader, path: string): PthFile {
  try {
    const pickles = zip.names().filter((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (zip.names().some((n) => /^[^/]+\/(constants\.pkl|code\/)/.test(n))) {
      throw new Error(`${path}: a TorchScript archive (torch.jit.save), not a torch.save checkpoint`);
    }
    if (pickles.length !== 1) throw new Error(`${path}: expected exactly one <name>/data.pkl entry, found ${pickles.length}`);
    const archiveName = pickles[0].slice(0, pickles[0].indexOf('/'));
    const byteOrder = zip.entries.has(`${archiveName}/byteorder`) ? Buffer.from(zip.read(`${archiveName}/byteorder`)).toString('latin1') : 'little';
    if (byteOrder !== 'little') throw new Error(`${path}: ${byteOrder}-endian checkpoints are not supported`);
    const versionEntry = [`${archiveName}/version`, `${archiveName}/.data/version`].find((n) => zip.entries.has(n));
    const version = versionEntry === undefined ? '' : Buffer.from(zip.read(versionEntry)).toString('latin1').trim();

    const storages = new Map<string, PthStorage>();
    const persistentLoad = (pid: PyValue): PyValue => {
      const what = 'persistent id';
      if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') {
        throw new Error(`${what}: expected ('storage', type, key, location, numel), got ${describePyValue(pid)}`);
      }
      const key = pid[2];
      if (typeof key !== 'string') throw new Error(`${what}: storage key must be a str, got ${describePyValue(key)}`);
      let storage = storages.get(key);
      if (storage === undefined) {
        const dtype = storageDType(pid[1], what);
        const count = int(pid[4], `${what}: numel`);
        const entry = `${archiveName}/data/${key}`;
        const bytes = zip.read(entry);
        const stored = dtype === 'bfloat16' ? 'uint16' : dtype;
        if (bytes.length !== count * itemSize(stored)) {
          throw new Error(`${path}: ${entry} has ${bytes.length} bytes, expected ${count} ${dtype} elements`);
        }
        const raw = viewBytes(stored, bytes, count);
        storage = new PthStorage(key, dtype, dtype === 'bfloat16' ? widenBFloat16(raw as Uint16Array) : raw);
        storages.set(key, storage);
      }
      return storage;
    };
    const value = loadPickle(zip.read(pickles[0]), { globals: CHECKPOINT_GLOBALS, persistentLoad, source: `${path}:${pickles[0]}` });
    return { value, archiveName, version };
  } finally {
    zip.close();
  }
}

/** A storage to be written: the bytes of one NdArray. */
class StorageRef extends PyInstance {
  readonly pyClass = 'torch.storage.TypedStorage';
  constructor(readonly key: string, readonly dtype: TorchDType, readonly bytes: Uint8Array, readonly count: number) {
    super();
  }
}

function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

export interface WritePthOptions {
  /** Top folder inside the zip (torch 1.13 and later use 'archive'). */
  readonly archiveName?: string;
}

/**
 * Writes `value` (PyValues with PthTensors) as a torch.save zip checkpoint that torch.load reads:
 * pickle protocol 2, one storage per distinct NdArray, entries aligned to 64 bytes, atomically.
 */
export function writePth(path: string, value: PyValue, options: WritePthOptions = {}): void {
  const archiveName = options.archiveName ?? 'archive';
  const storages = new Map<NdArray, StorageRef>();
  const storageOf = (t: PthTensor): StorageRef => {
    let ref = storages.get(t.array);
    if (ref === undefined) {
      const bytes = t.dtype === 'bfloat16' ? new Uint8Array(narrowBFloat16(t.array.data as Float32Array).buffer) : bytesOf(t.array);
      ref = new StorageRef(String(storages.size), t.dtype, bytes, t.array.data.length);
      storages.set(t.array, ref);
    }
    return ref;
  };
  const reduceOverride = (v: PyValue): PyReduce | undefined => {
    if (!(v instanceof PthTensor)) return undefined;
    const hooks = markOrderedDict(Object.create(null) as Record<string, PyValue>);
    if (v.isParameter) {
      return { callable: 'torch._utils._rebuild_parameter', args: [new PthTensor(v.array, { dtype: v.dtype }), v.requiresGrad, hooks] };
    }
    const args = [storageOf(v), 0, PyTuple.fromItems(v.array.shape), PyTuple.fromItems(contiguousStrides(v.array.shape)), v.requiresGrad, hooks];
    return { callable: 'torch._utils._rebuild_tensor_v2', args };
  };
  const persistentId = (v: PyValue): PyValue | undefined => {
    if (!(v instanceof StorageRef)) return undefined;
    return PyTuple.fromItems<PyValue>(['storage', new PyGlobal('torch', STORAGE_NAME_OF[v.dtype]), v.key, 'cpu', v.count]);
  };
  const pickle = dumpPickleChunks(value, { protocol: 2, reduceOverride, persistentId });
  const refs = [...storages.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // torch's order
  writeZipFile(path, [
    { name: `${archiveName}/data.pkl`, data: pickle },
    ...refs.map((r) => ({ name: `${archiveName}/data/${r.key}`, data: r.bytes })),
    { name: `${archiveName}/version`, data: Buffer.from('3\n') },
  ]);
}
