/**
 * Values that exist only while a pickle is being decoded. Python mutates objects after creating
 * them (SETITEMS fills a dict that the memo already references, BUILD gives an ndarray its data),
 * so the unpickler works on these builders and `Finalizer` swaps in the public values at the end.
 */
import {
  PyObject, PyTuple, type PyDict, type PyValue, describePyValue, isArrayIndexLike, markOrderedDict, setPyAttribute,
} from './pickle-values.js';

/** An object that the BUILD opcode can give state to (Python's `__setstate__`). */
export interface Buildable {
  setState(state: unknown): void;
}

export function isBuildable(value: unknown): value is Buildable {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Buildable>).setState === 'function';
}

/** A placeholder whose public value is known only once decoding has finished (e.g. an ndarray awaiting BUILD). */
export abstract class Pending {
  abstract resolve(): PyValue;
}

/** A dict under construction; becomes a PyDict or a Map (see pickle-values.ts) when finalized. */
export class DictBuilder implements Buildable {
  readonly pyTypeName = 'dict';
  readonly items = new Map<unknown, unknown>();
  /** Attributes given by BUILD (only OrderedDicts have a `__dict__`), as name → internal value. */
  readonly attributes = new Map<string, unknown>();
  constructor(readonly ordered: boolean) {}

  setState(state: unknown): void {
    if (!this.ordered) throw new Error('BUILD on a dict: plain dicts have no attributes to set');
    // Python's load_build accepts (state, slotstate); OrderedDict has no slots, but both forms set attributes.
    const parts = state instanceof PyTuple && state.length === 2 ? [state[0], state[1]] : [state];
    for (const part of parts) {
      if (part === null) continue;
      if (!(part instanceof DictBuilder)) throw new Error(`BUILD on an OrderedDict: state must be a dict, got ${describePyValue(part)}`);
      for (const [name, value] of part.items) {
        if (typeof name !== 'string') throw new Error(`BUILD on an OrderedDict: attribute name must be a str, got ${describePyValue(name)}`);
        this.attributes.set(name, value);
      }
    }
  }
}

/** Converts decoder-internal values into public PyValues, preserving shared references and cycles. */
export class Finalizer {
  private readonly converted = new Map<object, PyValue>();
  private readonly visited = new Set<object>();

  convert(root: unknown): PyValue {
    const work: object[] = [];
    const out = this.step(root, work);
    // Explicit work list instead of recursion: deeply nested input must not overflow the JS stack.
    for (let c = work.pop(); c !== undefined; c = work.pop()) this.fill(c, work);
    return out;
  }

  private step(value: unknown, work: object[]): PyValue {
    if (typeof value !== 'object' || value === null) return value as PyValue;
    if (value instanceof DictBuilder || value instanceof Pending) {
      let out = this.converted.get(value);
      if (out === undefined) {
        if (value instanceof Pending) {
          out = value.resolve();
        } else {
          out = dictShell(value);
          work.push(value);
        }
        this.converted.set(value, out);
      }
      return out;
    }
    if ((Array.isArray(value) || value instanceof Set || value instanceof PyObject) && !this.visited.has(value)) {
      this.visited.add(value);
      work.push(value);
    }
    return value as PyValue;
  }

  private fill(container: object, work: object[]): void {
    if (container instanceof DictBuilder) {
      const out = this.converted.get(container) as PyDict | Map<PyValue, PyValue>;
      if (out instanceof Map) {
        for (const [k, v] of container.items) out.set(this.step(k, work), this.step(v, work));
      } else {
        for (const [k, v] of container.items) out[k as string] = this.step(v, work);
      }
      for (const [name, v] of container.attributes) setPyAttribute(out, name, this.step(v, work));
    } else if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) container[i] = this.step(container[i], work);
    } else if (container instanceof Set) {
      const before = [...container];
      const after = before.map((v) => this.step(v, work));
      if (after.some((v, i) => v !== before[i])) {
        container.clear();
        for (const v of after) container.add(v);
      }
    } else if (container instanceof PyObject) {
      this.step(container.args, work);
      container.state = container.state === undefined ? undefined : this.step(container.state, work);
    }
  }
}

/** An empty PyDict when every key is a non-index-like string (JS objects keep their order), else a Map. */
function dictShell(dict: DictBuilder): PyDict | Map<PyValue, PyValue> {
  let plain = true;
  for (const k of dict.items.keys()) {
    if (typeof k !== 'string' || isArrayIndexLike(k)) { plain = false; break; }
  }
  const out = plain ? (Object.create(null) as PyDict) : new Map<PyValue, PyValue>();
  return dict.ordered ? markOrderedDict(out) : out;
}
