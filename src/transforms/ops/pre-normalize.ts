/**
 * PreNormalize3D (skeletonagent/datasets/pipelines/): drop the frames where the main person is
 * absent (swapping the two persons when the second is present in more frames), then move the
 * spine-middle joint of the first kept frame to the origin. Arithmetic in the array's dtype
 * (float16 for NTU files).
 */
import { array, bool, int, object, withDefault } from '../../schema.js';
import { shapeString } from '../../io/ndarray.js';
import { allocValues, arithRounder, floatValues, fromValues } from '../array/float.js';
import { numpySum } from '../array/reduce.js';
import { requireFloatArray, requireInt } from '../record.js';
import { TransformError } from '../types.js';
import { defineOp } from './op.js';

const OP = 'PreNormalize3D';
/** numpy `isclose(x, 0)` with default tolerances: |x| <= atol (1e-8); NaN is never close. */
const ZERO_ATOL = 1e-8;

const args = object({
  zaxis: withDefault(array(int({ min: 0 }), { length: 2 }), [0, 1]),
  xaxis: withDefault(array(int({ min: 0 }), { length: 2 }), [8, 4]),
  align_spine: withDefault(bool(), true),
  align_center: withDefault(bool(), true),
});

/** Frames of person `m` that are not entirely ~0. */
function presentFrames(v: ArrayLike<number>, m: number, t: number, frameSize: number): number[] {
  const frames: number[] = [];
  for (let f = 0; f < t; f++) {
    const base = (m * t + f) * frameSize;
    for (let k = 0; k < frameSize; k++) {
      if (!(Math.abs(v[base + k]) <= ZERO_ATOL)) { frames.push(f); break; }
    }
  }
  return frames;
}

export const preNormalize3D = defineOp({
  args,
  create: (a) => {
    // Spine alignment is switched off by every config; the original crashes without centering.
    if (a.align_spine) throw new TransformError(OP, 'align_spine=true is not supported (every config passes align_spine=false)');
    if (!a.align_center) throw new TransformError(OP, 'align_center=false is not supported (the original fails without a body centre)');
    return (rec) => {
      const kp = requireFloatArray(rec, 'keypoint', OP, 4);
      const [persons, frames, joints, channels] = kp.shape;
      const total = 'total_frames' in rec ? requireInt(rec, 'total_frames', OP) : frames;
      if (total !== frames) throw new TransformError(OP, `total_frames (${total}) differs from the keypoint frames (${frames})`);
      if (numpySum(kp) === 0) return rec; // an all-zero sample passes through untouched (no body_center)
      if (persons !== 1 && persons !== 2) throw new TransformError(OP, `keypoint must hold 1 or 2 persons, got ${persons} (shape ${shapeString(kp.shape)})`);
      const v = floatValues(kp);
      const frameSize = joints * channels;
      const idx0 = presentFrames(v, 0, frames, frameSize);
      let keep = idx0;
      let order = [0, 1];
      if (persons === 2) {
        const idx1 = presentFrames(v, 1, frames, frameSize);
        if (idx0.length < idx1.length) { keep = idx1; order = [1, 0]; }
      }
      if (keep.length === 0) throw new TransformError(OP, 'no frame has a non-zero main person (the sample is empty up to 1e-8)');
      const outFrames = keep.length;
      const centerJoint = joints === 25 ? 1 : joints - 1;
      const centerBase = (order[0] * frames + keep[0]) * frameSize + centerJoint * channels;
      const center = Array.from({ length: channels }, (_, c) => v[centerBase + c]);
      const round = arithRounder(kp.dtype);
      const out = allocValues(kp.dtype, persons * outFrames * frameSize);
      for (let p = 0; p < persons; p++) {
        const src = order[p];
        for (let i = 0; i < outFrames; i++) {
          const from = (src * frames + keep[i]) * frameSize;
          const to = (p * outFrames + i) * frameSize;
          for (let j = 0; j < joints; j++) {
            const jb = j * channels;
            let present = false;
            for (let c = 0; c < channels; c++) if (v[from + jb + c] !== 0) present = true;
            // (x - center) * mask: masked joints become (x - center) * 0, a signed zero (or NaN).
            for (let c = 0; c < channels; c++) out[to + jb + c] = round(v[from + jb + c] - center[c]) * (present ? 1 : 0);
          }
        }
      }
      rec.keypoint = fromValues(kp.dtype, [persons, outFrames, joints, channels], out);
      rec.total_frames = outFrames;
      rec.body_center = fromValues(kp.dtype, [channels], Float64Array.from(center));
      return rec;
    };
  },
});
