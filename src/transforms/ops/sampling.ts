/**
 * Frame sampling (`UniformSampleDecode`, `UniformSampleFrames` in
 * skeletonagent/datasets/pipelines/sampling.py): three regimes by sequence length, all draws from
 * numpy's global generator, re-seeded with `seed` for every sample in test mode.
 */
import { int, number, object, tuple, union, withDefault } from '../../schema.js';
import type { NumpyRandomState } from '../../rng/numpy.js';
import { appendScoreChannel, takeAxis1, toFloat32 } from '../array/float.js';
import { int64Array, requireFloatArray, requireInt } from '../record.js';
import { TransformError } from '../types.js';
import { defineOp } from './op.js';

export interface SamplingOptions {
  readonly clipLen: number;
  readonly numClips: number;
  /** Fraction of the sequence each clip is drawn from: [low, high] (the configs use [1, 1]). */
  readonly pInterval: readonly [number, number];
}

/**
 * Indices of one clip of `clipLen` frames from a window of `n` frames (before the window offset).
 * `shortClip` handles the n < clipLen regime, which differs between the two samplers.
 */
function clipIndices(n: number, clipLen: number, rng: NumpyRandomState, shortClip: () => number[]): number[] {
  if (n < clipLen) return shortClip();
  if (n < 2 * clipLen) {
    // Insert n - clipLen one-frame skips at distinct positions of 0..clipLen.
    const chosen = rng.choice(clipLen + 1, n - clipLen, false);
    const step = new Array<number>(clipLen + 1).fill(0);
    for (const c of chosen) step[c] = 1;
    const inds = new Array<number>(clipLen);
    let skipped = 0;
    for (let i = 0; i < clipLen; i++) {
      skipped += step[i];
      inds[i] = i + skipped;
    }
    return inds;
  }
  // One random frame from each of clipLen equal segments.
  const bids = Array.from({ length: clipLen + 1 }, (_, i) => Math.floor((i * n) / clipLen));
  const offsets = rng.randintArray(bids.slice(1).map((b, i) => b - bids[i]));
  return offsets.map((o, i) => bids[i] + o);
}

/** Draws the interval ratio and window offset, as both samplers do before every clip. */
function window(total: number, o: SamplingOptions, rng: NumpyRandomState): { n: number; off: number } {
  const [lo, hi] = o.pInterval;
  const ratio = rng.rand() * (hi - lo) + lo; // drawn even when p_interval is (1, 1)
  const n = Math.trunc(ratio * total);
  const off = rng.randint(total - n + 1); // randint(1) consumes nothing
  return { n, off };
}

/** The frames UniformSampleDecode gathers (all clips, concatenated). */
export function decodeIndices(total: number, o: SamplingOptions, rng: NumpyRandomState): number[] {
  const all: number[] = [];
  for (let clip = 0; clip < o.numClips; clip++) {
    const { n, off } = window(total, o, rng);
    const inds = clipIndices(n, o.clipLen, rng, () => {
      const start = rng.randint(0, n); // random start even in test mode (docs/original.md)
      return Array.from({ length: o.clipLen }, (_, i) => (start + i) % n);
    });
    for (const i of inds) all.push(i + off);
  }
  return all;
}

/** UniformSampleFrames' `frame_inds` before `mod total` and `+ start_index`. */
function framesIndicesRaw(total: number, o: SamplingOptions, testMode: boolean, rng: NumpyRandomState): number[] {
  const all: number[] = [];
  for (let clip = 0; clip < o.numClips; clip++) {
    const { n, off } = window(total, o, rng);
    const inds = clipIndices(n, o.clipLen, rng, () => {
      const start = !testMode ? rng.randint(0, n) : n < o.numClips ? clip : Math.floor((clip * n) / o.numClips);
      return Array.from({ length: o.clipLen }, (_, i) => start + i);
    });
    for (const i of inds) all.push(i + off);
  }
  return all;
}

/** UniformSampleFrames' final `frame_inds` (test mode re-seeds `seed` first). */
export function frameIndices(total: number, o: SamplingOptions, testMode: boolean, seed: number, rng: NumpyRandomState, startIndex = 0): number[] {
  if (testMode) rng.seed(seed);
  return framesIndicesRaw(total, o, testMode, rng).map((i) => (i % total) + startIndex);
}

const args = object({
  clip_len: int({ min: 1 }),
  num_clips: withDefault(int({ min: 1 }), 1),
  p_interval: withDefault(union([number({ exclusiveMin: 0, max: 1 }), tuple([number({ exclusiveMin: 0, max: 1 }), number({ exclusiveMin: 0, max: 1 })])]), 1 as number | [number, number]),
  seed: withDefault(int({ min: 0, max: 0xffffffff }), 255),
});

function options(a: { clip_len: number; num_clips: number; p_interval: number | readonly [number, number] }): SamplingOptions {
  const p = a.p_interval;
  return { clipLen: a.clip_len, numClips: a.num_clips, pInterval: typeof p === 'number' ? [p, p] : [p[0], p[1]] };
}

export const uniformSampleDecode = defineOp({
  args,
  create: (a) => {
    const o = options(a);
    const op = 'UniformSampleDecode';
    return (rec, rng) => {
      if (rec.test_mode === true) rng.numpy.seed(a.seed);
      let kp = requireFloatArray(rec, 'keypoint', op, 4);
      delete rec.keypoint;
      if ('keypoint_score' in rec) {
        const score = requireFloatArray(rec, 'keypoint_score', op, 3);
        delete rec.keypoint_score;
        kp = appendScoreChannel(kp, score, op);
      }
      const frames = kp.shape[1];
      if (frames === 0) throw new TransformError(op, 'the sequence has no frames');
      const inds = decodeIndices(frames, o, rng.numpy);
      rec.clip_len = o.clipLen;
      rec.frame_interval = null;
      rec.num_clips = o.numClips;
      rec.keypoint = toFloat32(takeAxis1(kp, inds, op)); // gather first: only the sampled frames are cast
      return rec;
    };
  },
});

export const uniformSampleFrames = defineOp({
  args,
  create: (a) => {
    const o = options(a);
    const op = 'UniformSampleFrames';
    return (rec, rng) => {
      const total = requireInt(rec, 'total_frames', op);
      if (total <= 0) throw new TransformError(op, `total_frames is ${total}: there is nothing to sample`);
      const startIndex = requireInt(rec, 'start_index', op);
      if ('keypoint' in rec) {
        const frames = requireFloatArray(rec, 'keypoint', op).shape[1];
        if (frames !== total) throw new TransformError(op, `total_frames (${total}) differs from the keypoint frames (${frames})`);
      }
      const inds = frameIndices(total, o, Boolean(rec.test_mode), a.seed, rng.numpy, startIndex);
      rec.frame_inds = int64Array(inds);
      rec.clip_len = o.clipLen;
      rec.frame_interval = null;
      rec.num_clips = o.numClips;
      return rec;
    };
  },
});
