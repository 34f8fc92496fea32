/**
 * PoseDecode gathers the sampled frames; DecompressPose (both in skeletonagent/datasets/pipelines/)
 * turns the Kinetics instance list into dense per-person arrays.
 */
import { bool, int, object, withDefault } from '../../schema.js';
import { type NdArray, shapeString } from '../../io/ndarray.js';
import { toHalf } from '../../io/float16.js';
import { type FloatArray, floatValues, takeAxis1, toFloat32 } from '../array/float.js';
import { numpyRowSum } from '../array/reduce.js';
import { int64Array, intValues, requireFloatArray, requireInt, requireKey } from '../record.js';
import { isNdArray } from '../../io/ndarray.js';
import { type PipelineRecord, TransformError } from '../types.js';
import { defineOp } from './op.js';

function frameIndexArray(rec: PipelineRecord, op: string): number[] {
  const v = requireKey(rec, 'frame_inds', op);
  if (!isNdArray(v)) throw new TransformError(op, `'frame_inds' must be an integer array, got ${typeof v}`);
  if (v.shape.filter((d) => d !== 1).length > 1) throw new TransformError(op, `'frame_inds' must be 1-D after squeezing, got shape ${shapeString(v.shape)}`);
  return intValues(v, 'frame_inds', op);
}

export const poseDecode = defineOp({
  args: object({}),
  create: () => (rec) => {
    const op = 'PoseDecode';
    if (!('frame_inds' in rec)) rec.frame_inds = int64Array(Array.from({ length: requireInt(rec, 'total_frames', op) }, (_, i) => i));
    const offset = 'offset' in rec ? requireInt(rec, 'offset', op) : 0;
    const inds = frameIndexArray(rec, op).map((i) => i + offset);
    if ('keypoint_score' in rec) rec.keypoint_score = toFloat32(takeAxis1(requireFloatArray(rec, 'keypoint_score', op), inds, op));
    if ('keypoint' in rec) rec.keypoint = toFloat32(takeAxis1(requireFloatArray(rec, 'keypoint', op), inds, op));
    return rec;
  },
});

/** Rank of every value among the sorted unique values (frames without skeletons disappear). */
function squeezeFrames(frames: readonly number[]): number[] {
  const unique = [...new Set(frames)].sort((a, b) => a - b);
  const rank = new Map(unique.map((f, i) => [f, i]));
  return frames.map((f) => rank.get(f) as number);
}

/** Keeps the instances selected by `anno_inds` (a bool mask or integer indices). */
function selectInstances(annoInds: NdArray, count: number, op: string): number[] {
  const values = intValues(annoInds, 'anno_inds', op);
  if (annoInds.dtype !== 'bool') return values;
  if (values.length !== count) throw new TransformError(op, `'anno_inds' has ${values.length} entries for ${count} instances`);
  return values.flatMap((keep, i) => (keep ? [i] : []));
}

/** Half bits of any float value (numpy's assignment into a float16 array rounds once). */
function halfBitsOf(arr: FloatArray): (i: number) => number {
  if (arr.dtype === 'float16') {
    const bits = arr.data as Uint16Array;
    return (i) => bits[i];
  }
  const v = arr.data as Float32Array | Float64Array;
  return (i) => toHalf(v[i]);
}

export const decompressPose = defineOp({
  args: object({ squeeze: withDefault(bool(), true), max_person: withDefault(int({ min: 1 }), 10) }),
  create: ({ squeeze, max_person: maxPerson }) => (rec) => {
    const op = 'DecompressPose';
    let totalFrames = requireInt(rec, 'total_frames', op);
    let frames = frameIndexArray(rec, op);
    delete rec.frame_inds;
    const kp = requireFloatArray(rec, 'keypoint', op, 3);
    const [count, joints, channels] = kp.shape;
    if (channels !== 3) throw new TransformError(op, `compressed keypoint must be [instances, joints, 3] (x, y, score), got ${shapeString(kp.shape)}`);
    if (frames.length !== count) throw new TransformError(op, `'frame_inds' has ${frames.length} entries for ${count} instances`);
    let instances = frames.map((_, i) => i);
    if ('anno_inds' in rec) {
      const anno = requireKey(rec, 'anno_inds', op);
      if (!isNdArray(anno)) throw new TransformError(op, "'anno_inds' must be an array");
      instances = selectInstances(anno, count, op);
      frames = instances.map((i) => frames[i]);
    }
    if (frames.length === 0) throw new TransformError(op, 'the sample has no skeleton instance');
    for (let i = 1; i < frames.length; i++) {
      if (frames[i] < frames[i - 1]) throw new TransformError(op, `'frame_inds' must be non-decreasing (index ${i}: ${frames[i - 1]} then ${frames[i]})`);
    }
    if (squeeze) {
      frames = squeezeFrames(frames);
      totalFrames = frames[frames.length - 1] + 1;
    }
    rec.total_frames = totalFrames;
    if (frames[0] < 0 || frames[frames.length - 1] >= totalFrames) throw new TransformError(op, `frame index out of range for total_frames ${totalFrames}`);

    // Person slots: the k-th instance met for a frame goes to slot k.
    const perFrame = new Array<number>(totalFrames).fill(0);
    const slots = frames.map((f) => perFrame[f]++);
    const persons = Math.max(...perFrame); // scipy.stats.mode(frame_inds) count
    const kpBits = new Uint16Array(persons * totalFrames * joints * 2);
    const scoreBits = new Uint16Array(persons * totalFrames * joints);
    const bitsOf = halfBitsOf(kp);
    instances.forEach((inst, n) => {
      const dst = slots[n] * totalFrames + frames[n];
      for (let j = 0; j < joints; j++) {
        const src = (inst * joints + j) * 3;
        kpBits[(dst * joints + j) * 2] = bitsOf(src);
        kpBits[(dst * joints + j) * 2 + 1] = bitsOf(src + 1);
        scoreBits[dst * joints + j] = bitsOf(src + 2);
      }
    });

    let kept = persons;
    if (persons > maxPerson) {
      reorderByScore(kpBits, scoreBits, perFrame, persons, totalFrames, joints);
      kept = maxPerson;
      rec.num_person = maxPerson;
    }
    rec.keypoint = { dtype: 'float16', shape: [kept, totalFrames, joints, 2], data: kpBits.slice(0, kept * totalFrames * joints * 2) };
    rec.keypoint_score = { dtype: 'float16', shape: [kept, totalFrames, joints], data: scoreBits.slice(0, kept * totalFrames * joints) };
    return rec;
  },
});

/**
 * Sorts every frame's occupied slots by decreasing summed score (float16 sums as numpy computes
 * them; ties keep slot order, like Python's stable `sorted`).
 */
function reorderByScore(kpBits: Uint16Array, scoreBits: Uint16Array, perFrame: readonly number[], persons: number, frames: number, joints: number): void {
  const scores = { dtype: 'float16' as const, shape: [persons, frames, joints], data: scoreBits };
  const values = floatValues(scores);
  for (let f = 0; f < frames; f++) {
    const n = perFrame[f];
    const sums = Array.from({ length: n }, (_, p) => numpyRowSum(scores, values, (p * frames + f) * joints, joints));
    const order = Array.from({ length: n }, (_, p) => p).sort((a, b) => sums[b] - sums[a]);
    const kpRows = order.map((p) => kpBits.slice((p * frames + f) * joints * 2, (p * frames + f + 1) * joints * 2));
    const scoreRows = order.map((p) => scoreBits.slice((p * frames + f) * joints, (p * frames + f + 1) * joints));
    order.forEach((_, slot) => {
      kpBits.set(kpRows[slot], (slot * frames + f) * joints * 2);
      scoreBits.set(scoreRows[slot], (slot * frames + f) * joints);
    });
  }
}
