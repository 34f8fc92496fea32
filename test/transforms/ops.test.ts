/**
 * Single random operations (fixtures/pipelines/ops) under their recorded seeds, and the sampling
 * indices of both samplers in test mode (sampling_test_mode.json) and train mode.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { compose } from '../../src/transforms/index.js';
import { decodeIndices, frameIndices } from '../../src/transforms/ops/sampling.js';
import { NumpyRandomState, PythonRandom, traceCalls, type PipelineRng, type RngCall } from '../../src/rng/index.js';
import type { PipelineRecord } from '../../src/transforms/types.js';
import { FIXTURES, needFixtures } from '../fixtures.js';
import { type FixtureCall, type ValueDesc, checkValue, fixtureArray, normaliseCalls, normaliseFixtureCalls, readJson } from './manifest.js';

interface OpCase { op: string; variant: string; seed: number; rng_calls: FixtureCall[]; outputs: Record<string, ValueDesc> }
interface OpsManifest {
  ops: { inputs: Record<string, { file: string }>; cases: OpCase[] };
  train_sampling: { op: string; kwargs: { clip_len: number }; total_frames: number; seed: number; frame_indices: number[]; rng_calls: FixtureCall[] }[];
}
interface TestModeCase { op: string; kwargs: { clip_len: number; num_clips: number; seed: number }; total_frames: number; frame_indices: number[] }

const manifest = FIXTURES ? readJson<OpsManifest>('pipelines', 'ops', 'manifest.json') : null;

function input(name: string, persons?: number) {
  const a = fixtureArray(manifest!.ops.inputs[name].file);
  if (persons === undefined) return { ...a, data: a.data.slice() };
  const per = a.data.length / a.shape[0];
  return { ...a, shape: [persons, ...a.shape.slice(1)], data: a.data.slice(0, persons * per) };
}

/** The record and op config each variant was run with (ops manifest README). */
function setup(c: OpCase): { rec: PipelineRecord; cfg: Record<string, unknown> } {
  switch (c.variant) {
    case 'ntu3d_theta0.2': return { rec: { keypoint: input('ntu3d') }, cfg: { type: 'RandomRot', theta: 0.2 } };
    case 'coco2d_theta0.2': return { rec: { keypoint: input('coco2d_keypoint', 1) }, cfg: { type: 'RandomRot', theta: 0.2 } };
    case 'ntu3d': return { rec: { keypoint: input('ntu3d') }, cfg: { type: c.op, ...(c.op === 'Spatial_Flip' ? { dataset: 'nturgb+d', p: 0.5 } : {}) } };
    case 'coco2d': return {
      rec: { keypoint: input('coco2d_keypoint'), keypoint_score: input('coco2d_score'), img_shape: [720, 1280], modality: 'Pose' },
      cfg: { type: 'Flip', flip_ratio: 0.5, left_kp: [1, 3, 5, 7, 9, 11, 13, 15], right_kp: [2, 4, 6, 8, 10, 12, 14, 16] },
    };
    default:
      if (c.variant.startsWith('ntu3d_outcome_')) return { rec: { keypoint: input('ntu3d') }, cfg: { type: 'Part_Drop' } };
      throw new Error(`unknown variant ${c.variant}`);
  }
}

test('single random ops under recorded seeds: outputs bit-exact, generator calls identical', { skip: needFixtures() }, () => {
  assert.ok(manifest!.ops.cases.length >= 29);
  for (const c of manifest!.ops.cases) {
    const where = `${c.op} ${c.variant} seed ${c.seed}`;
    const { rec, cfg } = setup(c);
    const log: RngCall[] = [];
    const rng: PipelineRng = { numpy: traceCalls(new NumpyRandomState(c.seed), 'numpy', log), python: traceCalls(new PythonRandom(c.seed), 'python', log) };
    const out = compose([cfg], where).run(rec, rng);
    assert.deepEqual(normaliseCalls(log), normaliseFixtureCalls(c.rng_calls), `${where}: calls`);
    for (const [key, d] of Object.entries(c.outputs)) checkValue(out[key], d, `${where}.${key}`);
  }
});

test('test-mode sampling indices of both samplers (seed 255, 1 and 10 clips)', { skip: needFixtures() }, () => {
  const { cases } = readJson<{ cases: TestModeCase[] }>('pipelines', 'sampling_test_mode.json');
  assert.ok(cases.length >= 50);
  for (const c of cases) {
    const o = { clipLen: c.kwargs.clip_len, numClips: c.kwargs.num_clips, pInterval: [1, 1] as [number, number] };
    const rng = new NumpyRandomState(0);
    const got = c.op === 'UniformSampleDecode'
      ? (rng.seed(c.kwargs.seed), decodeIndices(c.total_frames, o, rng))
      : frameIndices(c.total_frames, o, true, c.kwargs.seed, rng);
    assert.deepEqual(got, c.frame_indices, `${c.op} T=${c.total_frames} clips=${c.kwargs.num_clips}`);
  }
});

test('train-mode sampling indices and generator calls', { skip: needFixtures() }, () => {
  for (const c of manifest!.train_sampling) {
    const where = `${c.op} T=${c.total_frames} seed ${c.seed}`;
    const log: RngCall[] = [];
    const rng = traceCalls(new NumpyRandomState(c.seed), 'numpy', log);
    const o = { clipLen: c.kwargs.clip_len, numClips: 1, pInterval: [1, 1] as [number, number] };
    const got = c.op === 'UniformSampleDecode' ? decodeIndices(c.total_frames, o, rng) : frameIndices(c.total_frames, o, false, 255, rng);
    assert.deepEqual(got, c.frame_indices, where);
    assert.deepEqual(normaliseCalls(log), normaliseFixtureCalls(c.rng_calls), `${where}: calls`);
  }
});
