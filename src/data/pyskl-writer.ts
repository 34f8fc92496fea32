/**
 * Writes PYSKL annotation pickles: `{'split': {name: [ids]}, 'annotations': [dict | None]}`, with
 * the fields in the order given (the preprocessors' order) and `(h, w)` shapes as tuples.
 */
import { PyTuple, type PyDict, type PyValue, dumpPickleFile } from '../io/pickle/index.js';
import type { NdArray } from '../io/ndarray.js';

/** Field values the writers produce; `img_shape` / `original_shape` pairs are written as tuples. */
export type AnnotationFieldValue = string | number | NdArray | readonly [number, number];

export interface PysklFileContent {
  readonly split: ReadonlyMap<string, readonly string[]>;
  /** Records whose fields are AnnotationFieldValues, written in their key order; null → None. */
  readonly annotations: readonly (object | null)[];
}

const TUPLE_FIELDS = new Set(['img_shape', 'original_shape']);

export function toPythonValue(content: PysklFileContent): PyValue {
  const split = Object.create(null) as PyDict;
  for (const [name, ids] of content.split) split[name] = [...ids];
  const annotations = content.annotations.map((ann): PyValue => {
    if (ann === null) return null;
    const dict = Object.create(null) as PyDict;
    for (const [k, v] of Object.entries(ann as Record<string, AnnotationFieldValue>)) {
      dict[k] = TUPLE_FIELDS.has(k) && Array.isArray(v) ? PyTuple.fromItems(v as number[]) : (v as PyValue);
    }
    return dict;
  });
  const top = Object.create(null) as PyDict;
  top.split = split;
  top.annotations = annotations;
  return top;
}

/** Atomic write; protocol 2 is what the original preparation scripts (mmcv.dump) write. */
export function writeAnnotationPickle(path: string, content: PysklFileContent, protocol: 2 | 4 = 2): void {
  dumpPickleFile(path, toPythonValue(content), { protocol });
}
