/**
 * The PYSKL annotation record (PYSKL annotation format, skeletonagent/datasets/pose_dataset.py) as
 * a typed object, converted from the pickle value model. Field names stay the Python ones because
 * the pipelines address them by those names.
 */
import type { NdArray } from '../io/ndarray.js';
import { DataError, type DataLocation } from './errors.js';
import { asInteger, asNumber, isMapping, mappingEntries, mappingGet } from './python-values.js';
import { isNdArray } from '../io/ndarray.js';

export interface Annotation {
  /** Sample id (also the K400 kpfile key). */
  frame_dir: string;
  /** 0-based class index. */
  label: number;
  /** Frames of `keypoint` (K400: raw video frames before squeezing). */
  total_frames: number;
  /** [M, T, V, C] dense, or [A, V, 3] (x, y, score) in the Kinetics compressed layout. */
  keypoint?: NdArray;
  /** [M, T, V] detector confidences (2D datasets). */
  keypoint_score?: NdArray;
  /** (h, w): Flip uses the width. */
  img_shape?: [number, number];
  original_shape?: [number, number];
  /** Kinetics: path of the kpfile pickle holding this sample's `keypoint`. */
  raw_file?: string;
  /** Kinetics compressed layout: frame of each stored skeleton instance, [A]. */
  frame_inds?: NdArray;
  /** Kinetics: detector box score per instance, [A]. */
  box_score?: NdArray;
  /** Kinetics: box threshold → number of frames keeping at least one skeleton. */
  valid?: Map<number, number>;
  /** Kinetics with a positive valid_ratio: bool [A], instances with box_score ≥ box_thr. */
  anno_inds?: NdArray;
  /** Used as the sample identifier instead of frame_dir when the first record has it. */
  filename?: string;
  /** Any other field of the file, carried through unchanged (e.g. `num_person_raw`). */
  [field: string]: unknown;
}

/** The whole pickle: `split` name → sample ids, `annotations` in file order (None → null). */
export interface AnnotationFile {
  readonly split: ReadonlyMap<string, readonly string[]>;
  readonly annotations: readonly (Annotation | null)[];
}

/** The identifier PYSKL matches split lists against: `filename` if the first record has one. */
export function identifierField(annotations: readonly (Annotation | null)[]): 'filename' | 'frame_dir' {
  const first = annotations.find((a) => a !== null);
  return first && first.filename !== undefined ? 'filename' : 'frame_dir';
}

export function parseAnnotationFile(value: unknown, file: string): AnnotationFile {
  if (!isMapping(value)) throw new DataError({ file }, `expected a dict with 'split' and 'annotations', got ${describe(value)}`);
  const rawAnnotations = mappingGet(value, 'annotations');
  if (!Array.isArray(rawAnnotations)) {
    throw new DataError({ file, field: 'annotations' }, `expected a list of dicts, got ${describe(rawAnnotations)}`);
  }
  const annotations = rawAnnotations.map((a, i) => (a === null ? null : parseAnnotation(a, { file, sample: i })));
  const rawSplit = mappingGet(value, 'split');
  const split = new Map<string, string[]>();
  if (rawSplit !== undefined) {
    if (!isMapping(rawSplit)) throw new DataError({ file, field: 'split' }, `expected a dict of name → list of ids, got ${describe(rawSplit)}`);
    for (const [name, ids] of mappingEntries(rawSplit)) {
      if (typeof name !== 'string' || !Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) {
        throw new DataError({ file, field: `split[${String(name)}]` }, 'expected a list of sample id strings');
      }
      split.set(name, ids as string[]);
    }
  }
  return { split, annotations };
}

type FieldParser = (v: unknown, at: DataLocation) => unknown;

const asArray: FieldParser = (v, at) => {
  if (!isNdArray(v)) throw new DataError(at, `expected a numpy array, got ${describe(v)}`);
  return v;
};
const asString: FieldParser = (v, at) => {
  if (typeof v !== 'string') throw new DataError(at, `expected a string, got ${describe(v)}`);
  return v;
};
const asShape: FieldParser = (v, at) => {
  const hw = Array.isArray(v) ? v.map(asInteger) : [];
  if (hw.length !== 2 || hw.some((x) => x === null || x <= 0)) {
    throw new DataError(at, `expected (height, width) of two positive ints, got ${describe(v)}`);
  }
  return hw as [number, number];
};
const asCount: FieldParser = (v, at) => requireInteger(v, at, 0);

/** How each known field is converted; other fields are copied as they came from the pickle. */
const FIELD_PARSERS: Readonly<Record<string, FieldParser>> = {
  frame_dir: asString,
  filename: asString,
  raw_file: asString,
  label: asCount,
  total_frames: asCount,
  keypoint: asArray,
  keypoint_score: asArray,
  frame_inds: asArray,
  box_score: asArray,
  anno_inds: asArray,
  img_shape: asShape,
  original_shape: asShape,
  valid: (v, at) => parseValid(v, at),
};

/** Converts one annotation dict, keeping the file's field order. */
export function parseAnnotation(value: unknown, at: DataLocation): Annotation {
  if (!isMapping(value)) throw new DataError(at, `expected a dict, got ${describe(value)}`);
  const id = mappingGet(value, 'frame_dir') ?? mappingGet(value, 'filename');
  const here: DataLocation = { ...at, frameDir: typeof id === 'string' ? id : undefined };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of mappingEntries(value)) {
    if (typeof k !== 'string') continue;
    const parse = Object.prototype.hasOwnProperty.call(FIELD_PARSERS, k) ? FIELD_PARSERS[k] : undefined;
    fields[k] = parse ? parse(v, { ...here, field: k }) : v;
  }
  if (fields.frame_dir === undefined) {
    if (fields.filename === undefined) throw new DataError({ ...here, field: 'frame_dir' }, 'required string missing');
    fields.frame_dir = fields.filename;
  }
  for (const required of ['label', 'total_frames']) {
    if (fields[required] === undefined) throw new DataError({ ...here, field: required }, 'required integer missing');
  }
  return fields as Annotation;
}

function parseValid(v: unknown, at: DataLocation): Map<number, number> {
  if (!isMapping(v)) throw new DataError(at, `expected a dict box threshold → frame count, got ${describe(v)}`);
  const out = new Map<number, number>();
  for (const [k, n] of mappingEntries(v)) {
    const thr = typeof k === 'string' ? Number(k) : asNumber(k);
    const count = asInteger(n);
    if (thr === null || Number.isNaN(thr) || count === null) {
      throw new DataError(at, `entry ${String(k)}: ${String(n)} is not threshold → integer count`);
    }
    out.set(thr, count);
  }
  return out;
}

function requireInteger(v: unknown, at: DataLocation, min: number): number {
  const i = asInteger(v);
  if (i === null) throw new DataError(at, `expected an integer, got ${describe(v)}`);
  if (i < min) throw new DataError(at, `expected an integer ≥ ${min}, got ${i}`);
  return i;
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (isNdArray(v)) return `${v.dtype} array of shape [${v.shape.join(', ')}]`;
  if (Array.isArray(v)) return `a sequence of ${v.length}`;
  if (v instanceof Map || isMapping(v)) return 'a dict';
  if (typeof v === 'string') return `the string '${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  return `${typeof v} ${String(v)}`;
}
