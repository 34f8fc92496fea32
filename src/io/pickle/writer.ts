/**
 * The pickler: writes the value model of values.ts as protocol 2 (what mmcv.dump and
 * torch.save write) or protocol 4 (framed, bytes stored directly). numpy arrays are written the
 * way numpy pickles them, so Python reads them back as ndarrays. Output is a list of chunks; large
 * array payloads are referenced, not copied, so a multi-GB value is never concatenated needlessly.
 */
import { type DType, type NdArray, bytesOf } from '../ndarray.js';
import { writeFileAtomic } from '../atomic.js';
import { OP } from './opcodes.js';
import { numpyDTypeObject } from './numpy.js';
import { encodeUtf8 } from './text.js';
import { PyFloat, PyGlobal, PyInstance, PyObject, PyTuple, type PyDict, type PyValue, describePyValue, isOrderedDict, isPyDict, pyAttributes } from './values.js';
import { isNdArray } from '../ndarray.js';

/** `callable(*args)`, then BUILD with `state` when given: how reduceOverride says to write a value. */
export interface PyReduce {
  /** `module.qualname`; the qualname is the part after the last dot. */
  readonly callable: string;
  readonly args: readonly PyValue[];
  readonly state?: PyValue;
}

export interface DumpOptions {
  /** 2 (default: what mmcv.dump and torch.save write) or 4. */
  readonly protocol?: 2 | 4;
  /** Python's `persistent_id`: a result other than undefined is written as that persistent id. */
  readonly persistentId?: (value: PyValue) => PyValue | undefined;
  /** Python's `reducer_override`: how to write objects the value model does not cover (e.g. tensors). */
  readonly reduceOverride?: (value: PyValue) => PyReduce | undefined;
}

const FRAME_SIZE_TARGET = 64 * 1024;
const BATCH_SIZE = 1000;
/** Python's default recursion limit; the writer recurses per nesting level, so this also guards the JS stack. */
const MAX_DEPTH = 1000;
/** numpy 1.x names: numpy 2 still resolves them, numpy 1.24 (the reference environment) needs them. */
const NUMPY_RECONSTRUCT = ['numpy.core.multiarray', '_reconstruct'] as const;
const NUMPY_NDARRAY_CLASS = ['numpy', 'ndarray'] as const;

/** Accumulates small opcodes; with framing (protocol 4) groups them into FRAMEs like CPython. */
class OutputChunks {
  readonly chunks: Uint8Array[] = [];
  private buf = new Uint8Array(2 * FRAME_SIZE_TARGET);
  private pos = 0;
  framing = false;

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.makeRoom(1);
    this.buf[this.pos++] = b;
  }

  bytes(data: Uint8Array): void {
    if (this.pos + data.length > this.buf.length) this.makeRoom(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  u16(n: number): void { this.byte(n & 0xff); this.byte(n >>> 8); }
  u32(n: number): void { for (let i = 0; i < 4; i++) this.byte(Math.floor(n / 2 ** (8 * i)) & 0xff); }
  u64(n: number): void { this.u32(n % 2 ** 32); this.u32(Math.floor(n / 2 ** 32)); }

  /** Opcode + length header, then a payload that is referenced rather than copied when large. */
  payload(writeHeader: () => void, data: Uint8Array): void {
    if (data.length < FRAME_SIZE_TARGET) {
      writeHeader();
      this.bytes(data);
      return;
    }
    // CPython writes large payloads outside frames so readers can read them in place.
    this.commit();
    const wasFraming = this.framing;
    this.framing = false;
    writeHeader();
    this.commit();
    this.framing = wasFraming;
    this.chunks.push(data);
  }

  /** Called between opcodes: closes the current frame once it is big enough. */
  boundary(): void {
    if (this.framing && this.pos >= FRAME_SIZE_TARGET) this.commit();
  }

  commit(): void {
    if (this.pos === 0) return;
    if (this.framing) {
      const header = new Uint8Array(9);
      header[0] = OP.FRAME;
      new DataView(header.buffer).setBigUint64(1, BigInt(this.pos), true);
      this.chunks.push(header);
    }
    this.chunks.push(this.buf.slice(0, this.pos));
    this.pos = 0;
  }

  private makeRoom(n: number): void {
    if (!this.framing) {
      this.commit();
      if (n <= this.buf.length) return;
    }
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
}

class Pickler {
  private readonly out = new OutputChunks();
  /** Objects by identity, strings by value → memo index. */
  private readonly memo = new Map<unknown, number>();
  /** Globals by `module.qualname` → memo index (same index space as `memo`). */
  private readonly globalsMemo = new Map<string, number>();
  private memoCount = 0;
  private readonly dtypeObjects = new Map<string, PyObject>();
  private readonly path: string[] = [];

  constructor(private readonly protocol: 2 | 4, private readonly options: DumpOptions) {}

  dump(value: PyValue): Uint8Array[] {
    this.out.byte(OP.PROTO);
    this.out.byte(this.protocol);
    this.out.commit();
    this.out.framing = this.protocol >= 4;
    this.save(value, true);
    this.out.byte(OP.STOP);
    this.out.commit();
    return this.out.chunks;
  }

  private fail(message: string): never {
    throw new Error(`cannot pickle ${this.path.length ? `value at ${this.path.join('')}` : 'value'}: ${message}`);
  }

  private save(value: PyValue, applyHooks: boolean): void {
    this.out.boundary();
    if (this.path.length > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    if (value === null) return this.out.byte(OP.NONE);
    switch (typeof value) {
      case 'boolean': return this.out.byte(value ? OP.NEWTRUE : OP.NEWFALSE);
      case 'number': return this.saveNumber(value);
      case 'bigint': return this.saveLong(value);
      case 'string': return this.saveString(value);
      case 'object': break;
      default: return this.fail(`${typeof value} has no Python equivalent`);
    }
    const memoIndex = this.memo.get(value);
    if (memoIndex !== undefined) return this.memoGet(memoIndex);
    if (applyHooks && this.options.persistentId) {
      const pid = this.options.persistentId(value);
      if (pid !== undefined) {
        this.save(pid, false);
        return this.out.byte(OP.BINPERSID);
      }
    }
    if (applyHooks && this.options.reduceOverride) {
      const reduce = this.options.reduceOverride(value);
      if (reduce !== undefined) return this.saveReduce(reduce.callable, reduce.args, value, reduce.state);
    }
    if (value instanceof PyFloat) return this.saveFloat(value.value);
    if (value instanceof Uint8Array) return this.saveBytes(value);
    if (value instanceof PyTuple) return this.saveTuple(value);
    if (Array.isArray(value)) return this.saveList(value);
    if (value instanceof Set) return this.saveSet(value);
    if (value instanceof Map) return this.saveDict(value, [...value.entries()]);
    if (value instanceof PyGlobal) return this.saveGlobal(value.module, value.qualname);
    if (value instanceof PyObject) return this.saveReduce(value.pyClass, value.args, value, value.state);
    if (value instanceof PyInstance) return this.fail(`${value.pyClass} objects need a reduceOverride or persistentId hook`);
    if (isNdArray(value)) return this.saveNdArray(value);
    if (isPyDict(value)) return this.saveDict(value, Object.entries(value));
    return this.fail(`${describePyValue(value)} has no Python equivalent`);
  }

  /** Emits a memo put for the value just written; returns its index. */
  private memoPut(): number {
    const index = this.memoCount++;
    if (this.protocol >= 4) {
      this.out.byte(OP.MEMOIZE);
    } else if (index < 256) {
      this.out.byte(OP.BINPUT);
      this.out.byte(index);
    } else {
      this.out.byte(OP.LONG_BINPUT);
      this.out.u32(index);
    }
    return index;
  }

  private memoize(value: unknown): void {
    this.memo.set(value, this.memoPut());
  }

  private memoGet(index: number): void {
    if (index < 256) {
      this.out.byte(OP.BINGET);
      this.out.byte(index);
    } else {
      this.out.byte(OP.LONG_BINGET);
      this.out.u32(index);
    }
  }

  /** Safe integers are Python ints; everything else (fractions, -0, beyond 2^53: ints there are bigints) is a float. */
  private saveNumber(n: number): void {
    if (!Number.isSafeInteger(n) || Object.is(n, -0)) return this.saveFloat(n);
    if (n >= 0 && n < 256) {
      this.out.byte(OP.BININT1);
      this.out.byte(n);
    } else if (n >= 0 && n < 65536) {
      this.out.byte(OP.BININT2);
      this.out.u16(n);
    } else if (n >= -(2 ** 31) && n < 2 ** 31) {
      this.out.byte(OP.BININT);
      this.out.u32(n >>> 0);
    } else {
      this.saveLong(BigInt(n));
    }
  }


  private saveFloat(n: number): void {
    const b = new Uint8Array(9);
    b[0] = OP.BINFLOAT;
    new DataView(b.buffer).setFloat64(1, n, false);
    this.out.bytes(b);
  }

  /** LONG1/LONG4 with CPython's encode_long: little-endian two's complement, minimal length. */
  private saveLong(n: bigint): void {
    let bytes = new Uint8Array(0);
    if (n !== 0n) {
      const bitLength = (n < 0n ? -n : n).toString(2).length;
      const count = (bitLength >> 3) + 1;
      const unsigned = n < 0n ? (1n << BigInt(8 * count)) + n : n;
      bytes = Uint8Array.from(Buffer.from(unsigned.toString(16).padStart(2 * count, '0'), 'hex').reverse());
      if (n < 0n && count > 1 && bytes[count - 1] === 0xff && (bytes[count - 2] & 0x80) !== 0) bytes = bytes.subarray(0, count - 1);
    }
    if (bytes.length < 256) {
      this.out.byte(OP.LONG1);
      this.out.byte(bytes.length);
    } else {
      this.out.byte(OP.LONG4);
      this.out.u32(bytes.length);
    }
    this.out.bytes(bytes);
  }

  private saveString(s: string): void {
    const memoIndex = this.memo.get(s);
    if (memoIndex !== undefined) return this.memoGet(memoIndex);
    this.writeUnicode(encodeUtf8(s));
    this.memoize(s);
  }

  private writeUnicode(utf8: Uint8Array): void {
    this.out.payload(() => {
      if (this.protocol >= 4 && utf8.length < 256) {
        this.out.byte(OP.SHORT_BINUNICODE);
        this.out.byte(utf8.length);
      } else if (utf8.length < 2 ** 32) {
        this.out.byte(OP.BINUNICODE);
        this.out.u32(utf8.length);
      } else if (this.protocol >= 4) {
        this.out.byte(OP.BINUNICODE8);
        this.out.u64(utf8.length);
      } else {
        this.fail('str longer than 4 GiB needs protocol 4');
      }
    }, utf8);
  }

  private saveBytes(bytes: Uint8Array, memoKey: unknown = bytes): void {
    if (this.protocol < 3) {
      // Protocol 2 has no bytes opcodes: Python 3 writes _codecs.encode(<latin-1 str>, 'latin1').
      if (bytes.length === 0) return this.saveReduce('builtins.bytes', [], memoKey);
      this.saveGlobal('_codecs', 'encode');
      const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
      this.writeUnicode(encodeUtf8(latin1)); // a one-off temporary: not memoized
      this.saveString('latin1');
      this.out.byte(OP.TUPLE2);
      this.out.byte(OP.REDUCE);
    } else {
      this.out.payload(() => {
        if (bytes.length < 256) {
          this.out.byte(OP.SHORT_BINBYTES);
          this.out.byte(bytes.length);
        } else if (bytes.length < 2 ** 32) {
          this.out.byte(OP.BINBYTES);
          this.out.u32(bytes.length);
        } else {
          this.out.byte(OP.BINBYTES8);
          this.out.u64(bytes.length);
        }
      }, bytes);
    }
    if (memoKey !== null) this.memoize(memoKey);
  }

  private saveItems(items: readonly unknown[], label: (i: number) => string): void {
    for (let i = 0; i < items.length; i++) {
      this.path.push(label(i));
      this.save(items[i] as PyValue, true);
      this.path.pop();
    }
  }

  private saveTuple(t: readonly PyValue[]): void {
    const n = t.length;
    if (n === 0) return this.out.byte(OP.EMPTY_TUPLE);
    if (n > 3) this.out.byte(OP.MARK);
    this.saveItems(t, (i) => `[${i}]`);
    const memoIndex = this.memo.get(t);
    if (memoIndex !== undefined) {
      // The tuple was reached again through its own elements (a cycle via a list or dict):
      // drop the copy just built and fetch the memoized one, as CPython does.
      if (n > 3) this.out.byte(OP.POP_MARK);
      else for (let i = 0; i < n; i++) this.out.byte(OP.POP);
      return this.memoGet(memoIndex);
    }
    this.out.byte(n === 1 ? OP.TUPLE1 : n === 2 ? OP.TUPLE2 : n === 3 ? OP.TUPLE3 : OP.TUPLE);
    this.memoize(t);
  }

  private saveList(list: PyValue[]): void {
    this.out.byte(OP.EMPTY_LIST);
    this.memoize(list);
    for (let start = 0; start < list.length; start += BATCH_SIZE) {
      const batch = list.slice(start, start + BATCH_SIZE);
      if (batch.length > 1) this.out.byte(OP.MARK);
      this.saveItems(batch, (i) => `[${start + i}]`);
      this.out.byte(batch.length > 1 ? OP.APPENDS : OP.APPEND);
    }
  }

  private saveSet(set: Set<PyValue>): void {
    const items = [...set];
    if (this.protocol < 4) return this.saveReduce('builtins.set', [items], set);
    this.out.byte(OP.EMPTY_SET);
    this.memoize(set);
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      this.out.byte(OP.MARK);
      this.saveItems(items.slice(start, start + BATCH_SIZE), (i) => `{${start + i}}`);
      this.out.byte(OP.ADDITEMS);
    }
  }

  private saveDict(dict: PyDict | Map<PyValue, PyValue>, entries: [PyValue, PyValue][]): void {
    const ordered = isOrderedDict(dict);
    if (ordered) {
      this.saveGlobal('collections', 'OrderedDict');
      this.out.byte(OP.EMPTY_TUPLE);
      this.out.byte(OP.REDUCE);
    } else {
      this.out.byte(OP.EMPTY_DICT);
    }
    this.memoize(dict);
    for (let start = 0; start < entries.length; start += BATCH_SIZE) {
      const batch = entries.slice(start, start + BATCH_SIZE);
      if (batch.length > 1) this.out.byte(OP.MARK);
      for (const [k, v] of batch) {
        this.path.push(`[${typeof k === 'string' ? JSON.stringify(k) : describePyValue(k)}]`);
        this.save(k, true);
        this.save(v, true);
        this.path.pop();
      }
      this.out.byte(batch.length > 1 ? OP.SETITEMS : OP.SETITEM);
    }
    const attributes = ordered ? pyAttributes(dict) : undefined;
    if (attributes !== undefined) {
      this.path.push('.__dict__');
      this.save(attributes, true);
      this.path.pop();
      this.out.byte(OP.BUILD);
    }
  }

  private saveGlobal(module: string, qualname: string): void {
    const name = `${module}.${qualname}`;
    const memoIndex = this.globalsMemo.get(name);
    if (memoIndex !== undefined) return this.memoGet(memoIndex);
    if (this.protocol >= 4) {
      this.saveString(module);
      this.saveString(qualname);
      this.out.byte(OP.STACK_GLOBAL);
    } else {
      this.out.byte(OP.GLOBAL);
      this.out.bytes(encodeUtf8(`${module}\n${qualname}\n`));
    }
    this.globalsMemo.set(name, this.memoPut());
  }

  /** `callable(*args)` [+ BUILD state], memoized as `memoKey` (null: a temporary nobody refers to). */
  private saveReduce(callable: string, args: readonly PyValue[], memoKey: unknown, state?: PyValue): void {
    const dot = callable.lastIndexOf('.');
    if (dot <= 0) this.fail(`callable '${callable}' must be written as module.qualname`);
    this.saveGlobal(callable.slice(0, dot), callable.slice(dot + 1));
    this.saveTuple(args instanceof PyTuple ? args : PyTuple.fromItems(args));
    this.out.byte(OP.REDUCE);
    if (memoKey !== null) this.memoize(memoKey);
    if (state !== undefined) {
      this.save(state, true);
      this.out.byte(OP.BUILD);
    }
  }

  /** numpy's own recipe: _reconstruct(ndarray, (0,), b'b') then __setstate__((1, shape, dtype, False, data)). */
  private saveNdArray(arr: NdArray): void {
    this.saveGlobal(...NUMPY_RECONSTRUCT);
    this.saveGlobal(...NUMPY_NDARRAY_CLASS);
    this.saveNumber(0);
    this.out.byte(OP.TUPLE1);
    this.saveBytes(Uint8Array.of(0x62), null); // b'b': the placeholder typecode numpy passes
    this.out.byte(OP.TUPLE3);
    this.out.byte(OP.REDUCE);
    this.memoize(arr);
    this.out.byte(OP.MARK);
    this.saveNumber(1);
    this.saveTuple(PyTuple.fromItems(arr.shape));
    this.saveDType(arr.dtype);
    this.out.byte(OP.NEWFALSE);
    this.saveBytes(bytesOf(arr), null);
    this.out.byte(OP.TUPLE);
    this.out.byte(OP.BUILD);
  }

  /** numpy dtypes are singletons in Python: one recipe per dtype, later uses hit the memo. */
  private saveDType(dtype: DType): void {
    let obj = this.dtypeObjects.get(dtype);
    if (obj === undefined) {
      obj = numpyDTypeObject(dtype);
      this.dtypeObjects.set(dtype, obj);
    }
    this.save(obj, false);
  }
}

/** Pickles `value`; the chunks, concatenated, are the pickle (large array payloads are not copied). */
export function dumpPickleChunks(value: PyValue, options: DumpOptions = {}): Uint8Array[] {
  const protocol = options.protocol ?? 2;
  if (protocol !== 2 && protocol !== 4) throw new Error(`dumpPickle: protocol must be 2 or 4, got ${String(protocol)}`);
  return new Pickler(protocol, options).dump(value);
}

export function dumpPickle(value: PyValue, options: DumpOptions = {}): Uint8Array {
  const chunks = dumpPickleChunks(value, options);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Writes a pickle file atomically (temporary file + rename). */
export function dumpPickleFile(path: string, value: PyValue, options: DumpOptions = {}): void {
  writeFileAtomic(path, dumpPickleChunks(value, options));
}
