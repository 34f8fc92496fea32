/**
 * Output formatting (`FormatGCNInput`, `Collect`, `ToTensor` in
 * skeletonagent/datasets/pipelines/formatting.py): person padding and the clip-major reshape, key
 * selection, and the conversion of the selected values into tensor-ready arrays.
 */
import { array, bool, int, object, oneOf, string, withDefault } from '../../schema.js';
import type { NdArray } from '../../io/ndarray.js';
import { allocValues, appendScoreChannel, floatValues, fromValues } from '../array/float.js';
import { int64Array, requireFloatArray, requireInt, requireKey } from '../record.js';
import { isNdArray } from '../../io/ndarray.js';
import { type PipelineRecord, TransformError } from '../types.js';
import { defineOp } from './op.js';

export const formatGCNInput = defineOp({
  args: object({ num_person: withDefault(int({ min: 1 }), 2), mode: withDefault(oneOf(['zero', 'loop']), 'zero') }),
  // mode 'loop' would copy person 0 into the padding, but the original tests for a single person
  // after padding, so it never fires: both modes zero-pad.
  create: ({ num_person: numPerson }) => (rec) => {
    const op = 'FormatGCNInput';
    let kp = requireFloatArray(rec, 'keypoint', op, 4);
    if ('keypoint_score' in rec) kp = appendScoreChannel(kp, requireFloatArray(rec, 'keypoint_score', op, 3), op);
    const [m, t, v, c] = kp.shape;
    const nc = 'num_clips' in rec ? requireInt(rec, 'num_clips', op) : 1;
    if (nc < 1 || t % nc !== 0) throw new TransformError(op, `${t} frames cannot be split into ${nc} clips`);
    const src = floatValues(kp);
    const len = t / nc;
    const personSize = t * v * c;
    const clipSize = len * v * c;
    const out = allocValues(kp.dtype, nc * numPerson * clipSize); // padding persons stay zero
    for (let p = 0; p < Math.min(m, numPerson); p++) {
      for (let clip = 0; clip < nc; clip++) {
        const from = p * personSize + clip * clipSize;
        out.set(src.subarray(from, from + clipSize), (clip * numPerson + p) * clipSize);
      }
    }
    rec.keypoint = fromValues(kp.dtype, [nc, numPerson, len, v, c], out);
    return rec;
  },
});

const DEFAULT_META_KEYS = ['filename', 'label', 'original_shape', 'img_shape', 'pad_shape', 'flip_direction', 'img_norm_cfg'];

export const collect = defineOp({
  args: object({
    keys: array(string({ nonEmpty: true }), { minLength: 1 }),
    meta_keys: withDefault(array(string({ nonEmpty: true })), DEFAULT_META_KEYS),
    meta_name: withDefault(string({ nonEmpty: true }), 'img_metas'),
    nested: withDefault(bool(), false),
  }),
  create: (a) => (rec) => {
    const data: PipelineRecord = {};
    for (const key of a.keys) data[key] = requireKey(rec, key, 'Collect');
    if (a.meta_keys.length > 0) {
      data[a.meta_name] = Object.fromEntries(a.meta_keys.map((key) => [key, requireKey(rec, key, 'Collect')]));
    }
    if (a.nested) for (const key of Object.keys(data)) data[key] = [data[key]];
    return data;
  },
});

/** mmcv's `to_tensor` on plain values: arrays stay, ints → int64 [1], floats → float32 [1], lists → a 1-D array. */
function toTensorValue(value: unknown, key: string): NdArray {
  if (isNdArray(value)) return value;
  const values = typeof value === 'number' ? [value] : Array.isArray(value) && value.every((x) => typeof x === 'number') ? (value as number[]) : null;
  if (values === null) throw new TransformError('ToTensor', `'${key}' of type ${Array.isArray(value) ? 'list' : typeof value} cannot be converted to a tensor`);
  // torch.tensor infers int64 for integers and float32 (the default dtype) otherwise, also for [].
  if (values.length > 0 && values.every(Number.isSafeInteger)) return int64Array(values);
  return fromValues('float32', [values.length], Float32Array.from(values));
}

export const toTensor = defineOp({
  args: object({ keys: array(string({ nonEmpty: true }), { minLength: 1 }) }),
  create: ({ keys }) => (rec) => {
    for (const key of keys) rec[key] = toTensorValue(requireKey(rec, key, 'ToTensor'), key);
    return rec;
  },
});

