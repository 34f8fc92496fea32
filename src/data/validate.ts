/**
 * Checks that an annotation can go through the pipelines of its layout. Structure (fields,
 * shapes, dtypes) is cheap and checked when a split is loaded; values (NaN/Inf) need a pass over
 * every number and are checked when a sample is fetched, and by `data convert` / `data inspect`.
 *
 * Documented behaviour for more than two persons: PreNormalize3D accepts only 1 or 2 persons, so
 * an `nturgb+d` sample with M > 2 is an error; 2D datasets may store more (FineGYM, Kinetics) and
 * FormatGCNInput keeps the first two.
 */
import type { NdArray } from '../io/ndarray.js';
import type { Annotation } from './annotation.js';
import { describe } from './annotation.js';
import { DataError, type DataLocation } from './errors.js';
import { type InputLayout } from '../skeleton/layouts.js';
import { FLOAT_DTYPES, isIntegerDType } from './python-values.js';

export interface ValidateOptions {
  /** Joint count / channels / person limit to enforce; without it only generic rules apply. */
  readonly layout?: InputLayout;
  /** Also scan keypoint values for NaN and ±Inf. */
  readonly checkValues?: boolean;
}

/** True when the sample uses the Kinetics compressed layout ([A, V, 3] + frame_inds). */
export function isCompressed(ann: Annotation): boolean {
  return ann.frame_inds !== undefined;
}

/**
 * Throws DataError naming file, sample and field for the first problem found. An annotation whose
 * `keypoint` lives in a kpfile (K400 `raw_file`) is checked without it; call again after merging.
 */
export function validateAnnotation(ann: Annotation, at: DataLocation, opts: ValidateOptions = {}): void {
  const here = { ...at, frameDir: ann.frame_dir };
  const kp = ann.keypoint;
  if (kp === undefined) {
    if (ann.raw_file === undefined) throw new DataError({ ...here, field: 'keypoint' }, 'required array missing');
  } else if (isCompressed(ann)) {
    validateCompressed(ann, kp, here, opts);
  } else {
    validateDense(ann, kp, here, opts);
  }
}

function validateDense(ann: Annotation, kp: NdArray, at: DataLocation, opts: ValidateOptions): void {
  const field = { ...at, field: 'keypoint' };
  requireFloat(kp, field);
  if (kp.shape.length !== 4) throw new DataError(field, `expected shape [M, T, V, C], got ${describe(kp)}`);
  const [m, t, v, c] = kp.shape;
  if (m === 0) throw new DataError(field, 'no persons (M = 0)');
  if (t === 0) throw new DataError(field, 'zero-length sequence (T = 0)');
  const layout = opts.layout;
  if (layout) {
    if (v !== layout.joints) throw new DataError(field, `expected ${layout.joints} joints (V), got shape [${kp.shape.join(', ')}]`);
    if (c !== layout.channels) throw new DataError(field, `expected ${layout.channels} channels (C), got shape [${kp.shape.join(', ')}]`);
    if (layout.maxPersons !== null && m > layout.maxPersons) {
      throw new DataError(field, `${m} persons; this layout's pipeline accepts at most ${layout.maxPersons}`);
    }
  } else if (c !== 2 && c !== 3) {
    throw new DataError(field, `expected 2 or 3 channels (C), got shape [${kp.shape.join(', ')}]`);
  }
  if (ann.total_frames !== t) {
    throw new DataError({ ...at, field: 'total_frames' }, `is ${ann.total_frames} but keypoint has T = ${t} frames`);
  }
  const score = ann.keypoint_score;
  if (score !== undefined) {
    const sf = { ...at, field: 'keypoint_score' };
    requireFloat(score, sf);
    if (score.shape.length !== 3 || score.shape[0] !== m || score.shape[1] !== t || score.shape[2] !== v) {
      throw new DataError(sf, `expected shape [${m}, ${t}, ${v}] to match keypoint, got ${describe(score)}`);
    }
  }
  if (opts.checkValues) {
    requireFinite(kp, field);
    if (score !== undefined) requireFinite(score, { ...at, field: 'keypoint_score' });
  }
}

function validateCompressed(ann: Annotation, kp: NdArray, at: DataLocation, opts: ValidateOptions): void {
  const field = { ...at, field: 'keypoint' };
  requireFloat(kp, field);
  if (kp.shape.length !== 3 || kp.shape[2] !== 3) {
    throw new DataError(field, `compressed layout (frame_inds present) needs shape [A, V, 3], got ${describe(kp)}`);
  }
  const [a, v] = kp.shape;
  if (a === 0) throw new DataError(field, 'zero-length sequence (no skeleton instances)');
  if (opts.layout && v !== opts.layout.joints) {
    throw new DataError(field, `expected ${opts.layout.joints} joints (V), got shape [${kp.shape.join(', ')}]`);
  }
  const inds = ann.frame_inds as NdArray;
  const fi = { ...at, field: 'frame_inds' };
  if (!isIntegerDType(inds.dtype) || inds.shape.length !== 1 || inds.shape[0] !== a) {
    throw new DataError(fi, `expected an integer array of shape [${a}] (one frame per instance), got ${describe(inds)}`);
  }
  let prev = -Infinity;
  for (let i = 0; i < a; i++) {
    const f = Number(inds.data[i]);
    if (f < 0 || f < prev) throw new DataError(fi, `must be non-negative and non-decreasing (DecompressPose), entry ${i} is ${f} after ${prev}`);
    prev = f;
  }
  if (ann.box_score !== undefined) {
    const bs = ann.box_score;
    if (bs.shape.length !== 1 || bs.shape[0] !== a) {
      throw new DataError({ ...at, field: 'box_score' }, `expected shape [${a}], got ${describe(bs)}`);
    }
  }
  if (ann.total_frames < 1) throw new DataError({ ...at, field: 'total_frames' }, 'zero-length video');
  if (opts.checkValues) requireFinite(kp, field);
}

function requireFloat(arr: NdArray, at: DataLocation): void {
  if (!FLOAT_DTYPES.has(arr.dtype)) throw new DataError(at, `expected a float16/float32/float64 array, got ${arr.dtype}`);
}

/** Index of the first NaN or ±Inf element of a float array, or -1. */
export function firstNonFinite(arr: NdArray): number {
  const d = arr.data;
  if (arr.dtype === 'float16') {
    const h = d as Uint16Array;
    for (let i = 0; i < h.length; i++) if ((h[i] & 0x7c00) === 0x7c00) return i;
    return -1;
  }
  if (arr.dtype === 'float32' || arr.dtype === 'float64') {
    const f = d as Float32Array | Float64Array;
    for (let i = 0; i < f.length; i++) if (!Number.isFinite(f[i])) return i;
  }
  return -1;
}

function requireFinite(arr: NdArray, at: DataLocation): void {
  const i = firstNonFinite(arr);
  if (i >= 0) throw new DataError(at, `non-finite value (NaN or Inf) at index [${unravel(i, arr.shape).join(', ')}]`);
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = flat % shape[k];
    flat = Math.floor(flat / shape[k]);
  }
  return idx;
}
