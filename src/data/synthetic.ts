/**
 * The project's built-in data: synthetic skeleton action datasets written as PYSKL annotation
 * pickles, so that training and tests run through the real loading path. Each class is a distinct
 * motion of a kinematic stick figure (synth/actions.ts); samples vary in length (40–160 frames),
 * speed, amplitude, body size, position and facing, carry sensor noise, randomly missing joints
 * (zeros) and missing frames, and sometimes a second, idle person. Output is deterministic for a
 * seed and shaped like the real files of the layout:
 *
 * - `nturgb+d`: NTU names and `xsub_*` / `xview_*` splits, float16 [M, T, 25, 3] camera metres;
 * - `coco`: FineGYM-style ids, `train` / `val`, float16 [M, T, 17, 2] pixels + float16 scores,
 *   `img_shape` / `original_shape` (720, 1280);
 * - `uav`: UAV-Human names, `csv1_*` / `csv2_*`, float64 [M, T, 17, 2] pixels + float32 ones.
 */
import { type NdArray, zeros } from '../io/ndarray.js';
import { type PysklFileContent, type AnnotationFieldValue, writeAnnotationPickle } from './pyskl-writer.js';
import { ACTIONS, type ActionRecipe, type ActionStyle, IDLE } from './synth/actions.js';
import { type DepthSensor, type ImageSensor, JOINT_LANDMARKS, SYNTH_STYLES, type SynthLayout } from './synth/layouts.js';
import { syntheticSplits, uniqueSampleName } from './synth/names.js';
import { SynthRng } from './synth/rng.js';
import { LANDMARKS, LANDMARK_INDEX, forwardKinematics, restPose } from './synth/stick-figure.js';

export { SYNTH_LAYOUTS, type SynthLayout, isSynthLayout } from './synth/layouts.js';

/** Class names, index = label. */
export const SYNTH_CLASS_NAMES: readonly string[] = ACTIONS.map((a) => a.name);

export interface SynthOptions {
  readonly layout: SynthLayout;
  /** Number of classes, the first ones of SYNTH_CLASS_NAMES (default 12). */
  readonly classes?: number;
  /** Samples per class (default 40). */
  readonly perClass?: number;
  readonly seed?: number;
  /** Sequence length range, inclusive (default 40–160). */
  readonly minFrames?: number;
  readonly maxFrames?: number;
}

/** Chances of the imperfections real captures have. */
const IMPERFECTIONS = {
  secondPerson: 0.3,
  missingJoint: 0.01,
  missingFrame: 0.02,
  /** NTU files often start / end with empty frames. */
  zeroEdges: 0.3,
} as const;

export function generateSynthetic(opts: SynthOptions): PysklFileContent {
  const classes = opts.classes ?? 12;
  const perClass = opts.perClass ?? 40;
  const seed = opts.seed ?? 0;
  const minFrames = opts.minFrames ?? 40;
  const maxFrames = opts.maxFrames ?? 160;
  if (!Number.isInteger(classes) || classes < 1 || classes > ACTIONS.length) throw new RangeError(`classes must be 1..${ACTIONS.length}, got ${classes}`);
  if (!Number.isInteger(perClass) || perClass < 1) throw new RangeError(`per-class must be a positive integer, got ${perClass}`);
  if (!(Number.isInteger(minFrames) && minFrames >= 2 && maxFrames >= minFrames)) throw new RangeError(`frame range ${minFrames}..${maxFrames} is invalid`);
  const taken = new Set<string>();
  const trainNames = new Set<string>();
  const samples: { name: string; fields: Record<string, AnnotationFieldValue> }[] = [];
  for (let label = 0; label < classes; label++) {
    for (let k = 0; k < perClass; k++) {
      const rng = new SynthRng(mixSeed(seed, label, k));
      const { name, train } = uniqueSampleName(opts.layout, label, rng, taken);
      if (train) trainNames.add(name);
      const frames = rng.int(minFrames, maxFrames);
      samples.push({ name, fields: renderSample(opts.layout, name, label, frames, rng) });
    }
  }
  // The NTU and UAV preprocessors write samples sorted by name.
  if (opts.layout !== 'coco') samples.sort((a, b) => (a.name < b.name ? -1 : 1));
  const names = samples.map((s) => s.name);
  return { split: syntheticSplits(opts.layout, names, (n) => trainNames.has(n)), annotations: samples.map((s) => s.fields) };
}

/** Generates and writes a dataset (atomic). Protocol 4 by default: smaller and faster than 2. */
export function writeSynthetic(path: string, opts: SynthOptions, protocol: 2 | 4 = 4): PysklFileContent {
  const content = generateSynthetic(opts);
  writeAnnotationPickle(path, content, protocol);
  return content;
}

const LANDMARK_COUNT = LANDMARKS.length;

function mixSeed(seed: number, label: number, k: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(label + 1, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35);
  h ^= h >>> 15;
  return Math.imul(h, 0x27d4eb2f) >>> 0;
}

interface Performer {
  readonly recipe: ActionRecipe;
  readonly style: ActionStyle;
  readonly height: number;
  readonly yaw: number;
  readonly x: number;
  readonly z: number;
  /** Frames [from, to) in which the person is visible. */
  readonly from: number;
  readonly to: number;
}

function renderSample(layout: SynthLayout, name: string, label: number, t: number, rng: SynthRng): Record<string, AnnotationFieldValue> {
  const style = SYNTH_STYLES[layout];
  const main: Performer = {
    recipe: ACTIONS[label],
    style: { cycles: Math.min(5, Math.max(1, t / rng.uniform(28, 55))), amp: rng.uniform(0.85, 1.15) },
    height: rng.uniform(1.5, 1.9),
    yaw: rng.uniform(-0.5, 0.5),
    x: rng.uniform(-0.4, 0.4),
    z: rng.uniform(style.depth[0], style.depth[1]),
    from: 0,
    to: t,
  };
  const persons = [main];
  if (rng.chance(IMPERFECTIONS.secondPerson)) {
    const side = rng.chance(0.5) ? 1 : -1;
    // UAV files keep a constant body count, so a second UAV person is there throughout.
    const partial = layout !== 'uav';
    persons.push({
      recipe: IDLE,
      style: { cycles: rng.uniform(1, 3), amp: 1 },
      height: rng.uniform(1.5, 1.9),
      yaw: -side * rng.uniform(0.3, 1.0),
      x: main.x + side * rng.uniform(0.8, 1.2),
      z: main.z + rng.uniform(-0.4, 0.4),
      from: partial ? rng.int(0, Math.floor(t * 0.3)) : 0,
      to: partial ? t - rng.int(0, Math.floor(t * 0.3)) : t,
    });
  }
  const joints = JOINT_LANDMARKS[layout].map((name) => LANDMARK_INDEX[name]);
  const v = joints.length;
  const m = persons.length;
  const sensor = style.sensor;
  const c = sensor.kind === 'depth' ? 3 : 2;
  const keypoint = zeros(style.keypointDtype, [m, t, v, c]);
  const score = style.scoreDtype ? zeros(style.scoreDtype, [m, t, v]) : null;
  const constantScore = sensor.kind === 'image' && sensor.score === null;
  if (score && constantScore) score.data.fill(1); // UAV files: ones everywhere, missing joints included
  const put = writerFor(keypoint);
  const putScore = score ? writerFor(score) : null;
  const frameDropped = Array.from({ length: t }, () => rng.chance(IMPERFECTIONS.missingFrame));
  if (layout === 'nturgb+d' && rng.chance(IMPERFECTIONS.zeroEdges)) {
    const lead = rng.int(1, 4), trail = rng.int(0, 3);
    for (let f = 0; f < t; f++) if (f < lead || f >= t - trail) frameDropped[f] = true;
  }
  const pts = new Float64Array(LANDMARK_COUNT * 3);
  const observe = sensor.kind === 'depth' ? depthObserver(sensor, rng) : imageObserver(sensor, rng);
  const xyz = new Float64Array(3);
  persons.forEach((person, p) => {
    for (let f = 0; f < t; f++) {
      if (f < person.from || f >= person.to || frameDropped[f]) continue;
      const pose = restPose();
      person.recipe.animate(pose, t > 1 ? f / (t - 1) : 0, person.style);
      const yaw = pose.yaw + person.yaw;
      forwardKinematics(pose, person.height, pts);
      const cy = Math.cos(yaw), sy = Math.sin(yaw);
      for (let j = 0; j < v; j++) {
        if (rng.chance(IMPERFECTIONS.missingJoint)) continue;
        const li = joints[j] * 3;
        const lx = pts[li], ly = pts[li + 1], lz = pts[li + 2];
        // Person frame (left, up, forward) → camera frame; yaw 0 faces the camera (forward = −Z).
        xyz[0] = person.x + lx * cy + lz * sy;
        xyz[1] = ly;
        xyz[2] = person.z + lx * sy - lz * cy;
        const point = (p * t + f) * v + j;
        observe(xyz, point * c, put);
        if (putScore && sensor.kind === 'image' && sensor.score) putScore(point, rng.uniform(sensor.score[0], sensor.score[1]));
      }
    }
  });
  switch (layout) {
    case 'nturgb+d':
      return { frame_dir: name, label, keypoint, total_frames: t };
    case 'coco': {
      const image = sensor as ImageSensor;
      const hw: [number, number] = [image.height, image.width];
      return { frame_dir: name, label, img_shape: hw, original_shape: hw, total_frames: t, keypoint, keypoint_score: score as NdArray };
    }
    case 'uav':
      return { frame_dir: name, label, keypoint, keypoint_score: score as NdArray, total_frames: t };
  }
}

type Put = (i: number, x: number) => void;

/** Camera metres with sensor noise (Kinect-like). */
function depthObserver(sensor: DepthSensor, rng: SynthRng): (p: Float64Array, o: number, put: Put) => void {
  const { noise, height } = sensor;
  return (p, o, put) => {
    put(o, p[0] + noise * rng.noise());
    put(o + 1, p[1] - height + noise * rng.noise());
    put(o + 2, p[2] + noise * rng.noise());
  };
}

/** Pinhole projection to pixels (image y down) with noise. */
function imageObserver(sensor: ImageSensor, rng: SynthRng): (p: Float64Array, o: number, put: Put) => void {
  const { noise, focal, elevation } = sensor;
  const cx = sensor.width / 2, cy = sensor.height / 2;
  return (p, o, put) => {
    put(o, cx + (focal * p[0]) / p[2] + noise * rng.noise());
    put(o + 1, cy - (focal * (p[1] - elevation)) / p[2] + noise * rng.noise());
  };
}

/** Stores a number into a float array; float16 arrays get the value's half bits. */
function writerFor(arr: NdArray): Put {
  const data = arr.data as Uint16Array | Float32Array | Float64Array;
  if (arr.dtype === 'float16') return (i, x) => { data[i] = float32ToHalfBits(x); };
  return (i, x) => { data[i] = x; };
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/**
 * float → IEEE half bits, round to nearest even, through float32 (so a double is rounded twice).
 * io/float16's toHalf rounds doubles once but is slower (docs/performance.md); for generated noise-carrying data the
 * double rounding does not matter and this keeps generation fast.
 */
function float32ToHalfBits(x: number): number {
  f32[0] = x;
  const b = f32Bits[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  let h: number;
  let rem: number;
  let halfway: number;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    h = mant >>> shift;
    rem = mant & ((1 << shift) - 1);
    halfway = 1 << (shift - 1);
  } else {
    h = (e << 10) | (mant >>> 13);
    rem = mant & 0x1fff;
    halfway = 0x1000;
  }
  if (rem > halfway || (rem === halfway && (h & 1) === 1)) h++; // a carry into the exponent is correct
  return sign | h;
}
