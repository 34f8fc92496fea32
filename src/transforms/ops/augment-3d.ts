/**
 * NTU training augmentations (skeletonagent/datasets/pipelines/): RandomRot (numpy RNG),
 * Spatial_Flip and Part_Drop (Python RNG).
 */
import { number, object, oneOf, withDefault } from '../../schema.js';
import { shapeString } from '../../io/ndarray.js';
import { PART_DROP_GROUPS, SPATIAL_FLIP_ORDERS } from '../../skeleton/tables.js';
import { allocValues, floatValues, fromValues, takeAxis1 } from '../array/float.js';
import { einsumDot2, einsumDot3, numpyCos, numpySin } from '../array/numpy-math.js';
import { requireFloatArray } from '../record.js';
import { TransformError } from '../types.js';
import { defineOp } from './op.js';

type Mat = number[][];

/** numpy matmul of small matrices, summing products in index order. */
function matmul(a: Mat, b: Mat): Mat {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => (k === 0 ? x * b[0][j] : s + x * b[k][j]), 0)));
}

/** Rz · Ry · Rx for angles (x, y, z), as the original's `_rot3d` (numpy's float64 sin/cos). */
function rotation3d(theta: readonly number[]): Mat {
  const [c0, c1, c2] = theta.map(numpyCos);
  const [s0, s1, s2] = theta.map(numpySin);
  const rx = [[1, 0, 0], [0, c0, s0], [0, -s0, c0]];
  const ry = [[c1, 0, -s1], [0, 1, 0], [s1, 0, c1]];
  const rz = [[c2, s2, 0], [-s2, c2, 0], [0, 0, 1]];
  return matmul(rz, matmul(ry, rx));
}

function rotation2d(theta: number): Mat {
  const c = numpyCos(theta);
  const s = numpySin(theta);
  return [[c, -s], [s, c]];
}

export const randomRot = defineOp({
  args: object({ theta: withDefault(number({ min: 0 }), 0.3) }),
  create: ({ theta }) => (rec, rng) => {
    const op = 'RandomRot';
    const kp = requireFloatArray(rec, 'keypoint', op, 4);
    const v = floatValues(kp);
    if (v.every((x) => Math.abs(x) <= 1e-8)) return rec; // np.all(np.isclose(kp, 0)): no draw
    const c = kp.shape[3];
    if (c !== 2 && c !== 3) throw new TransformError(op, `keypoint must have 2 or 3 channels, got shape ${shapeString(kp.shape)}`);
    // The 2D branch passes only the lower bound, so it samples from [-theta, 1.0) (docs/original.md).
    const rot = c === 3 ? rotation3d(rng.numpy.uniform(-theta, theta, 3)) : rotation2d(rng.numpy.uniform(-theta));
    // einsum('ab,mtvb->mtva', rot, kp), summed in numpy's (AVX-512) order.
    const out = new Float64Array(v.length);
    if (c === 3) {
      const [r0, r1, r2] = rot;
      for (let p = 0; p < v.length; p += 3) {
        const x = v[p], y = v[p + 1], z = v[p + 2];
        out[p] = einsumDot3(r0[0], r0[1], r0[2], x, y, z);
        out[p + 1] = einsumDot3(r1[0], r1[1], r1[2], x, y, z);
        out[p + 2] = einsumDot3(r2[0], r2[1], r2[2], x, y, z);
      }
    } else {
      const [r0, r1] = rot;
      for (let p = 0; p < v.length; p += 2) {
        out[p] = einsumDot2(r0[0], r0[1], v[p], v[p + 1]);
        out[p + 1] = einsumDot2(r1[0], r1[1], v[p], v[p + 1]);
      }
    }
    rec.keypoint = fromValues('float64', kp.shape, out);
    return rec;
  },
});

const FLIP_DATASETS = Object.keys(SPATIAL_FLIP_ORDERS) as (keyof typeof SPATIAL_FLIP_ORDERS)[];

/** Permutes joints (new[v] = old[order[v]]) of an [M, T, V, C] array; coordinates are not mirrored. */
function permuteJoints(kp: ReturnType<typeof requireFloatArray>, order: readonly number[], op: string) {
  const [m, t, joints, c] = kp.shape;
  if (joints <= Math.max(...order)) throw new TransformError(op, `the joint order needs ${Math.max(...order) + 1} joints, keypoint has ${joints}`);
  // Viewing [M*T, V, C] as [M*T, V, C] and gathering axis 1 is exactly kp[:, :, order].
  const flat = takeAxis1({ ...kp, shape: [m * t, joints, c] }, order, op);
  return { ...flat, shape: [m, t, order.length, c] };
}

export const spatialFlip = defineOp({
  args: object({
    dataset: withDefault(oneOf(FLIP_DATASETS), 'nturgb+d'),
    p: withDefault(number({ min: 0, max: 1 }), 0.5),
  }),
  create: ({ dataset, p }) => (rec, rng) => {
    const kp = requireFloatArray(rec, 'keypoint', 'Spatial_Flip', 4);
    if (rng.python.random() < p) rec.keypoint = permuteJoints(kp, SPATIAL_FLIP_ORDERS[dataset], 'Spatial_Flip');
    return rec;
  },
});

export const partDrop = defineOp({
  args: object({ p: withDefault(number({ min: 0, max: 1 }), 0.2) }),
  create: ({ p }) => (rec, rng) => {
    const op = 'Part_Drop';
    const kp = requireFloatArray(rec, 'keypoint', op, 4);
    if (!(rng.python.random() < p)) return rec;
    const joints = PART_DROP_GROUPS[rng.python.randint(0, PART_DROP_GROUPS.length - 1)];
    const [m, t, v, c] = kp.shape;
    if (v < 25) throw new TransformError(op, `the NTU part groups need 25 joints, keypoint has ${v}`);
    const values = allocValues(kp.dtype, m * t * v * c);
    values.set(floatValues(kp));
    for (let f = 0; f < m * t; f++) {
      for (const j of joints) values.fill(0, (f * v + j) * c, (f * v + j + 1) * c);
    }
    rec.keypoint = fromValues(kp.dtype, kp.shape, values);
    return rec;
  },
});
