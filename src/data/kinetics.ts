/**
 * Kinetics-400 specifics of PoseDataset (skeletonagent/datasets/pose_dataset.py; docs/original.md):
 * the box-threshold / valid-ratio filter and the "kpfiles" that hold the skeletons of many samples
 * each.
 *
 * The original fetches kpfile entries through memcached; here they are read from disk directly
 * (the fetched fields are the same) and the last few kpfiles are kept in memory, because samples
 * of one kpfile are usually requested together.
 */
import { isAbsolute, join } from 'node:path';
import { ANNOTATION_GLOBALS, loadPickleFile } from '../io/pickle/index.js';
import { type NdArray, zeros } from '../io/ndarray.js';
import { fromHalf, roundHalf } from '../io/float16.js';
import type { Annotation } from './annotation.js';
import { describe } from './annotation.js';
import { DataError, type DataLocation } from './errors.js';
import { isMapping, mappingEntries } from './python-values.js';
import { isNdArray } from '../io/ndarray.js';

export interface BoxThresholdOptions {
  /** PYSKL's `box_thr` (configs: 0.5). */
  readonly boxThr?: number;
  /** PYSKL's `valid_ratio` (configs: 0.0 train, None val/test). Only a positive value acts. */
  readonly validRatio?: number | null;
}

/**
 * Whether a record survives PoseDataset's valid-ratio filter: with `validRatio > 0`, samples with
 * `valid[boxThr] / total_frames < validRatio` are dropped. Anything else keeps every sample, which
 * is what the shipped configs do (box_thr has no effect).
 */
export function passesValidRatio(
  ann: { readonly frame_dir: string; readonly total_frames: number; readonly valid?: ReadonlyMap<number, number> },
  opts: BoxThresholdOptions,
  at: DataLocation,
): boolean {
  if (!isActive(opts)) return true;
  const thr = opts.boxThr as number;
  const count = ann.valid?.get(thr);
  if (count === undefined) {
    const have = ann.valid ? [...ann.valid.keys()].join(', ') : 'no valid dict';
    throw new DataError({ ...at, frameDir: ann.frame_dir, field: 'valid' }, `no entry for box_thr ${thr} (have: ${have})`);
  }
  return count / ann.total_frames >= (opts.validRatio as number);
}

/**
 * The per-record part applied at fetch time: with a positive valid ratio, `anno_inds` =
 * `box_score >= box_thr` (compared in the array's own precision, as numpy does for an array and a
 * Python float); then `valid` and `box_score` are removed, as PoseDataset always does.
 */
export function applyBoxThreshold(ann: Annotation, opts: BoxThresholdOptions, at: DataLocation): void {
  if (isActive(opts)) {
    const score = ann.box_score;
    if (score === undefined) {
      throw new DataError({ ...at, frameDir: ann.frame_dir, field: 'box_score' }, 'required when valid_ratio is positive');
    }
    ann.anno_inds = boxMask(score, opts.boxThr as number);
  }
  delete ann.valid;
  delete ann.box_score;
}

function isActive(opts: BoxThresholdOptions): boolean {
  if (typeof opts.validRatio !== 'number' || !(opts.validRatio > 0)) return false;
  if (opts.boxThr === undefined) throw new Error('valid_ratio > 0 needs a box_thr');
  return true;
}

function boxMask(score: NdArray, thr: number): NdArray<'bool'> {
  const half = score.dtype === 'float16';
  const t = half ? roundHalf(thr) : score.dtype === 'float32' ? Math.fround(thr) : thr;
  const mask = zeros('bool', score.shape);
  for (let i = 0; i < mask.data.length; i++) {
    const v = half ? fromHalf(score.data[i] as number) : Number(score.data[i]);
    mask.data[i] = v >= t ? 1 : 0;
  }
  return mask;
}

/** Reads kpfiles (pickled dict frame_dir → {'keypoint': [A, V, 3], ...}) and merges entries. */
export class KpfileReader {
  private readonly cache = new Map<string, Map<string, unknown>>();

  /**
   * @param root resolves relative `raw_file` paths (default: the annotation file's folder).
   * @param capacity how many loaded kpfiles to keep.
   */
  constructor(private readonly root: string, private readonly capacity = 2) {}

  /** Adds the kpfile entry's fields (i.e. `keypoint`) to `ann`, as the memcached lookup does. */
  merge(ann: Annotation, at: DataLocation): void {
    if (ann.raw_file === undefined) return;
    const path = isAbsolute(ann.raw_file) ? ann.raw_file : join(this.root, ann.raw_file);
    const entry = this.load(path, { ...at, frameDir: ann.frame_dir, field: 'raw_file' }).get(ann.frame_dir);
    if (entry === undefined) {
      throw new DataError({ ...at, frameDir: ann.frame_dir, field: 'raw_file' }, `kpfile ${path} has no entry '${ann.frame_dir}'`);
    }
    if (!isMapping(entry)) throw new DataError({ file: path, frameDir: ann.frame_dir }, `expected a dict of fields, got ${describe(entry)}`);
    for (const [k, v] of mappingEntries(entry)) {
      if (typeof k !== 'string') continue;
      if (k === 'keypoint' && !isNdArray(v)) throw new DataError({ file: path, frameDir: ann.frame_dir, field: k }, `expected an array, got ${describe(v)}`);
      ann[k] = v;
    }
  }

  private load(path: string, at: DataLocation): Map<string, unknown> {
    const hit = this.cache.get(path);
    if (hit) {
      this.cache.delete(path); // re-insert: Map order is the LRU order
      this.cache.set(path, hit);
      return hit;
    }
    let value: unknown;
    try {
      value = loadPickleFile(path, { globals: ANNOTATION_GLOBALS });
    } catch (err) {
      throw new DataError(at, `cannot read kpfile ${path}: ${(err as Error).message}`);
    }
    if (!isMapping(value)) throw new DataError({ file: path }, `expected a dict frame_dir → fields, got ${describe(value)}`);
    const entries = new Map<string, unknown>();
    for (const [k, v] of mappingEntries(value)) if (typeof k === 'string') entries.set(k, v);
    this.cache.set(path, entries);
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string);
    return entries;
  }
}

