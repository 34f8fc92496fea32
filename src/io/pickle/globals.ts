/**
 * Globals policies: the allow-lists that say which Python classes and functions a pickle may name
 * (GLOBAL / STACK_GLOBAL) and what calling them (REDUCE / NEWOBJ) produces. Nothing outside a
 * policy is ever resolved, so a pickle cannot make the loader run code.
 */
import { dictFromEntries } from './internal.js';
import { arrayFromBuffer, reconstructArray, scalarFromPickle } from './numpy.js';
import { encodeLatin1, encodeUtf8 } from './text.js';
import { PyObject, PyTuple, type PyValue, describePyValue } from './values.js';

export interface CallContext {
  /** REDUCE (`callable(*args)`) or NEWOBJ (`cls.__new__(cls, *args)`). */
  readonly kind: 'reduce' | 'newobj';
  /** An uninitialised buffer from the decoder's payload arena (cheaper than an ArrayBuffer per result). */
  alloc(n: number): Uint8Array;
}

export interface GlobalBinding {
  /**
   * The result of calling the global. Arguments are decoded values, possibly still being filled (a
   * dict's items may follow). Absent: the global may appear only as a value (a class passed to
   * another allow-listed function, a storage type in a persistent id).
   */
  readonly call?: (args: readonly unknown[], context: CallContext) => unknown;
}

export interface GlobalsPolicy {
  /** Named in "not allowed" errors. */
  readonly name: string;
  /** Keyed by `module.qualname`, e.g. `collections.OrderedDict`. */
  readonly bindings: Readonly<Record<string, GlobalBinding>>;
}

/** A policy allowing everything the given ones allow (later entries win). */
export function combinePolicies(name: string, ...policies: GlobalsPolicy[]): GlobalsPolicy {
  return { name, bindings: Object.assign({}, ...policies.map((p) => p.bindings)) };
}

/** Python 3 reads protocol 0–2 pickles with these Python 2 module names mapped (pickle's fix_imports). */
export const PY2_MODULE_NAMES: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
};

/** A binding whose result is kept as a PyObject recipe (class name, args, BUILD state). */
function recipe(pyClass: string): GlobalBinding {
  return { call: (args) => new PyObject(pyClass, PyTuple.fromItems(args as PyValue[])) };
}

/** Values usable only as arguments (classes handed to allow-listed functions). */
const VALUE_ONLY: GlobalBinding = {};

function iterableItems(value: unknown, what: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  throw new Error(`${what}: expected a list, tuple or set, got ${describePyValue(value)}`);
}

function setBinding(what: string): GlobalBinding {
  return {
    call: (args) => {
      if (args.length > 1) throw new Error(`${what}: expected at most one argument, got ${args.length}`);
      return new Set(args.length === 0 ? [] : iterableItems(args[0], what));
    },
  };
}

/** `str.encode(encoding)` for the encodings Python's own pickler and numpy use. */
function encodeText(text: unknown, encoding: unknown, what: string, context: CallContext): Uint8Array {
  if (typeof text !== 'string') throw new Error(`${what}: expected a str, got ${describePyValue(text)}`);
  const enc = typeof encoding === 'string' ? encoding.toLowerCase().replace(/_/g, '-') : encoding;
  if (enc === 'latin1' || enc === 'latin-1' || enc === 'iso-8859-1') return encodeLatin1(text, what, (n) => context.alloc(n));
  if (enc === 'utf-8' || enc === 'utf8') return encodeUtf8(text);
  throw new Error(`${what}: unsupported encoding ${describePyValue(encoding)} (expected 'latin1' or 'utf-8')`);
}

/** bytes(...) / bytearray(...): (), (bytes,) or (str, encoding). Always a fresh copy. */
function bytesBinding(what: string): GlobalBinding {
  return {
    call: (args, context) => {
      if (args.length === 0) return new Uint8Array(0);
      if (args.length === 1 && args[0] instanceof Uint8Array) return args[0].slice();
      if (args.length === 2) return encodeText(args[0], args[1], what, context);
      throw new Error(`${what}: unsupported arguments (${args.map(describePyValue).join(', ')})`);
    },
  };
}

/** OrderedDict() or OrderedDict([(key, value), ...]). */
const ORDERED_DICT_BINDING: GlobalBinding = {
  call: (args) => {
    if (args.length > 1) throw new Error(`OrderedDict: expected at most one argument, got ${args.length}`);
    const pairs = (args.length ? iterableItems(args[0], 'OrderedDict') : []).map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`OrderedDict: items must be (key, value) pairs, got ${describePyValue(pair)}`);
      return [pair[0], pair[1]] as const;
    });
    return dictFromEntries(pairs, true);
  },
};

/** Python builtins and the standard-library helpers that pickles of plain data use. */
export const BUILTIN_GLOBALS: GlobalsPolicy = {
  name: 'builtins',
  bindings: {
    'builtins.set': setBinding('set'),
    'builtins.frozenset': setBinding('frozenset'),
    'builtins.bytes': bytesBinding('bytes'),
    'builtins.bytearray': bytesBinding('bytearray'),
    '_codecs.encode': {
      call: (args, context) => {
        if (args.length !== 1 && args.length !== 2) throw new Error(`_codecs.encode: expected (str, encoding), got ${args.length} arguments`);
        return encodeText(args[0], args.length === 2 ? args[1] : 'utf-8', '_codecs.encode', context);
      },
    },
    'collections.OrderedDict': ORDERED_DICT_BINDING,
  },
};

const NUMPY_ARRAY_BINDINGS: Record<string, GlobalBinding> = {
  'multiarray._reconstruct': { call: (args) => reconstructArray(args) },
  'multiarray.scalar': { call: (args) => scalarFromPickle(args) },
  'numeric._frombuffer': { call: (args) => arrayFromBuffer(args) },
};

/** numpy arrays, scalars and dtypes, under numpy 1.x (`numpy.core`) and 2.x (`numpy._core`) names. */
export const NUMPY_GLOBALS: GlobalsPolicy = {
  name: 'numpy',
  bindings: {
    'numpy.ndarray': VALUE_ONLY,
    'numpy.dtype': recipe('numpy.dtype'),
    ...Object.fromEntries(
      ['numpy.core', 'numpy._core'].flatMap((pkg) => Object.entries(NUMPY_ARRAY_BINDINGS).map(([name, b]) => [`${pkg}.${name}`, b])),
    ),
  },
};

/** For PYSKL annotation pickles (mmcv.dump / pickle.dump of dicts, lists, numpy arrays). */
export const ANNOTATION_GLOBALS: GlobalsPolicy = combinePolicies('ANNOTATION_GLOBALS', BUILTIN_GLOBALS, NUMPY_GLOBALS);

