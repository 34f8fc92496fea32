/**
 * The PYSKL annotation record (data.md §1.1) as a typed object, converted from the pickle value
 * model. Field names stay the Python ones because the pipelines address them by those names.
 */
import type { NdArray } from '../io/ndarray.js';
import { DataError, type DataLocation } from './errors.js';
import { asInteger, asNumber, isMapping, isNdArray, mappingEntries, mappingGet } from './python-values.js';

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

/** Fields converted to typed values; everything else is copied as it came from the pickle. */
const TYPED_FIELDS = new Set([
  'frame_dir', 'label', 'total_frames', 'keypoint', 'keypoint_score', 'img_shape', 'original_shape',
  'raw_file', 'frame_inds', 'box_score', 'valid', 'anno_inds', 'filename',
]);
const ARRAY_FIELDS = ['keypoint', 'keypoint_score', 'frame_inds', 'box_score', 'anno_inds'] as const;
const SHAPE_FIELDS = ['img_shape', 'original_shape'] as const;
const STRING_FIELDS = ['raw_file', 'filename'] as const;

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

export function parseAnnotation(value: unknown, at: DataLocation): Annotation {
  if (!isMapping(value)) throw new DataError(at, `expected a dict, got ${describe(value)}`);
  const get = (k: string): unknown => mappingGet(value, k);
  const frameDir = get('frame_dir');
  const filename = get('filename');
  if (typeof frameDir !== 'string' && typeof filename !== 'string') {
    throw new DataError({ ...at, field: 'frame_dir' }, `required string missing (got ${describe(frameDir)})`);
  }
  const here = { ...at, frameDir: typeof frameDir === 'string' ? frameDir : (filename as string) };
  const ann: Annotation = {
    frame_dir: here.frameDir,
    label: requireInteger(get('label'), { ...here, field: 'label' }, 0),
    total_frames: requireInteger(get('total_frames'), { ...here, field: 'total_frames' }, 0),
  };
  for (const f of ARRAY_FIELDS) {
    const v = get(f);
    if (v === undefined) continue;
    if (!isNdArray(v)) throw new DataError({ ...here, field: f }, `expected a numpy array, got ${describe(v)}`);
    ann[f] = v;
  }
  for (const f of SHAPE_FIELDS) {
    const v = get(f);
    if (v === undefined) continue;
    const hw = Array.isArray(v) ? v.map(asInteger) : [];
    if (hw.length !== 2 || hw.some((x) => x === null || x <= 0)) {
      throw new DataError({ ...here, field: f }, `expected (height, width) of two positive ints, got ${describe(v)}`);
    }
    ann[f] = hw as [number, number];
  }
  for (const f of STRING_FIELDS) {
    const v = get(f);
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new DataError({ ...here, field: f }, `expected a string, got ${describe(v)}`);
    ann[f] = v;
  }
  const valid = get('valid');
  if (valid !== undefined) ann.valid = parseValid(valid, { ...here, field: 'valid' });
  for (const [k, v] of mappingEntries(value)) {
    if (typeof k === 'string' && !TYPED_FIELDS.has(k)) ann[k] = v;
  }
  return ann;
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
  if (v === undefined) throw new DataError(at, 'required integer missing');
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
