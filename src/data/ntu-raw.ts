/**
 * NTU RGB+D raw preprocessing (tools/data/ntu_preproc.py): `.skeleton` files → `ntu60_3danno.pkl`
 * (and `ntu120_3danno.pkl` when any action id exceeds 60), as the original
 * `tools/data/ntu_preproc.py`.
 *
 * With `reproduceOriginalBugs` the output is identical to the original's. Without it, three of the
 * original's defects (docs/original.md) are corrected:
 *
 * 1. Second body slot range. The original starts track 1's span as [0, 0), so the first body put
 *    there extends the span back to frame 0 and later bodies that start before its end count as
 *    overlapping. Corrected: track 1's span starts empty and becomes exactly the first body's span.
 * 2. Overlapping body dropped silently. A body overlapping both tracks is still dropped (two tracks
 *    hold at most two simultaneous people, and the lower-motion third one is usually noise), but
 *    it is reported in `dropped` instead of silently.
 * 3. Files without any body. The original stores `None` in `annotations` (its filter tests the
 *    dict instead of the entry) and keeps the name in the splits. Corrected: such samples are left
 *    out of annotations and splits and reported in `empty`.
 *
 * Numerics follow the original: coordinates are float32, body motion is numpy's float32 variance
 * (axis-0 reductions add row by row, which is emulated with Math.fround), the spread test compares
 * a float32 width with 0.8 × height in double, and the result is stored as float16. The frame-
 * trimming and swap tests (sums of absolute values against 1e-3) are computed in double; they can
 * only disagree with numpy's float32 sums within ~1e-7 relative of the threshold.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type NdArray, zeros } from '../io/ndarray.js';
import { toHalf } from '../io/float16.js';
import { DataError } from './errors.js';
import { NTU_JOINTS, type SkeletonBody, parseSkeletonText } from './ntu-skeleton.js';
import { NTU120_SPLITS, NTU60_MAX_ACTION, NTU60_SPLITS, assignSplits, ntuLabel, parseNtuName } from './ntu-splits.js';

const LENGTH_THRESHOLD = 11; // bodies with at most this many frames are noise
const WH_RATIO = 0.8; // a frame is valid when width <= 0.8 * height
const SPREAD_NOISE_RATIO = 0.69754; // a body with this fraction of invalid frames is noise
const EPS = 1e-3;
const POINT = NTU_JOINTS * 3;

export interface NtuPreprocessOptions {
  /** Produce exactly the original's output, defects included (see the module comment). */
  readonly reproduceOriginalBugs?: boolean;
}

/** The per-sample annotation the preprocessor writes: exactly these four fields. */
export interface NtuAnnotation {
  readonly frame_dir: string;
  readonly label: number;
  readonly keypoint: NdArray<'float16'>;
  readonly total_frames: number;
}

export interface NtuSampleResult {
  /** null when the file has no body at all (or, when not reproducing, only noise / all-zero bodies). */
  readonly annotation: NtuAnnotation | null;
  /** Bodies dropped because they overlapped both tracks (ids). */
  readonly dropped: readonly string[];
}

/** The float32 array of one sample, [persons, frames, 25, 3]. */
export interface BodyArray {
  readonly kind: 'keypoint';
  readonly keypoint: Float32Array;
  readonly persons: number;
  readonly frames: number;
  /** Ids of bodies dropped for overlapping both tracks. */
  readonly dropped: string[];
}

/**
 * Nothing to store: no body in the file, every body judged spread noise (the original asserts),
 * or every placed frame (near) zero (the original fails with an IndexError).
 */
export interface NoBodyArray {
  readonly kind: 'no-bodies' | 'all-noise' | 'all-zero';
}

/** Body → array conversion of one parsed file (tools/data/ntu_preproc.py). */
export function bodiesToKeypoint(bodies: readonly SkeletonBody[], opts: NtuPreprocessOptions = {}): BodyArray | NoBodyArray {
  if (bodies.length === 0) return { kind: 'no-bodies' };
  const withMotion = bodies.map((b) => ({ body: b, motion: motionF32(b.kpt, null) }));
  let ranked = sortByMotion(withMotion);
  const single = (b: SkeletonBody): BodyArray => ({ kind: 'keypoint', keypoint: b.kpt.slice(), persons: 1, frames: b.frames, dropped: [] });
  if (ranked.length === 1) return single(ranked[0].body);
  ranked = ranked.filter((r) => r.body.frames > LENGTH_THRESHOLD);
  if (ranked.length === 1) return single(ranked[0].body);
  ranked = spreadDenoising(ranked);
  if (ranked.length === 0) return { kind: 'all-noise' };
  if (ranked.length === 1) return single(ranked[0].body);
  return placeOnTwoTracks(ranked.map((r) => r.body), opts);
}

interface Ranked {
  readonly body: SkeletonBody;
  motion: number;
}

/** Stable sort by decreasing motion (Python's list.sort with key=-motion). */
function sortByMotion(items: Ranked[]): Ranked[] {
  return items.map((r, i) => ({ r, i })).sort((a, b) => b.r.motion - a.r.motion || a.i - b.i).map(({ r }) => r);
}

/**
 * `np.sum(np.var(kpt[frames].reshape(-1, 3), axis=0))` in float32: per axis the mean and the sum
 * of squared deviations are accumulated row by row, each step rounded to float32.
 */
export function motionF32(kpt: Float32Array, frames: readonly number[] | null): number {
  const rows: number[] = [];
  const frameList = frames ?? Array.from({ length: kpt.length / POINT }, (_, f) => f);
  for (const f of frameList) for (let j = 0; j < NTU_JOINTS; j++) rows.push(f * POINT + j * 3);
  const n = rows.length;
  let total = 0;
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    for (const r of rows) sum = Math.fround(sum + kpt[r + c]);
    const mean = Math.fround(sum / n);
    let sq = 0;
    for (const r of rows) {
      const d = Math.fround(kpt[r + c] - mean);
      sq = Math.fround(sq + Math.fround(d * d));
    }
    total = Math.fround(total + Math.fround(sq / n));
  }
  return total;
}

function spreadDenoising(items: Ranked[]): Ranked[] {
  const kept = items.filter((item) => {
    const valid = validFramesBySpread(item.body);
    if (valid.length === item.body.frames) return true;
    const ratio = valid.length / item.body.frames;
    if (1 - ratio >= SPREAD_NOISE_RATIO) return false;
    item.motion = Math.min(item.motion, motionF32(item.body.kpt, valid));
    return true;
  });
  return sortByMotion(kept);
}

function validFramesBySpread(b: SkeletonBody): number[] {
  const valid: number[] = [];
  for (let f = 0; f < b.frames; f++) {
    let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
    for (let j = 0; j < NTU_JOINTS; j++) {
      const x = b.kpt[f * POINT + j * 3];
      const y = b.kpt[f * POINT + j * 3 + 1];
      xmin = Math.min(xmin, x); xmax = Math.max(xmax, x);
      ymin = Math.min(ymin, y); ymax = Math.max(ymax, y);
    }
    if (Math.fround(xmax - xmin) <= WH_RATIO * Math.fround(ymax - ymin)) valid.push(f);
  }
  return valid;
}

interface Span { s: number; e: number }

function placeOnTwoTracks(bodies: readonly SkeletonBody[], opts: NtuPreprocessOptions): BodyArray | NoBodyArray {
  const tmax = Math.max(...bodies.map((b) => b.start + b.frames));
  const kp = new Float32Array(2 * tmax * POINT);
  const write = (track: number, b: SkeletonBody): void => kp.set(b.kpt, (track * tmax + b.start) * POINT);
  const overlaps = (span: Span | null, s: number, e: number): boolean => span !== null && Math.max(span.s, s) < Math.min(span.e, e);
  const first = bodies[0];
  const track0: Span = { s: first.start, e: first.start + first.frames };
  // The original's track 1 starts as the range [0, 0): never overlapping, but its union with the
  // first body placed there reaches back to frame 0.
  let track1: Span | null = opts.reproduceOriginalBugs ? { s: 0, e: 0 } : null;
  write(0, first);
  const dropped: string[] = [];
  for (const b of bodies.slice(1)) {
    const s = b.start, e = b.start + b.frames;
    if (!overlaps(track0, s, e)) {
      write(0, b);
      track0.s = Math.min(s, track0.s); track0.e = Math.max(e, track0.e);
    } else if (!overlaps(track1, s, e)) {
      write(1, b);
      track1 = track1 === null ? { s, e } : { s: Math.min(s, track1.s), e: Math.max(e, track1.e) };
    } else {
      dropped.push(b.id);
    }
  }
  const frameSum = (t: number): number => {
    let sum = 0;
    for (let p = 0; p < 2; p++) {
      const o = (p * tmax + t) * POINT;
      for (let k = 0; k < POINT; k++) sum += Math.abs(kp[o + k]);
    }
    return sum;
  };
  let start = 0, end = tmax;
  while (start < tmax && frameSum(start) < EPS) start++;
  if (start === tmax) return { kind: 'all-zero' };
  while (frameSum(end - 1) < EPS) end--;
  const frames = end - start;
  const out = new Float32Array(2 * frames * POINT);
  for (let p = 0; p < 2; p++) out.set(kp.subarray((p * tmax + start) * POINT, (p * tmax + end) * POINT), p * frames * POINT);
  // Swap the tracks if track 0 is absent (spine middle ~0) in the first frame while track 1 is not.
  const spine = (p: number): number => { const o = p * frames * POINT + 3; return Math.abs(out[o]) + Math.abs(out[o + 1]) + Math.abs(out[o + 2]); };
  if (spine(0) < EPS && spine(1) > EPS) {
    const t0 = out.slice(0, frames * POINT);
    out.copyWithin(0, frames * POINT);
    out.set(t0, frames * POINT);
  }
  return { kind: 'keypoint', keypoint: out, persons: 2, frames, dropped };
}

/** Preprocesses one file's text into its annotation (null when there is no body). */
export function preprocessSample(name: string, text: string, file: string, opts: NtuPreprocessOptions = {}): NtuSampleResult {
  const parsed = parseNtuName(name);
  if (!parsed) throw new DataError({ file }, `file name '${name}' does not follow the NTU pattern SsssCcccPpppRrrrAaaa`);
  const result = bodiesToKeypoint(parseSkeletonText(text, file), opts);
  if (opts.reproduceOriginalBugs && result.kind === 'all-noise') {
    throw new DataError({ file }, 'every body is spread noise (x extent > 0.8 × y extent); the original preprocessor fails its assertion here');
  }
  if (opts.reproduceOriginalBugs && result.kind === 'all-zero') {
    throw new DataError({ file }, 'every frame of the placed bodies is zero; the original preprocessor crashes here (IndexError in non_zero)');
  }
  if (result.kind !== 'keypoint') return { annotation: null, dropped: [] };
  const keypoint = zeros('float16', [result.persons, result.frames, NTU_JOINTS, 3]);
  for (let i = 0; i < result.keypoint.length; i++) keypoint.data[i] = toHalf(result.keypoint[i]);
  return { annotation: { frame_dir: name, label: ntuLabel(parsed), keypoint, total_frames: result.frames }, dropped: result.dropped };
}

export interface NtuDataset {
  readonly split: Map<string, string[]>;
  readonly annotations: (NtuAnnotation | null)[];
}

export interface NtuPreprocessResult {
  readonly ntu60: NtuDataset;
  /** Present when any sample has an action id above 60. */
  readonly ntu120: NtuDataset | null;
  /** Names skipped because they are on the missing list. */
  readonly skippedMissing: readonly string[];
  /** Names whose files hold no usable body (None annotations when reproducing, else left out). */
  readonly empty: readonly string[];
  /** Name → ids of bodies dropped for overlapping both tracks. */
  readonly dropped: ReadonlyMap<string, readonly string[]>;
}

/** Reads a missing-sample list (one name per line; trailing empty lines ignored). */
export function readMissingList(path: string): Set<string> {
  const lines = readFileSync(path, 'utf8').split(/\r\n|\r|\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return new Set(lines);
}

/**
 * Preprocesses every `*.skeleton` file of `dir` (names sorted, missing ones removed). `onProgress`
 * is called after each file.
 */
export function preprocessNtuDirectory(
  dir: string,
  missing: ReadonlySet<string>,
  opts: NtuPreprocessOptions = {},
  onProgress?: (done: number, total: number) => void,
): NtuPreprocessResult {
  const all = readdirSync(dir).filter((f) => f.endsWith('.skeleton')).map((f) => f.slice(0, -'.skeleton'.length)).sort(compareCodeUnits);
  const names = all.filter((n) => !missing.has(n));
  const annotations = new Map<string, NtuAnnotation | null>();
  const dropped = new Map<string, readonly string[]>();
  names.forEach((name, i) => {
    const file = join(dir, `${name}.skeleton`);
    const r = preprocessSample(name, readFileSync(file, 'latin1'), file, opts);
    annotations.set(name, r.annotation);
    if (r.dropped.length > 0) dropped.set(name, r.dropped);
    onProgress?.(i + 1, names.length);
  });
  const empty = names.filter((n) => annotations.get(n) === null);
  const kept = opts.reproduceOriginalBugs ? names : names.filter((n) => annotations.get(n) !== null);
  const action = (n: string): number => parseNtuName(n)?.action as number;
  const build = (members: string[], rules: typeof NTU60_SPLITS): NtuDataset => ({
    split: assignSplits(members, rules),
    annotations: members.map((n) => annotations.get(n) ?? null),
  });
  const extended = kept.some((n) => action(n) > NTU60_MAX_ACTION);
  return {
    ntu60: build(kept.filter((n) => action(n) <= NTU60_MAX_ACTION), NTU60_SPLITS),
    ntu120: extended ? build(kept, NTU120_SPLITS) : null,
    skippedMissing: all.filter((n) => missing.has(n)),
    empty,
    dropped,
  };
}

/** Python's default string order (code points; names are ASCII). */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
