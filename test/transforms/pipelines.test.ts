/**
 * Every reference pipeline run (val, test and seeded train) stage by stage: each stage's record
 * bit-exact, the generator calls identical, and the sampled frame indices identical.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { compose } from '../../src/transforms/index.js';
import { decodeIndices } from '../../src/transforms/ops/sampling.js';
import { NumpyRandomState, PythonRandom, traceCalls, type RngCall, type PipelineRng } from '../../src/rng/index.js';
import { FIXTURES, fixture, needFixtures } from '../fixtures.js';
import { type Manifest, checkRecord, inputRecord, normaliseCalls, normaliseFixtureCalls, readJson } from './manifest.js';

function listCases(): string[] {
  if (!FIXTURES) return [];
  const cases: string[] = [];
  for (const config of readdirSync(fixture('pipelines'))) {
    if (config === 'ops' || config.endsWith('.json')) continue;
    if (config === 'train') {
      for (const c of readdirSync(fixture('pipelines', 'train'))) {
        for (const s of readdirSync(fixture('pipelines', 'train', c))) cases.push(`train/${c}/${s}`);
      }
    } else {
      for (const s of readdirSync(fixture('pipelines', config))) cases.push(`${config}/${s}`);
    }
  }
  return cases.sort();
}

function runCase(name: string): void {
  const m = readJson<Manifest>('pipelines', name, 'manifest.json');
  const numpy = new NumpyRandomState(m.seeding?.numpy_global_seed ?? 0);
  const python = new PythonRandom(m.seeding?.python_random_seed ?? 0);
  const log: RngCall[] = [];
  const rng: PipelineRng = { numpy: traceCalls(numpy, 'numpy', log), python: traceCalls(python, 'python', log) };
  const pipeline = compose(m.stages.map((s) => s.cfg), name);
  let rec = inputRecord(m.input);
  m.stages.forEach((stage, i) => {
    const where = `${name} stage ${i} ${stage.op}`;
    log.length = 0;
    if (stage.frame_indices) {
      const total = (rec.keypoint as { shape: number[] }).shape[1];
      const probe = numpy.clone();
      if (rec.test_mode === true) probe.seed(255);
      const numClips = (stage.cfg.num_clips as number | undefined) ?? 1;
      assert.deepEqual(decodeIndices(total, { clipLen: stage.cfg.clip_len as number, numClips, pInterval: [1, 1] }, probe), stage.frame_indices, `${where}: frame indices`);
    }
    rec = pipeline.steps[i].apply(rec, rng);
    assert.deepEqual(normaliseCalls(log), normaliseFixtureCalls(stage.rng_calls), `${where}: generator calls`);
    checkRecord(rec, stage.outputs, where);
  });
}

const cases = listCases();
test('reference pipeline runs are present', { skip: needFixtures() }, () => {
  assert.ok(cases.length >= 40, `found ${cases.length} cases`);
});
for (const name of cases) {
  test(`pipeline ${name}`, () => runCase(name));
}
