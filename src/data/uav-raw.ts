/**
 * UAV-Human raw preprocessing (tools/data/uav_preproc.py): per-sample skeleton `.txt` files →
 * `uav_human.pkl`, as the original `tools/data/uav_preproc.py` does, with these deliberate
 * differences:
 *
 * - the output path is the one given (the original always writes a fixed `/data/uav/uav_human.pkl`);
 * - only `*.txt` files are read (the original reads every file of the folder);
 * - a file whose frames have different body counts is padded to the largest count with zero
 *   coordinates and zero scores (the original builds a ragged array and fails); with a constant
 *   count the output is the original's: float64 keypoints, float32 all-ones scores;
 * - a file without any body is left out and reported (the original would store M = 0);
 * - a truncated file fails with the line number.
 *
 * Like the original, lines after the last frame are ignored.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type NdArray, zeros } from '../io/ndarray.js';
import { DataError } from './errors.js';
import { assignUavSplits, parseUavName } from './uav-splits.js';

export const UAV_JOINTS = 17;

export interface UavAnnotation {
  readonly frame_dir: string;
  readonly label: number;
  readonly keypoint: NdArray<'float64'>;
  readonly keypoint_score: NdArray<'float32'>;
  readonly total_frames: number;
}

export interface UavPreprocessResult {
  readonly split: Map<string, string[]>;
  readonly annotations: UavAnnotation[];
  /** Files without any body (left out). */
  readonly empty: readonly string[];
  /** Files whose body count varies over frames (padded). */
  readonly padded: readonly string[];
}

const INT_TOKEN = /^[+-]?\d+$/;
const FLOAT_TOKEN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one file: per frame, per body, 17 (x, y) pairs (float64). */
export function parseUavText(text: string, file: string): Float64Array[][] {
  const lines = text.split(/\r\n|\r|\n/);
  let idx = 0;
  const fail = (problem: string): never => {
    throw new DataError({ file }, `line ${idx + 1}: ${problem}`);
  };
  const next = (what: string): string => {
    if (idx >= lines.length || (idx === lines.length - 1 && lines[idx] === '')) fail(`expected ${what} but the file ends (truncated?)`);
    return lines[idx++];
  };
  const nextInt = (what: string): number => {
    const line = next(what).trim();
    if (!INT_TOKEN.test(line)) { idx--; fail(`expected ${what}, got '${line}'`); }
    return Number(line);
  };
  const frames: Float64Array[][] = [];
  const numFrames = nextInt('the frame count');
  for (let f = 0; f < numFrames; f++) {
    const numBodies = nextInt(`the body count of frame ${f + 1}/${numFrames}`);
    const bodies: Float64Array[] = [];
    for (let b = 0; b < numBodies; b++) {
      next(`the attribute line of body ${b + 1} in frame ${f + 1}`);
      const joints = nextInt(`the joint count of body ${b + 1} in frame ${f + 1}`);
      if (joints !== UAV_JOINTS) { idx--; fail(`expected ${UAV_JOINTS} joints, got ${joints}`); }
      const xy = new Float64Array(UAV_JOINTS * 2);
      for (let j = 0; j < UAV_JOINTS; j++) {
        const tokens = next(`joint ${j + 1} of body ${b + 1} in frame ${f + 1}`).trim().split(/\s+/);
        if (!FLOAT_TOKEN.test(tokens[0] ?? '') || !FLOAT_TOKEN.test(tokens[1] ?? '')) { idx--; fail(`expected x y numbers for joint ${j + 1}, got '${lines[idx].trim()}'`); }
        xy[j * 2] = Number(tokens[0]);
        xy[j * 2 + 1] = Number(tokens[1]);
      }
      bodies.push(xy);
    }
    frames.push(bodies);
  }
  return frames;
}

/** One file → annotation (null when no frame has a body). */
export function uavAnnotation(name: string, frames: Float64Array[][], file = name): { annotation: UavAnnotation | null; padded: boolean } {
  const parsed = parseUavName(name);
  if (!parsed) throw new DataError({ file }, 'name has no subject (P###) or action (A###) field');
  const persons = Math.max(0, ...frames.map((f) => f.length));
  if (persons === 0) return { annotation: null, padded: false };
  const t = frames.length;
  const keypoint = zeros('float64', [persons, t, UAV_JOINTS, 2]);
  const score = zeros('float32', [persons, t, UAV_JOINTS]);
  frames.forEach((bodies, f) => bodies.forEach((xy, m) => {
    keypoint.data.set(xy, (m * t + f) * UAV_JOINTS * 2);
    score.data.fill(1, (m * t + f) * UAV_JOINTS, (m * t + f + 1) * UAV_JOINTS);
  }));
  return {
    annotation: { frame_dir: name, label: parsed.label, keypoint, keypoint_score: score, total_frames: t },
    padded: frames.some((f) => f.length !== persons),
  };
}

/** Preprocesses every `*.txt` file of `dir`, sorted by file name. */
export function preprocessUavDirectory(dir: string, onProgress?: (done: number, total: number) => void): UavPreprocessResult {
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const annotations: UavAnnotation[] = [];
  const empty: string[] = [];
  const padded: string[] = [];
  files.forEach((f, i) => {
    const name = f.slice(0, -4);
    const path = join(dir, f);
    const { annotation, padded: wasPadded } = uavAnnotation(name, parseUavText(readFileSync(path, 'latin1'), path), path);
    if (annotation) annotations.push(annotation);
    else empty.push(name);
    if (wasPadded) padded.push(name);
    onProgress?.(i + 1, files.length);
  });
  return { split: assignUavSplits(annotations.map((a) => a.frame_dir)), annotations, empty, padded };
}
