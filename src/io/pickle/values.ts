/**
 * The Python value model shared by the unpickler and the pickler.
 *
 * | Python                         | TypeScript                                                     |
 * |--------------------------------|----------------------------------------------------------------|
 * | None / bool / str              | null / boolean / string                                        |
 * | int                            | number, or bigint outside the safe-integer range               |
 * | float                          | number (write `PyFloat` to force a float with integral value)  |
 * | bytes, bytearray               | Uint8Array                                                     |
 * | list / tuple                   | Array / PyTuple (an Array subclass)                            |
 * | set, frozenset                 | Set                                                            |
 * | dict, OrderedDict              | PyDict (null-prototype object) when every key is a string that |
 * |                                | does not look like an array index, else Map (insertion order)  |
 * | numpy.ndarray / numpy scalar   | NdArray (C order) / NdArray with shape []                      |
 * | allow-listed class or function | PyGlobal                                                       |
 * | other allow-listed object      | PyObject (class name, constructor args, BUILD state)           |
 *
 * OrderedDicts carry the non-enumerable `ORDERED_DICT` marker; attributes set on them by BUILD
 * (mmcv's `_metadata`) become non-enumerable own properties (`pyAttributes` lists them), so
 * `Object.keys` and `Map` iteration see only the items, and the pickler writes both back.
 */
import { type NdArray, isNdArray } from '../ndarray.js';

/** A Python tuple. Distinct from Array so that tuples survive a read/write round trip. */
export class PyTuple<T = PyValue> extends Array<T> {
  static fromItems<T>(items: Iterable<T>): PyTuple<T> {
    const t = new PyTuple<T>();
    for (const item of items) t.push(item);
    return t;
  }

  /** Turns a fresh array that nothing else will treat as a list into a tuple, without copying. */
  static adopt<T>(items: T[]): PyTuple<T> {
    return Object.setPrototypeOf(items, PyTuple.prototype) as PyTuple<T>;
  }
}

/** A float whose value happens to be integral (`1.0`): plain numbers with integral values pickle as int. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Base class of Python objects that have no native JS counterpart. */
export abstract class PyInstance {
  /** Python `module.qualname` of the object's class (or of the function, for PyGlobal). */
  abstract readonly pyClass: string;
}

/** A reference to an allow-listed Python class or function (pickle GLOBAL / STACK_GLOBAL). */
export class PyGlobal extends PyInstance {
  readonly pyClass: string;
  constructor(readonly module: string, readonly qualname: string) {
    super();
    this.pyClass = `${module}.${qualname}`;
  }
}

/**
 * An object of an allow-listed class kept as its recipe: `pyClass(*args)`, then `__setstate__(state)`
 * (e.g. `torch.device('cpu')`, a standalone `numpy.dtype`). The pickler writes it back the same way.
 */
export class PyObject extends PyInstance {
  state: PyValue | undefined = undefined;
  constructor(readonly pyClass: string, readonly args: PyTuple) {
    super();
  }
}

export interface PyDict {
  [key: string]: PyValue;
}

export type PyValue =
  | null | boolean | number | bigint | string | Uint8Array | PyFloat
  | PyValue[] | Set<PyValue> | Map<PyValue, PyValue> | PyDict
  | NdArray | PyInstance;

/** Marks a dict (PyDict or Map) that was a `collections.OrderedDict`. */
export const ORDERED_DICT: unique symbol = Symbol('collections.OrderedDict');

export function markOrderedDict<T extends object>(dict: T): T {
  Object.defineProperty(dict, ORDERED_DICT, { value: true, enumerable: false });
  return dict;
}

export function isOrderedDict(dict: object): boolean {
  return (dict as { [ORDERED_DICT]?: boolean })[ORDERED_DICT] === true;
}

/** Sets a Python attribute (e.g. `_metadata`) on a dict as a non-enumerable property. */
export function setPyAttribute(dict: object, name: string, value: PyValue): void {
  Object.defineProperty(dict, name, { value, enumerable: false, writable: true, configurable: true });
}

/** The Python attributes of a dict (its non-enumerable own string properties), or undefined if none. */
export function pyAttributes(dict: object): PyDict | undefined {
  const enumerable = new Set(Object.keys(dict));
  const names = dict instanceof Map ? Object.getOwnPropertyNames(dict) : Object.getOwnPropertyNames(dict).filter((k) => !enumerable.has(k));
  if (names.length === 0) return undefined;
  const attrs = Object.create(null) as PyDict;
  for (const name of names) attrs[name] = (dict as Record<string, PyValue>)[name];
  return attrs;
}

/** True for dicts decoded as objects (null prototype); plain `{}` objects count too unless they are NdArrays. */
export function isPyDict(value: unknown): value is PyDict {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || (proto === Object.prototype && !isNdArray(value));
}

/** `"0"`, `"17"`: keys that JS objects would reorder before other keys, so such dicts decode to a Map. */
export function isArrayIndexLike(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/** A short description of a value's Python type, for error messages. */
export function describePyValue(value: unknown): string {
  if (value === null) return 'None';
  if (value === undefined) return 'nothing';
  switch (typeof value) {
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(value) ? 'int' : 'float';
    case 'bigint': return 'int';
    case 'string': return 'str';
    default: break;
  }
  if (value instanceof PyTuple) return `tuple of ${value.length}`;
  if (Array.isArray(value)) return `list of ${value.length}`;
  if (value instanceof Uint8Array) return `bytes of ${value.length}`;
  if (value instanceof Set) return 'set';
  if (value instanceof Map) return 'dict';
  if (value instanceof PyGlobal) return `global ${value.pyClass}`;
  if (value instanceof PyInstance) return `${value.pyClass} object`;
  if (value instanceof PyFloat) return 'float';
  if (isNdArray(value)) return `numpy.ndarray ${value.dtype}`;
  if (isPyDict(value)) return 'dict';
  return (value as object).constructor?.name ?? 'object';
}
