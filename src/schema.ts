/**
 * A small schema language for validating plain JSON-like data (configs, pipeline op arguments).
 * `parse` returns the typed value (defaults filled in) or throws a SchemaError whose message
 * starts with the path of the offending key, e.g. `model.backbone.graph_cfg.num_filter: expected
 * an integer, got "8"`. Objects reject keys they do not declare.
 */
import { UserError } from './errors.js';

export class SchemaError extends UserError {
  constructor(readonly path: string, readonly problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'SchemaError';
  }
}

export interface Schema<T> {
  /** What a valid value looks like, for error messages ("an integer >= 1"). */
  readonly expected: string;
  parse(value: unknown, path: string): T;
}

/** A field that may be absent from an object; `fallback` (if given) fills it in. */
export interface OptionalField<T> extends Schema<T> {
  readonly optional: true;
  readonly fallback?: () => T;
}

/** A field that may be absent from the input but is always present after parsing. */
export interface DefaultedField<T> extends OptionalField<T> {
  readonly fallback: () => T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends DefaultedField<unknown> ? never : S[K] extends OptionalField<unknown> ? K : never;
}[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type InferObject<S extends Shape> =
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/** Short rendering of a bad value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new SchemaError(path, `expected ${expected}, got ${show(value)}`);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

interface NumberOptions { readonly min?: number; readonly max?: number; readonly exclusiveMin?: number }

function numberSchema(integer: boolean, o: NumberOptions = {}): Schema<number> {
  const bounds = [
    o.min !== undefined ? `>= ${o.min}` : '',
    o.exclusiveMin !== undefined ? `> ${o.exclusiveMin}` : '',
    o.max !== undefined ? `<= ${o.max}` : '',
  ].filter(Boolean).join(' and ');
  const expected = `${integer ? 'an integer' : 'a number'}${bounds ? ` ${bounds}` : ''}`;
  return {
    expected,
    parse(v, path) {
      if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isSafeInteger(v))) fail(path, expected, v);
      if ((o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max) || (o.exclusiveMin !== undefined && v <= o.exclusiveMin)) {
        fail(path, expected, v);
      }
      return v;
    },
  };
}

export const number = (o?: NumberOptions): Schema<number> => numberSchema(false, o);
export const int = (o?: NumberOptions): Schema<number> => numberSchema(true, o);

export const bool = (): Schema<boolean> => ({
  expected: 'true or false',
  parse(v, path) {
    if (typeof v !== 'boolean') fail(path, 'true or false', v);
    return v;
  },
});

export const string = (o: { nonEmpty?: boolean } = {}): Schema<string> => {
  const expected = o.nonEmpty ? 'a non-empty string' : 'a string';
  return {
    expected,
    parse(v, path) {
      if (typeof v !== 'string' || (o.nonEmpty && v.length === 0)) fail(path, expected, v);
      return v;
    },
  };
};

/** One of the given literal values. */
export function oneOf<const T extends readonly (string | number | boolean | null)[]>(values: T): Schema<T[number]> {
  const expected = values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
  return {
    expected,
    parse(v, path) {
      if (!values.includes(v as T[number])) fail(path, expected, v);
      return v as T[number];
    },
  };
}

export function array<T>(item: Schema<T>, o: { length?: number; minLength?: number } = {}): Schema<T[]> {
  const size = o.length !== undefined ? ` of ${o.length}` : o.minLength ? ` of at least ${o.minLength}` : '';
  const expected = `a list${size} of ${item.expected}`;
  return {
    expected,
    parse(v, path) {
      if (!Array.isArray(v)) fail(path, expected, v);
      if ((o.length !== undefined && v.length !== o.length) || (o.minLength !== undefined && v.length < o.minLength)) fail(path, expected, v);
      return v.map((x, i) => item.parse(x, `${path}[${i}]`));
    },
  };
}

/** A fixed-length list whose positions have their own schemas (a Python tuple in the original). */
export function tuple<const S extends readonly Schema<unknown>[]>(items: S): Schema<{ [K in keyof S]: Infer<S[K]> }> {
  const expected = `a list [${items.map((s) => s.expected).join(', ')}]`;
  return {
    expected,
    parse(v, path) {
      if (!Array.isArray(v) || v.length !== items.length) fail(path, expected, v);
      return items.map((s, i) => s.parse(v[i], `${path}[${i}]`)) as { [K in keyof S]: Infer<S[K]> };
    },
  };
}

/** The first alternative that accepts the value. */
export function union<const S extends readonly Schema<unknown>[]>(alternatives: S): Schema<Infer<S[number]>> {
  const expected = alternatives.map((s) => s.expected).join(' or ');
  return {
    expected,
    parse(v, path) {
      for (const s of alternatives) {
        try {
          return s.parse(v, path) as Infer<S[number]>;
        } catch (err) {
          if (!(err instanceof SchemaError)) throw err;
        }
      }
      return fail(path, expected, v);
    },
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  const expected = `${inner.expected} or null`;
  return { expected, parse: (v, path) => (v === null ? null : inner.parse(v, path)) };
}

/** A key that may be absent. */
export function optional<T>(inner: Schema<T>): OptionalField<T> {
  return { ...inner, optional: true, parse: (v, path) => inner.parse(v, path) };
}

/** A key that may be absent, filled with `value` when it is (the original's default argument). */
export function withDefault<T>(inner: Schema<T>, value: T): DefaultedField<T> {
  return { ...inner, optional: true, fallback: () => structuredClone(value), parse: (v, path) => inner.parse(v, path) };
}

function isOptional(s: Schema<unknown>): s is OptionalField<unknown> {
  return (s as Partial<OptionalField<unknown>>).optional === true;
}

/** An object with exactly the declared keys (missing optional keys get their defaults). */
export function object<const S extends Shape>(shape: S, name = 'an object'): Schema<InferObject<S>> {
  const keys = Object.keys(shape);
  return {
    expected: name,
    parse(v, path) {
      if (!isPlainObject(v)) fail(path, name, v);
      for (const k of Object.keys(v)) {
        if (!(k in shape)) throw new SchemaError(`${path}.${k}`, `unknown key (expected one of ${keys.join(', ')})`);
      }
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const s = shape[k];
        if (v[k] === undefined) {
          if (!isOptional(s)) throw new SchemaError(`${path}.${k}`, `missing (expected ${s.expected})`);
          if (s.fallback) out[k] = s.fallback();
          continue;
        }
        out[k] = s.parse(v[k], `${path}.${k}`);
      }
      return out as InferObject<S>;
    },
  };
}

/** A schema with an extra check on the parsed value; `check` returns a problem or null. */
export function refine<T>(inner: Schema<T>, check: (value: T) => string | null): Schema<T> {
  return {
    expected: inner.expected,
    parse(v, path) {
      const value = inner.parse(v, path);
      const problem = check(value);
      if (problem) throw new SchemaError(path, problem);
      return value;
    },
  };
}

/** An object with arbitrary string keys whose values all follow `value` (a Python dict). */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  const expected = `an object of ${value.expected}`;
  return {
    expected,
    parse(v, path) {
      if (!isPlainObject(v)) fail(path, expected, v);
      const out: Record<string, T> = {};
      for (const [k, x] of Object.entries(v)) out[k] = value.parse(x, `${path}.${k}`);
      return out;
    },
  };
}
