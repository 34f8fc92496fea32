/**
 * Modality features (`GenSkeFeat`, `Rename`, `MergeSkeFeat` in
 * skeletonagent/datasets/pipelines/pose_related.py): bones, K-bones, motions and their merge,
 * composed by GenSkeFeat. Differences are computed in the input's dtype (float16 for NTU val/test).
 */
import { array, object, oneOf, record, string, withDefault, int } from '../../schema.js';
import { shapeString } from '../../io/ndarray.js';
import { type JointPair, LAYOUT_NAMES, SCORE_AVERAGING_LAYOUTS, getLayout } from '../../skeleton/layouts.js';
import { type FloatArray, allocValues, appendScoreChannel, arithRounder, concatFloat, floatValues, fromValues } from '../array/float.js';
import { requireFloatArray, requireKey } from '../record.js';
import { type PipelineRecord, TransformError } from '../types.js';
import { defineOp } from './op.js';

export const FEATURES = ['j', 'b', 'k', 'jm', 'bm', 'km'] as const;

function checkChannels(arr: FloatArray, op: string, key: string): void {
  const c = arr.shape[3];
  if (c !== 2 && c !== 3) throw new TransformError(op, `'${key}' must have 2 or 3 channels, got shape ${shapeString(arr.shape)}`);
}

/**
 * out[..., v1, :] = in[..., v1, :] - in[..., v2, :] for every pair (float32 result, arithmetic in
 * the input dtype); joints not listed stay 0. With score averaging channel 2 is the mean score.
 */
export function pairDifferences(kp: FloatArray, pairs: readonly JointPair[], averageScore: boolean, op: string): FloatArray {
  checkChannels(kp, op, 'keypoint');
  const [m, t, v, c] = kp.shape;
  const needed = Math.max(...pairs.flat()) + 1;
  if (v < needed) throw new TransformError(op, `the layout needs ${needed} joints, keypoint has ${v} (shape ${shapeString(kp.shape)})`);
  const x = floatValues(kp);
  const round = arithRounder(kp.dtype);
  const out = new Float32Array(x.length);
  const mean = averageScore && c === 3;
  for (let f = 0; f < m * t; f++) {
    const base = f * v * c;
    for (const [v1, v2] of pairs) {
      const a = base + v1 * c;
      const b = base + v2 * c;
      for (let k = 0; k < c; k++) out[a + k] = round(x[a + k] - x[b + k]);
      if (mean) out[a + 2] = round(round(x[a + 2] + x[b + 2]) / 2);
    }
  }
  return fromValues('float32', kp.shape, out);
}

/** out[:, t] = in[:, t+1] - in[:, t]; the last frame stays 0; same dtype as the input. */
export function temporalDifferences(data: FloatArray, averageScore: boolean, op: string, key: string): FloatArray {
  checkChannels(data, op, key);
  const [m, t, v, c] = data.shape;
  const x = floatValues(data);
  const round = arithRounder(data.dtype);
  const out = allocValues(data.dtype, x.length);
  const frame = v * c;
  const mean = averageScore && c === 3;
  for (let p = 0; p < m; p++) {
    for (let f = 0; f < t - 1; f++) {
      const cur = (p * t + f) * frame;
      for (let k = 0; k < frame; k++) out[cur + k] = round(x[cur + frame + k] - x[cur + k]);
      if (mean) for (let j = 0; j < v; j++) out[cur + j * c + 2] = round(round(x[cur + j * c + 2] + x[cur + frame + j * c + 2]) / 2);
    }
  }
  return fromValues(data.dtype, data.shape, out);
}

const layoutArg = withDefault(oneOf(LAYOUT_NAMES), 'nturgb+d');
type Transform = (rec: PipelineRecord) => PipelineRecord;

function jointDifferences(name: string, table: 'bonePairs' | 'kbonePairs', dataset: string, target: string): Transform {
  const layout = getLayout(dataset, `${name}.dataset`);
  const average = SCORE_AVERAGING_LAYOUTS.includes(layout.name);
  return (rec) => {
    rec[target] = pairDifferences(requireFloatArray(rec, 'keypoint', name, 4), layout[table], average, name);
    return rec;
  };
}

function toMotionFn(dataset: string, source: string, target: string): Transform {
  const average = (SCORE_AVERAGING_LAYOUTS as readonly string[]).includes(dataset);
  return (rec) => {
    rec[target] = temporalDifferences(requireFloatArray(rec, source, 'ToMotion', 4), average, 'ToMotion', source);
    return rec;
  };
}

function mergeFn(featList: readonly string[], target: string, axis: number): Transform {
  return (rec) => {
    const feats = featList.map((name) => {
      const f = requireFloatArray(rec, name, 'MergeSkeFeat');
      delete rec[name];
      return f;
    });
    rec[target] = feats.length === 1 ? feats[0] : concatFloat(feats, axis, 'MergeSkeFeat');
    return rec;
  };
}

function renameFn(mapping: Readonly<Record<string, string>>): Transform {
  return (rec) => {
    for (const [from, to] of Object.entries(mapping)) {
      if (!(from in rec)) continue;
      if (to in rec) throw new TransformError('Rename', `cannot rename '${from}' to '${to}': '${to}' already exists`);
      rec[to] = rec[from];
      delete rec[from];
    }
    return rec;
  };
}

export const jointToBone = defineOp({
  args: object({ dataset: layoutArg, target: withDefault(string({ nonEmpty: true }), 'keypoint') }),
  create: ({ dataset, target }) => jointDifferences('JointToBone', 'bonePairs', dataset, target),
});

export const jointToKB = defineOp({
  args: object({ dataset: layoutArg, target: withDefault(string({ nonEmpty: true }), 'keypoint') }),
  create: ({ dataset, target }) => jointDifferences('JointToKB', 'kbonePairs', dataset, target),
});

export const toMotion = defineOp({
  args: object({
    dataset: withDefault(string({ nonEmpty: true }), 'nturgb+d'),
    source: withDefault(string({ nonEmpty: true }), 'keypoint'),
    target: withDefault(string({ nonEmpty: true }), 'motion'),
  }),
  create: ({ dataset, source, target }) => toMotionFn(dataset, source, target),
});

export const mergeSkeFeat = defineOp({
  args: object({
    feat_list: withDefault(array(string({ nonEmpty: true }), { minLength: 1 }), ['keypoint']),
    target: withDefault(string({ nonEmpty: true }), 'keypoint'),
    axis: withDefault(int(), -1),
  }),
  create: ({ feat_list, target, axis }) => mergeFn(feat_list, target, axis),
});

export const rename = defineOp({
  args: object({ mapping: record(string({ nonEmpty: true })) }),
  create: ({ mapping }) => renameFn(mapping),
});

export const genSkeFeat = defineOp({
  args: object({
    dataset: layoutArg,
    feats: withDefault(array(oneOf(FEATURES), { minLength: 1 }), ['j']),
    axis: withDefault(int(), -1),
  }),
  create: ({ dataset, feats, axis }) => {
    const steps: Transform[] = [];
    const has = (f: (typeof FEATURES)[number]) => feats.includes(f);
    if (has('b') || has('bm')) steps.push(jointDifferences('JointToBone', 'bonePairs', dataset, 'b'));
    if (has('k') || has('km')) steps.push(jointDifferences('JointToKB', 'kbonePairs', dataset, 'k'));
    steps.push(renameFn({ keypoint: 'j' }));
    if (has('jm')) steps.push(toMotionFn(dataset, 'j', 'jm'));
    if (has('bm')) steps.push(toMotionFn(dataset, 'b', 'bm'));
    if (has('km')) steps.push(toMotionFn(dataset, 'k', 'km'));
    steps.push(mergeFn(feats, 'keypoint', axis));
    return (rec) => {
      if ('keypoint_score' in rec && 'keypoint' in rec) {
        const op = 'GenSkeFeat';
        if (dataset === 'nturgb+d') throw new TransformError(op, "a keypoint_score cannot be merged for dataset 'nturgb+d'");
        const kp = requireFloatArray(rec, 'keypoint', op, 4);
        if (kp.shape[3] !== 2) throw new TransformError(op, `only 2D keypoints have keypoint_score, keypoint has shape ${shapeString(kp.shape)}`);
        const score = requireFloatArray(rec, 'keypoint_score', op, 3);
        delete rec.keypoint;
        delete rec.keypoint_score;
        rec.keypoint = appendScoreChannel(kp, score, op);
      }
      requireKey(rec, 'keypoint', 'GenSkeFeat');
      return steps.reduce((r, step) => step(r), rec);
    };
  },
});
