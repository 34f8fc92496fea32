/**
 * 2D operations (`Flip`, `Kinetics_Transform` in skeletonagent/datasets/pipelines/): the horizontal
 * Flip (numpy RNG) and the COCO-17 → coco_new-20 expansion.
 */
import { array, int, nullable, number, object, oneOf, record, withDefault } from '../../schema.js';
import { shapeString } from '../../io/ndarray.js';
import { LAYOUT_NAMES } from '../../skeleton/layouts.js';
import { type FloatArray, allocValues, appendScoreChannel, arithRounder, floatValues, fromValues, takeAxis1 } from '../array/float.js';
import { requireFloatArray, requireInt, requireKey } from '../record.js';
import { type PipelineRecord, TransformError } from '../types.js';
import { defineOp } from './op.js';

/** Image width from `img_shape` (h, w). */
function imageWidth(rec: PipelineRecord, op: string): number {
  const shape = requireKey(rec, 'img_shape', op);
  const w = Array.isArray(shape) && shape.length === 2 ? shape[1] : undefined;
  if (typeof w !== 'number' || !Number.isFinite(w)) throw new TransformError(op, `'img_shape' must be (height, width), got ${JSON.stringify(shape)}`);
  return w;
}

/** Mirrors x (channel 0) as W - x where x != 0, in the array's dtype. */
function mirrorX(kp: FloatArray, width: number): FloatArray {
  const c = kp.shape[kp.shape.length - 1];
  const v = floatValues(kp);
  const round = arithRounder(kp.dtype);
  const out = allocValues(kp.dtype, v.length);
  out.set(v);
  for (let i = 0; i < v.length; i += c) if (v[i] !== 0) out[i] = round(width - v[i]);
  return fromValues(kp.dtype, kp.shape, out);
}

/** Permutes axis 2 of an [M, T, V, ...] array. */
function permuteAxis2(arr: FloatArray, order: readonly number[], op: string): FloatArray {
  const [m, t, ...rest] = arr.shape;
  const flat = takeAxis1({ ...arr, shape: [m * t, ...rest] } as FloatArray, order, op);
  return { ...flat, shape: [m, t, ...flat.shape.slice(1)] } as FloatArray;
}

export const flip = defineOp({
  args: object({
    flip_ratio: withDefault(number({ min: 0, max: 1 }), 0.5),
    // The original also names 'vertical', but its keypoint flip always mirrors x.
    direction: withDefault(oneOf(['horizontal']), 'horizontal'),
    flip_label_map: withDefault(nullable(record(int({ min: 0 }))), null),
    left_kp: withDefault(nullable(array(int({ min: 0 }))), null),
    right_kp: withDefault(nullable(array(int({ min: 0 }))), null),
  }),
  create: (a) => {
    const op = 'Flip';
    if ((a.left_kp?.length ?? 0) !== (a.right_kp?.length ?? 0)) {
      throw new TransformError(op, `left_kp and right_kp must have the same length (${a.left_kp?.length ?? 0} vs ${a.right_kp?.length ?? 0})`);
    }
    return (rec, rng) => {
      requireKey(rec, 'modality', op);
      const doFlip = rng.numpy.rand() < a.flip_ratio; // drawn for every sample
      rec.flip = doFlip;
      rec.flip_direction = a.direction;
      const width = imageWidth(rec, op);
      if (!doFlip) return rec;
      if (a.flip_label_map) {
        const label = requireInt(rec, 'label', op);
        rec.label = a.flip_label_map[String(label)] ?? label;
      }
      if (!('keypoint' in rec)) return rec;
      const kp = requireFloatArray(rec, 'keypoint', op, 4);
      const order = Array.from({ length: kp.shape[2] }, (_, i) => i);
      (a.left_kp ?? []).forEach((left, i) => {
        const right = (a.right_kp as number[])[i];
        if (Math.max(left, right) >= order.length) throw new TransformError(op, `left/right keypoint ${Math.max(left, right)} is out of range for ${order.length} joints`);
        order[left] = right;
        order[right] = left;
      });
      rec.keypoint = permuteAxis2(mirrorX(kp, width), order, op);
      if ('keypoint_score' in rec) rec.keypoint_score = permuteAxis2(requireFloatArray(rec, 'keypoint_score', op, 3), order, op);
      return rec;
    };
  },
});

/** Joints appended by Kinetics_Transform: 17 mid-hip, 18 thorax (between 17 and 19), 19 mid-shoulder. */
const MID_HIP = [11, 12] as const;
const MID_SHOULDER = [5, 6] as const;

export const kineticsTransform = defineOp({
  args: object({ dataset: withDefault(oneOf(LAYOUT_NAMES), 'coco_new') }),
  create: ({ dataset }) => (rec) => {
    const op = 'Kinetics_Transform';
    if ('keypoint_score' in rec && 'keypoint' in rec) {
      if (dataset === 'nturgb+d') throw new TransformError(op, "a keypoint_score cannot be merged for dataset 'nturgb+d'");
      const kp = requireFloatArray(rec, 'keypoint', op, 4);
      if (kp.shape[3] !== 2) throw new TransformError(op, `only 2D keypoints have keypoint_score, keypoint has shape ${shapeString(kp.shape)}`);
      const score = requireFloatArray(rec, 'keypoint_score', op, 3);
      delete rec.keypoint;
      delete rec.keypoint_score;
      rec.keypoint = appendScoreChannel(kp, score, op);
    }
    const kp = requireFloatArray(rec, 'keypoint', op, 4);
    const [m, t, v, c] = kp.shape;
    if (v < 13) throw new TransformError(op, `COCO keypoints need at least 13 joints, got shape ${shapeString(kp.shape)}`);
    const x = floatValues(kp);
    const round = arithRounder(kp.dtype);
    const outV = v + 3;
    const out = new Float32Array(m * t * outV * c);
    for (let f = 0; f < m * t; f++) {
      const src = f * v * c;
      const dst = f * outV * c;
      out.set(x.subarray(src, src + v * c), dst);
      for (let k = 0; k < c; k++) {
        // The two midpoints are computed in the keypoint dtype, the thorax in float64 (the
        // original's float64 buffer), then everything is cast to float32.
        const hip = round(round(x[src + MID_HIP[0] * c + k] + x[src + MID_HIP[1] * c + k]) / 2);
        const shoulder = round(round(x[src + MID_SHOULDER[0] * c + k] + x[src + MID_SHOULDER[1] * c + k]) / 2);
        out[dst + v * c + k] = hip;
        out[dst + (v + 1) * c + k] = (hip + shoulder) / 2;
        out[dst + (v + 2) * c + k] = shoulder;
      }
    }
    rec.keypoint = fromValues('float32', [m, t, outV, c], out);
    return rec;
  },
});
