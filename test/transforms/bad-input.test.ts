/** Configuration mistakes and degenerate samples: clear errors, or the documented behaviour. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { type NdArray } from '../../src/io/ndarray.js';
import { compose } from '../../src/transforms/index.js';
import { createPipelineRng } from '../../src/rng/index.js';
import { floatToHalfBits } from '../../src/transforms/array/half.js';
import type { PipelineRecord } from '../../src/transforms/types.js';

const NTU_VAL = [
  { type: 'PreNormalize3D', align_spine: false },
  { type: 'GenSkeFeat', feats: ['j'] },
  { type: 'UniformSampleDecode', clip_len: 100, num_clips: 1 },
  { type: 'FormatGCNInput' },
  { type: 'Collect', keys: ['keypoint', 'label'], meta_keys: [] },
  { type: 'ToTensor', keys: ['keypoint'] },
];

function ntuRecord(m: number, t: number, fill: (i: number) => number): PipelineRecord {
  const n = m * t * 25 * 3;
  const keypoint: NdArray<'float16'> = { dtype: 'float16', shape: [m, t, 25, 3], data: Uint16Array.from({ length: n }, (_, i) => floatToHalfBits(fill(i))) };
  return { frame_dir: 'S001C001P001R001A001', label: 0, keypoint, total_frames: t, modality: 'Pose', start_index: 0, test_mode: true, idx: 0 };
}

test('compose rejects unknown operations and bad arguments, naming the position, op and argument', () => {
  assert.throws(() => compose([{ type: 'PreNormalise3D' }], 'val_pipeline'), /val_pipeline\[0\]\.type: unknown operation 'PreNormalise3D'/);
  assert.throws(() => compose([{ type: 'UniformSampleDecode', clip_len: '100' }], 'p'), /p\[0\]\(UniformSampleDecode\)\.clip_len: expected an integer >= 1, got "100"/);
  assert.throws(() => compose([{ type: 'UniformSampleDecode' }], 'p'), /p\[0\]\(UniformSampleDecode\)\.clip_len: missing/);
  assert.throws(() => compose([{ type: 'RandomRot', thetta: 0.2 }], 'p'), /p\[0\]\(RandomRot\)\.thetta: unknown key/);
  assert.throws(() => compose([{ type: 'GenSkeFeat', feats: ['x'] }], 'p'), /p\[0\]\(GenSkeFeat\)\.feats\[0\]: expected one of "j"/);
  assert.throws(() => compose([{ type: 'GenSkeFeat', dataset: 'kinect' }], 'p'), /p\[0\]\(GenSkeFeat\)\.dataset: expected one of/);
  assert.throws(() => compose([{ type: 'PreNormalize3D' }], 'p'), /p\[0\]\(PreNormalize3D\): align_spine=true is not supported/);
  assert.throws(() => compose([{ type: 'Flip', left_kp: [1], right_kp: [] }], 'p'), /left_kp and right_kp must have the same length/);
  assert.throws(() => compose(['PreNormalize3D'], 'p'), /p\[0\]: expected an operation/);
});

test('NaN coordinates propagate like numpy (no error)', () => {
  const rec = ntuRecord(1, 30, (i) => (i === 40 ? NaN : 0.5 + (i % 7) * 0.01));
  const out = compose(NTU_VAL).run(rec, createPipelineRng());
  const kp = out.keypoint as NdArray<'float32'>;
  assert.deepEqual(kp.shape, [1, 2, 100, 25, 3]);
  assert.ok(Array.from(kp.data).some(Number.isNaN));
});

test('an all-zero sample passes through unchanged (no body_center) and becomes zeros', () => {
  const rec = ntuRecord(2, 40, () => 0);
  const pipeline = compose(NTU_VAL);
  const rng = createPipelineRng();
  const afterNorm = pipeline.steps[0].apply(rec, rng);
  assert.ok(!('body_center' in afterNorm));
  const out = pipeline.steps.slice(1).reduce((r, s) => s.apply(r, rng), afterNorm);
  assert.ok(Array.from((out.keypoint as NdArray<'float32'>).data).every((x) => x === 0));
});

test('zero-length and over-full samples give clear errors', () => {
  assert.throws(() => compose(NTU_VAL).run(ntuRecord(1, 0, () => 0), createPipelineRng()), /UniformSampleDecode: the sequence has no frames/);
  assert.throws(() => compose(NTU_VAL).run(ntuRecord(3, 10, () => 1), createPipelineRng()), /PreNormalize3D: keypoint must hold 1 or 2 persons, got 3/);
  const mismatch = { ...ntuRecord(1, 10, () => 1), total_frames: 11 };
  assert.throws(() => compose(NTU_VAL).run(mismatch, createPipelineRng()), /PreNormalize3D: total_frames \(11\) differs from the keypoint frames \(10\)/);
  assert.throws(() => compose([{ type: 'UniformSampleFrames', clip_len: 10 }]).run({ total_frames: 0, start_index: 0 }, createPipelineRng()), /total_frames is 0/);
  assert.throws(() => compose(NTU_VAL).run({ label: 1 }, createPipelineRng()), /PreNormalize3D: the record has no 'keypoint'/);
});

test('2D samples with more than two persons keep the first two', () => {
  const keypoint: NdArray<'float32'> = { dtype: 'float32', shape: [3, 4, 17, 3], data: Float32Array.from({ length: 3 * 4 * 17 * 3 }, (_, i) => Math.floor(i / (4 * 17 * 3)) + 1) };
  const out = compose([{ type: 'FormatGCNInput', num_person: 2 }]).run({ keypoint }, createPipelineRng());
  const kp = out.keypoint as NdArray<'float32'>;
  assert.deepEqual(kp.shape, [1, 2, 4, 17, 3]);
  assert.deepEqual([kp.data[0], kp.data[kp.data.length - 1]], [1, 2]);
});

test('DecompressPose rejects unsorted frame indices', () => {
  const rec = {
    total_frames: 5,
    frame_inds: { dtype: 'int16', shape: [2], data: Int16Array.from([3, 1]) },
    keypoint: { dtype: 'float16', shape: [2, 17, 3], data: new Uint16Array(2 * 17 * 3) },
  };
  assert.throws(() => compose([{ type: 'DecompressPose', squeeze: true }]).run(rec, createPipelineRng()), /frame_inds' must be non-decreasing/);
});
