/**
 * How the unpickler builds values in place, so that decoding needs no conversion pass at the end.
 *
 * Python mutates objects after creating them: SETITEMS fills a dict the memo already references,
 * BUILD gives an ndarray its data. Dicts therefore start as PyDicts and are filled in place; the
 * first key a PyDict cannot hold (not a string, or array-index-like) switches the dict to a Map,
 * and `DictTable` redirects later references (memo, stack) to it. Only when such a switch happened
 * does `DictTable.patch` walk the result once, for references captured before the switch (a dict
 * reachable from its own values).
 */
import {
  PyObject, PyTuple, type PyDict, type PyValue, describePyValue, isArrayIndexLike, isOrderedDict, markOrderedDict,
  pyAttributes, setPyAttribute,
} from './values.js';

export type Dict = PyDict | Map<PyValue, PyValue>;

/** Dicts made by the unpickler: Maps, and PyDicts (always null-prototype). */
export function isDict(value: unknown): value is Dict {
  return value instanceof Map || (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null);
}

/** Can a PyDict hold this key without JS reordering it? */
function isPlainKey(key: unknown): key is string {
  if (typeof key !== 'string') return false;
  const c = key.charCodeAt(0);
  return !(c >= 48 && c <= 57 && isArrayIndexLike(key));
}

function toMap(dict: PyDict): Map<PyValue, PyValue> {
  const map = new Map<PyValue, PyValue>(Object.entries(dict));
  if (isOrderedDict(dict)) markOrderedDict(map);
  for (const [name, value] of Object.entries(pyAttributes(dict) ?? {})) setPyAttribute(map, name, value);
  return map;
}

/** A new dict from key/value pairs (DICT opcode, OrderedDict(pairs)). */
export function dictFromEntries(entries: Iterable<readonly [unknown, unknown]>, ordered: boolean): Dict {
  const pairs = [...entries];
  const dict: Dict = pairs.every(([k]) => isPlainKey(k)) ? (Object.create(null) as PyDict) : new Map();
  for (const [k, v] of pairs) {
    if (dict instanceof Map) dict.set(k as PyValue, v as PyValue);
    else dict[k as string] = v as PyValue;
  }
  return ordered ? markOrderedDict(dict) : dict;
}

/** Tracks PyDicts that had to become Maps while being filled. */
export class DictTable {
  private readonly switched = new Map<object, Map<PyValue, PyValue>>();

  /** The current form of a value: the Map a switched PyDict became, else the value itself. */
  current(value: unknown): unknown {
    if (this.switched.size === 0 || typeof value !== 'object' || value === null) return value;
    return this.switched.get(value) ?? value;
  }

  /** `dict[key] = value`; returns the dict, which is a new Map if the key forced the switch. */
  set(dict: Dict, key: unknown, value: unknown): Dict {
    if (dict instanceof Map) {
      dict.set(key as PyValue, value as PyValue);
      return dict;
    }
    if (isPlainKey(key)) {
      dict[key] = value as PyValue;
      return dict;
    }
    const map = toMap(dict);
    this.switched.set(dict, map);
    map.set(key as PyValue, value as PyValue);
    return map;
  }

  /** Replaces references to switched dicts anywhere in `root` (no-op when nothing switched). */
  patch(root: unknown): PyValue {
    if (this.switched.size === 0) return root as PyValue;
    const visited = new Set<object>();
    const work: object[] = [];
    const fix = (v: unknown): unknown => {
      const c = this.current(v);
      if (typeof c === 'object' && c !== null && !visited.has(c)) {
        visited.add(c);
        work.push(c);
      }
      return c;
    };
    const out = fix(root);
    // Explicit work list instead of recursion: deeply nested input must not overflow the JS stack.
    for (let c = work.pop(); c !== undefined; c = work.pop()) {
      if (Array.isArray(c)) {
        for (let i = 0; i < c.length; i++) c[i] = fix(c[i]);
      } else if (c instanceof Set) {
        const before = [...c];
        const after = before.map(fix);
        if (after.some((v, i) => v !== before[i])) {
          c.clear();
          for (const v of after) c.add(v);
        }
      } else if (c instanceof Map) {
        const entries = [...c.entries()];
        c.clear();
        for (const [k, v] of entries) c.set(fix(k) as PyValue, fix(v) as PyValue);
        for (const [name, v] of Object.entries(pyAttributes(c) ?? {})) setPyAttribute(c, name, fix(v) as PyValue);
      } else if (c instanceof PyObject) {
        fix(c.args);
        c.state = c.state === undefined ? undefined : (fix(c.state) as PyValue);
      } else if (Object.getPrototypeOf(c) === null) {
        const dict = c as PyDict;
        for (const k of Object.keys(dict)) dict[k] = fix(dict[k]) as PyValue;
        for (const [name, v] of Object.entries(pyAttributes(dict) ?? {})) setPyAttribute(dict, name, fix(v) as PyValue);
      }
    }
    return out as PyValue;
  }
}

/** BUILD on a dict: only OrderedDicts have a `__dict__` (mmcv stores `_metadata` there). */
export function setDictAttributes(dict: Dict, state: unknown): void {
  if (!isOrderedDict(dict)) throw new Error('BUILD on a dict: plain dicts have no attributes to set');
  // Python's load_build accepts (state, slotstate); OrderedDict has no slots, but both forms set attributes.
  const parts = state instanceof PyTuple && state.length === 2 ? [state[0], state[1]] : [state];
  for (const part of parts) {
    if (part === null) continue;
    if (!isDict(part)) throw new Error(`BUILD on an OrderedDict: state must be a dict, got ${describePyValue(part)}`);
    const entries = part instanceof Map ? [...part.entries()] : Object.entries(part);
    for (const [name, value] of entries) {
      if (typeof name !== 'string') throw new Error(`BUILD on an OrderedDict: attribute name must be a str, got ${describePyValue(name)}`);
      setPyAttribute(dict, name, value);
    }
  }
}
