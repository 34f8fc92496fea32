/**
 * The pickle virtual machine (protocols 0–5 opcodes, as written by Python 2/3 for protocols 2–5),
 * minus everything that would run code: globals resolve only through a GlobalsPolicy, and
 * protocol-0/1 instance creation (INST/OBJ) and extension codes are refused.
 */
import { EndOfInputError, PayloadArena, type ByteInput } from './input.js';
import { type Dict, DictTable, dictFromEntries, isDict, setDictAttributes } from './internal.js';
import { isArrayPlaceholder, setArrayState } from './numpy.js';
import { type GlobalsPolicy, PY2_MODULE_NAMES } from './globals.js';
import { OP, HIGHEST_PROTOCOL, opcodeName } from './opcodes.js';
import { LazyMemo, fusedLatin1Encode } from './latin1-payloads.js';
import { decodeAscii, decodeLatin1, decodeRawUnicodeEscape, decodeUtf8 } from './text.js';
import { PyGlobal, PyObject, PyTuple, type PyValue, describePyValue } from './values.js';

export interface UnpickleOptions {
  /** Which globals the pickle may name; anything else is an error naming it. */
  readonly globals: GlobalsPolicy;
  /** Resolves PERSID/BINPERSID ids (e.g. PyTorch storages); without it those opcodes are errors. */
  readonly persistentLoad?: (pid: PyValue) => PyValue;
}

/** A decoding failure, with where it happened. */
export class PickleError extends Error {
  constructor(
    readonly source: string,
    readonly offset: number,
    readonly opcode: string | null,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail} (${opcode === null ? '' : `${opcode} `}at byte ${offset})`, options);
    this.name = 'PickleError';
  }
}

/** Text arguments (GLOBAL names, protocol-0 literals) longer than this are treated as corruption. */
const MAX_TEXT_LINE = 1 << 20;

type Handler = (u: Unpickler) => void;

export class Unpickler {
  stack: unknown[] = [];
  readonly metastack: unknown[][] = [];
  readonly memo: unknown[] = [];
  /** Python's MEMOIZE uses len(memo): the number of distinct keys, not the highest key + 1. */
  memoCount = 0;
  protocol = 0;
  readonly dicts = new DictTable();
  readonly arena = new PayloadArena();

  constructor(readonly input: ByteInput, readonly options: UnpickleOptions, readonly source: string) {}

  load(): PyValue {
    let opcodeStart = this.input.offset;
    let opcode = -1;
    try {
      for (;;) {
        opcodeStart = this.input.offset;
        opcode = -1;
        opcode = this.input.byte();
        if (opcode === OP.STOP) return this.dicts.patch(this.pop());
        const handler = HANDLERS[opcode];
        if (handler === undefined) throw new Error('invalid opcode');
        handler(this);
      }
    } catch (err) {
      if (err instanceof PickleError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (opcode === -1 && err instanceof EndOfInputError) {
        throw new PickleError(this.source, opcodeStart, null, 'pickle data ended before the STOP opcode (truncated file?)', { cause: err });
      }
      throw new PickleError(this.source, opcodeStart, opcodeName(opcode), message, { cause: err });
    }
  }

  push(value: unknown): void {
    this.stack.push(value);
  }

  pop(): unknown {
    if (this.stack.length === 0) throw new Error('stack underflow: the opcode needs a value but the stack is empty');
    return this.stack.pop();
  }

  top(): unknown {
    if (this.stack.length === 0) throw new Error('stack underflow: the opcode needs a value but the stack is empty');
    return this.stack[this.stack.length - 1];
  }

  popMark(): unknown[] {
    const items = this.stack;
    const outer = this.metastack.pop();
    if (outer === undefined) throw new Error('no MARK on the stack');
    this.stack = outer;
    return items;
  }

  memoGet(index: number): void {
    let value = this.memo[index];
    if (value === undefined) throw new Error(`memo key ${index} was never stored`);
    if (value instanceof LazyMemo) this.memo[index] = value = value.materialize();
    this.push(this.dicts.current(value));
  }

  memoPut(index: number): void {
    this.memoStore(index, this.top());
  }

  memoStore(index: number, value: unknown): void {
    if (this.memo[index] === undefined) this.memoCount++;
    this.memo[index] = value;
  }

  /** A length field, checked against the bytes actually left so corrupt lengths fail before allocating. */
  length(n: number): number {
    if (n > this.input.remaining) throw new Error(`length ${n} exceeds the ${this.input.remaining} bytes left in the input`);
    return n;
  }

  u64(): number {
    const lo = this.input.u32le();
    const hi = this.input.u32le();
    if (hi >= 0x200000) throw new Error(`length ${hi * 2 ** 32 + lo} is beyond 2^53`);
    return hi * 2 ** 32 + lo;
  }

  /** An owned copy of the next n bytes (payloads outlive the input window). */
  bytes(n: number): Uint8Array {
    const out = this.arena.alloc(this.length(n), this.input.remaining);
    this.input.readInto(out);
    return out;
  }

  /** Decodes a str payload; short ones are decoded straight from the window. */
  utf8(n: number): string {
    this.length(n);
    return decodeUtf8(n <= this.input.maxView ? this.input.view(n) : this.bytes(n));
  }

  textLine(): string {
    return decodeAscii(this.input.line(MAX_TEXT_LINE), 'text argument');
  }

  resolveGlobal(module: string, name: string): PyGlobal {
    const mod = this.protocol < 3 ? (PY2_MODULE_NAMES[module] ?? module) : module;
    const qualified = `${mod}.${name}`;
    if (!Object.prototype.hasOwnProperty.call(this.options.globals.bindings, qualified)) {
      throw new Error(`global '${qualified}' is not allowed (not in the ${this.options.globals.name} allow-list); refusing to load`);
    }
    return new PyGlobal(mod, name);
  }

  call(callable: unknown, args: unknown, kind: 'reduce' | 'newobj'): void {
    if (!(callable instanceof PyGlobal)) throw new Error(`cannot call ${describePyValue(callable)}: only allow-listed globals are callable`);
    if (!Array.isArray(args)) throw new Error(`arguments to ${callable.pyClass} must be a tuple, got ${describePyValue(args)}`);
    const bindings = this.options.globals.bindings;
    const binding = Object.prototype.hasOwnProperty.call(bindings, callable.pyClass) ? bindings[callable.pyClass] : undefined;
    if (binding?.call === undefined) throw new Error(`${callable.pyClass} is allowed only as a value, not as a callable`);
    this.push(binding.call(args, { kind, alloc: (n) => this.arena.alloc(n, this.input.remaining) }));
  }

  build(): void {
    const state = this.pop();
    const target = this.dicts.current(this.top());
    // The only objects with a __setstate__: ndarrays from _reconstruct, recipes, OrderedDicts.
    if (isArrayPlaceholder(target)) setArrayState(target, state);
    else if (target instanceof PyObject) target.state = state as PyValue;
    else if (isDict(target)) setDictAttributes(target, state);
    else throw new Error(`BUILD: cannot set state on ${describePyValue(target)}`);
  }

  persistent(pid: unknown): void {
    const load = this.options.persistentLoad;
    if (load === undefined) throw new Error('persistent id found but no persistentLoad was supplied');
    this.push(load(pid as PyValue));
  }
}

/** Python ints: numbers when exactly representable, bigints beyond the safe-integer range. */
function normalizeInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** LONG1/LONG4 payloads: little-endian two's complement (via hex: linear time even for huge ints). */
function decodeLong(bytes: Uint8Array): number | bigint {
  const n = bytes.length;
  if (n === 0) return 0;
  if (n <= 6) {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[i];
    return bytes[n - 1] >= 0x80 ? v - 2 ** (8 * n) : v;
  }
  let v = BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
  if (bytes[n - 1] >= 0x80) v -= 1n << BigInt(8 * n);
  return normalizeInt(v);
}

/** Python refuses int literals longer than this (sys.int_info.default_max_str_digits); so do we. */
const MAX_INT_DIGITS = 4300;

function parseIntLiteral(text: string, what: string): number | bigint {
  const digits = text.endsWith('L') ? text.slice(0, -1) : text;
  if (!/^[+-]?[0-9]+$/.test(digits)) throw new Error(`${what}: bad integer literal '${text.slice(0, 40)}'`);
  if (digits.length > MAX_INT_DIGITS) throw new Error(`${what}: integer literal with ${digits.length} digits exceeds the ${MAX_INT_DIGITS}-digit limit`);
  return normalizeInt(BigInt(digits));
}

function textIndex(u: Unpickler, what: string): number {
  const text = u.textLine();
  if (!/^[0-9]+$/.test(text)) throw new Error(`${what}: bad memo index '${text}'`);
  return Number(text);
}

function refuse(message: string): Handler {
  return () => {
    throw new Error(message);
  };
}

function pushTuple(u: Unpickler, n: number): void {
  const items = u.stack.splice(u.stack.length - n, n);
  if (items.length !== n) throw new Error(`stack underflow: TUPLE${n} needs ${n} values`);
  u.push(PyTuple.adopt(items));
}

function appendAll(u: Unpickler, items: unknown[]): void {
  const list = u.top();
  if (!Array.isArray(list) || list instanceof PyTuple) throw new Error(`cannot append to ${describePyValue(list)}`);
  for (const item of items) list.push(item);
}

function setItems(u: Unpickler, items: unknown[]): void {
  const top = u.stack.length - 1;
  const target = u.dicts.current(u.top());
  if (!isDict(target)) throw new Error(`cannot set items on ${describePyValue(target)}`);
  let dict: Dict = target;
  if (items.length % 2 !== 0) throw new Error(`odd number of values (${items.length}) for key/value pairs`);
  for (let i = 0; i < items.length; i += 2) dict = u.dicts.set(dict, items[i], items[i + 1]);
  u.stack[top] = dict;
}

function addItems(target: unknown, items: unknown[]): void {
  if (!(target instanceof Set)) throw new Error(`cannot add items to ${describePyValue(target)}`);
  for (const item of items) target.add(item);
}

function stringArg(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a str, got ${describePyValue(value)}`);
  return value;
}

const HANDLERS: Handler[] = [];
const on = (code: number, handler: Handler): void => {
  HANDLERS[code] = handler;
};

// Framing and protocol
on(OP.PROTO, (u) => {
  const p = u.input.byte();
  if (p > HIGHEST_PROTOCOL) throw new Error(`unsupported pickle protocol ${p} (this reader supports up to ${HIGHEST_PROTOCOL})`);
  u.protocol = p;
});
on(OP.FRAME, (u) => {
  u.length(u.u64()); // frames only group opcodes; a frame longer than the rest of the input is corrupt
});

// Stack manipulation
on(OP.MARK, (u) => {
  u.metastack.push(u.stack);
  u.stack = [];
});
on(OP.POP, (u) => {
  if (u.stack.length > 0) u.stack.pop();
  else u.popMark();
});
on(OP.POP_MARK, (u) => {
  u.popMark();
});
on(OP.DUP, (u) => u.push(u.top()));

// Scalars
on(OP.NONE, (u) => u.push(null));
on(OP.NEWTRUE, (u) => u.push(true));
on(OP.NEWFALSE, (u) => u.push(false));
on(OP.BININT, (u) => u.push(u.input.i32le()));
on(OP.BININT1, (u) => u.push(u.input.byte()));
on(OP.BININT2, (u) => u.push(u.input.u16le()));
on(OP.LONG1, (u) => {
  const n = u.input.byte();
  u.push(decodeLong(u.input.view(n)));
});
on(OP.LONG4, (u) => {
  const n = u.input.i32le();
  if (n < 0) throw new Error(`negative byte count ${n}`);
  u.push(decodeLong(u.bytes(n)));
});
on(OP.BINFLOAT, (u) => u.push(u.input.f64be()));
on(OP.INT, (u) => {
  const text = u.textLine();
  // Protocol 0 writes bools as I00 / I01.
  u.push(text === '00' ? false : text === '01' ? true : parseIntLiteral(text, 'INT'));
});
on(OP.LONG, (u) => u.push(parseIntLiteral(u.textLine(), 'LONG')));
on(OP.FLOAT, (u) => {
  const text = u.textLine();
  // Unambiguous pattern (no nested quantifiers): linear time on hostile input.
  if (!/^[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|inf|nan)$/i.test(text)) throw new Error(`FLOAT: bad literal '${text.slice(0, 40)}'`);
  u.push(/inf/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : /nan/i.test(text) ? NaN : Number(text));
});

// Strings and bytes
on(OP.SHORT_BINUNICODE, (u) => u.push(u.utf8(u.input.byte())));
on(OP.BINUNICODE, (u) => {
  const n = u.length(u.input.u32le());
  const fused = fusedLatin1Encode(u.input, u.arena, n, u.stack[u.stack.length - 1], u.memo);
  if (fused === null) u.push(u.utf8(n));
  else if (fused.kind === 'str') u.push(fused.text);
  else {
    for (const { index, value } of fused.memo) u.memoStore(index === 'next' ? u.memoCount : index, value);
    u.stack[u.stack.length - 1] = fused.bytes; // REDUCE: the encode global is replaced by its result
  }
});
on(OP.BINUNICODE8, (u) => u.push(u.utf8(u.u64())));
on(OP.UNICODE, (u) => u.push(decodeRawUnicodeEscape(u.input.line(MAX_TEXT_LINE))));
on(OP.SHORT_BINSTRING, (u) => u.push(decodeLatin1(u.bytes(u.input.byte()))));
on(OP.BINSTRING, (u) => {
  const n = u.input.i32le();
  if (n < 0) throw new Error(`negative byte count ${n}`);
  u.push(decodeLatin1(u.bytes(n)));
});
on(OP.STRING, refuse('protocol-0 STRING (escaped Python 2 str) is not supported'));
on(OP.SHORT_BINBYTES, (u) => u.push(u.bytes(u.input.byte())));
on(OP.BINBYTES, (u) => u.push(u.bytes(u.input.u32le())));
on(OP.BINBYTES8, (u) => u.push(u.bytes(u.u64())));
on(OP.BYTEARRAY8, (u) => u.push(u.bytes(u.u64())));
on(OP.NEXT_BUFFER, refuse('out-of-band buffers (protocol 5 NEXT_BUFFER) are not supported: the pickle was written with a buffer_callback and its data is not in the file'));
on(OP.READONLY_BUFFER, (u) => {
  u.top(); // a read-only view of the buffer on the stack: the same bytes here
});

// Containers
on(OP.EMPTY_LIST, (u) => u.push([]));
on(OP.EMPTY_TUPLE, (u) => u.push(new PyTuple()));
on(OP.EMPTY_DICT, (u) => u.push(Object.create(null)));
on(OP.EMPTY_SET, (u) => u.push(new Set()));
on(OP.LIST, (u) => u.push(u.popMark()));
on(OP.TUPLE, (u) => u.push(PyTuple.adopt(u.popMark())));
on(OP.TUPLE1, (u) => pushTuple(u, 1));
on(OP.TUPLE2, (u) => pushTuple(u, 2));
on(OP.TUPLE3, (u) => pushTuple(u, 3));
on(OP.DICT, (u) => {
  const items = u.popMark();
  if (items.length % 2 !== 0) throw new Error(`odd number of values (${items.length}) for key/value pairs`);
  u.push(dictFromEntries(Array.from({ length: items.length / 2 }, (_, i) => [items[2 * i], items[2 * i + 1]] as const), false));
});
on(OP.FROZENSET, (u) => u.push(new Set(u.popMark())));
on(OP.APPEND, (u) => {
  const item = u.pop();
  appendAll(u, [item]);
});
on(OP.APPENDS, (u) => appendAll(u, u.popMark()));
on(OP.SETITEM, (u) => {
  const value = u.pop();
  const key = u.pop();
  setItems(u, [key, value]);
});
on(OP.SETITEMS, (u) => setItems(u, u.popMark()));
on(OP.ADDITEMS, (u) => {
  const items = u.popMark();
  addItems(u.top(), items);
});

// Memo
on(OP.BINGET, (u) => u.memoGet(u.input.byte()));
on(OP.LONG_BINGET, (u) => u.memoGet(u.input.u32le()));
on(OP.GET, (u) => u.memoGet(textIndex(u, 'GET')));
on(OP.BINPUT, (u) => u.memoPut(u.input.byte()));
on(OP.LONG_BINPUT, (u) => u.memoPut(u.input.u32le()));
on(OP.PUT, (u) => u.memoPut(textIndex(u, 'PUT')));
on(OP.MEMOIZE, (u) => u.memoPut(u.memoCount));

// Globals and object construction (allow-listed only)
on(OP.GLOBAL, (u) => {
  const module = u.textLine();
  u.push(u.resolveGlobal(module, u.textLine()));
});
on(OP.STACK_GLOBAL, (u) => {
  const name = stringArg(u.pop(), 'STACK_GLOBAL name');
  const module = stringArg(u.pop(), 'STACK_GLOBAL module');
  u.push(u.resolveGlobal(module, name));
});
on(OP.REDUCE, (u) => {
  const args = u.pop();
  u.call(u.pop(), args, 'reduce');
});
on(OP.NEWOBJ, (u) => {
  const args = u.pop();
  u.call(u.pop(), args, 'newobj');
});
on(OP.NEWOBJ_EX, (u) => {
  const kwargs = u.pop();
  const args = u.pop();
  if (!isDict(kwargs) || (kwargs instanceof Map ? kwargs.size : Object.keys(kwargs).length) > 0) throw new Error('keyword arguments to __new__ are not supported');
  u.call(u.pop(), args, 'newobj');
});
on(OP.BUILD, (u) => u.build());
on(OP.INST, refuse('protocol-0 INST (instantiating an arbitrary class) is not supported'));
on(OP.OBJ, refuse('protocol-1 OBJ (instantiating an arbitrary class) is not supported'));
for (const ext of [OP.EXT1, OP.EXT2, OP.EXT4]) on(ext, refuse('extension-registry codes (copyreg.add_extension) are not supported'));

// Persistent ids
on(OP.BINPERSID, (u) => u.persistent(u.pop()));
on(OP.PERSID, (u) => u.persistent(u.textLine()));
