/** Checkpoint bridge on its own (no Python): fixture layout, round trips, resume, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../src/torch/index.js';
import { loadCheckpoint, readCheckpointFile, saveCheckpoint } from '../../src/torch/checkpoint.js';
import { SGD } from '../../src/torch/optim/index.js';
import { fixture, needFixtures } from '../fixtures.js';
import { writeBadFiles } from './checkpoint-files.js';
import { FIXTURE_CHECKPOINT, disposeAll, dtypeZoo, fixtureCheckpoint, scratchDir, sha256 } from './checkpoint-helpers.js';
import { vals } from './values.js';

const work = scratchDir();

interface KeyInfo { key: string; shape: number[]; dtype: string; in_checkpoint: boolean }

test('fixture checkpoint: every key, in order, with shape and dtype as state_dict_keys.json', { skip: needFixtures() }, () => {
  const ck = fixtureCheckpoint();
  const expected = (JSON.parse(readFileSync(fixture('models/ntu60_xsub_j/state_dict_keys.json'), 'utf8')) as KeyInfo[]).filter((k) => k.in_checkpoint);
  assert.deepEqual([...ck.stateDict.keys()], expected.map((k) => k.key));
  for (const k of expected) {
    const t = ck.stateDict.get(k.key)!;
    assert.deepEqual(t.shape, k.shape, `${k.key}: shape`);
    assert.equal(t.dtype, k.dtype, `${k.key}: dtype`);
  }
  assert.ok(ck.stateDict.has('backbone.linear_head.ViT-B/32.weight'), 'keys with a literal slash survive');
  assert.equal(ck.stateDict.get('backbone.data_bn.num_batches_tracked')!.dtype, 'int64');
  assert.ok(vals(ck.stateDict.get('backbone.examplar')!).every((v) => v === 0 || v === 1), 'examplar is binary');
});

test('fixture checkpoint: meta, optimizer and _metadata as mmcv wrote them', { skip: needFixtures() }, () => {
  const ck = fixtureCheckpoint();
  const meta = ck.meta as Record<string, unknown>;
  assert.equal(meta.mmcv_version, '1.5.0');
  assert.equal(meta.epoch, 1);
  assert.match(meta.config as string, /^modality = 'j'/);
  const group = ck.optimizer!.param_groups[0];
  assert.deepEqual({ ...group, params: group.params.length }, {
    lr: 0.025, momentum: 0.9, dampening: 0, weight_decay: 0.0005, nesterov: true, maximize: false,
    foreach: null, differentiable: false, initial_lr: 0.025, params: 647,
  });
  assert.equal(ck.optimizer!.state.size, 0, 'the checkpoint hook empties optimizer.state');
  const metadata = ck.stateDictMetadata as Record<string, Record<string, number>>;
  assert.deepEqual({ ...metadata['backbone.data_bn'] }, { version: 2 });
});

test('readCheckpointFile gives the same keys, shapes and dtypes without creating tensors', { skip: needFixtures() }, () => {
  const before = torch.memoryStats().liveTensors;
  const file = readCheckpointFile(fixture(FIXTURE_CHECKPOINT));
  assert.equal(torch.memoryStats().liveTensors, before);
  const ck = fixtureCheckpoint();
  assert.deepEqual([...file.stateDict].map(([k, t]) => [k, t.dtype, t.array.shape]), [...ck.stateDict].map(([k, t]) => [k, t.dtype, t.shape]));
});

test('save → reload is bit-exact (tensors, order, meta, optimizer, _metadata), and leaves no temporary file', { skip: needFixtures() }, () => {
  const ck = fixtureCheckpoint();
  const dir = join(work, 'roundtrip');
  const out = join(dir, 'epoch_1.pth');
  assert.throws(() => saveCheckpoint(out, { stateDict: ck.stateDict }), /ENOENT/, 'no parent directory: an error, nothing created');
  mkdirSync(dir);
  saveCheckpoint(out, { meta: ck.meta, stateDict: ck.stateDict, optimizer: ck.optimizer, stateDictMetadata: ck.stateDictMetadata });
  saveCheckpoint(out, { meta: ck.meta, stateDict: ck.stateDict, optimizer: ck.optimizer, stateDictMetadata: ck.stateDictMetadata }); // overwrite in place
  assert.deepEqual(readdirSync(dir), ['epoch_1.pth']);
  const back = loadCheckpoint(out);
  try {
    assert.deepEqual([...back.stateDict.keys()], [...ck.stateDict.keys()]);
    for (const [key, t] of ck.stateDict) {
      const u = back.stateDict.get(key)!;
      assert.equal(u.dtype, t.dtype, `${key}: dtype`);
      assert.equal(sha256(u), sha256(t), `${key}: values`);
    }
    assert.deepEqual(back.meta, ck.meta);
    assert.deepEqual(back.optimizer, ck.optimizer);
    assert.deepEqual(back.stateDictMetadata, ck.stateDictMetadata);
  } finally {
    disposeAll(back);
  }
});

test('every dtype (float16, bfloat16, int64 beyond 2^53, bool, views, 0-d, empty) round-trips', () => {
  const zoo = dtypeZoo();
  const path = join(work, 'zoo.pth');
  saveCheckpoint(path, { meta: { note: 'dtype zoo' }, stateDict: zoo });
  const back = loadCheckpoint(path);
  assert.deepEqual({ ...(back.meta as object) }, { note: 'dtype zoo' });
  assert.equal(back.optimizer, null);
  for (const [key, t] of zoo) {
    const u = back.stateDict.get(key)!;
    assert.equal(u.dtype, t.dtype, `${key}: dtype`);
    assert.deepEqual(u.shape, t.shape, `${key}: shape`);
    assert.ok(u.equal(t), `${key}: values`);
  }
  assert.deepEqual([...back.stateDict.get('i64')!.dataSync()], [-(2n ** 62n), 2n ** 53n + 1n, 0n]);
  disposeAll(back);
});

test('optimizer momentum state round-trips; training resumes exactly', () => {
  const p = torch.zeros([2, 3], { requiresGrad: true });
  const opt = new SGD([p], { lr: 0.025, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  p.grad = torch.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  opt.step();
  const path = join(work, 'resume.pth');
  saveCheckpoint(path, { stateDict: new Map([['p', p]]), optimizer: opt.stateDict() });
  const ck = loadCheckpoint(path);
  const q = ck.stateDict.get('p')!.requiresGrad_();
  const resumed = new SGD([q], { lr: 1 });
  resumed.loadStateDict(ck.optimizer!);
  for (const [param, o] of [[p, opt], [q, resumed]] as const) {
    param.grad = torch.tensor([6, 5, 4, 3, 2, 1], [2, 3]);
    o.step();
  }
  assert.ok(q.equal(p), 'the resumed run equals the uninterrupted one');
  disposeAll(ck);
  resumed.dispose();
  opt.dispose();
});

test('unreadable files fail with messages that name the file and the problem', { skip: needFixtures() }, () => {
  const bad = writeBadFiles(mkdtempSync(join(work, 'bad-')), fixture(FIXTURE_CHECKPOINT));
  assert.throws(() => readCheckpointFile(bad.notZip), /notes\.pth: not a PyTorch checkpoint \(expected a zip archive\)/);
  assert.throws(() => readCheckpointFile(bad.truncated), /truncated\.pth: not a zip archive/);
  assert.throws(() => readCheckpointFile(bad.disallowedGlobal), /evil\.pth.*global 'os\.system' is not allowed/);
  assert.throws(() => readCheckpointFile(bad.notADict), /list\.pth: not a model checkpoint: the saved object is a list of 3, expected a dict/);
  assert.throws(() => readCheckpointFile(bad.noStateDict), /config\.pth: not a model checkpoint: .*found keys epoch, lr/);
  assert.throws(() => loadCheckpoint(join(work, 'missing.pth')), /ENOENT.*missing\.pth/);
});
