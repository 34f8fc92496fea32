/** Model throughput benchmark (src/engine/bench.ts) and `skagent bench`, on the small quick config. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { REPO_ROOT } from '../fixtures.js';
import { loadConfig } from '../../src/config/index.js';
import { buildModel } from '../../src/engine/build.js';
import { benchInference, benchModelSpec, benchTraining } from '../../src/engine/bench.js';
import { randomTextTable } from '../../src/engine/semantics.js';
import { torchAvailable } from '../../src/torch/index.js';

const noTorch = torchAvailable() ? false : 'libtorch bridge not built';

test('benchModelSpec reads input shapes, batches, loss weights and SGD settings from configs', () => {
  const ntu = benchModelSpec(loadConfig('ntu60_xsub/j'));
  assert.deepEqual(
    { V: ntu.numJoints, M: ntu.persons, T: ntu.frames, C: ntu.channels, clips: ntu.clips, train: ntu.trainBatch, test: ntu.testBatch, Cls: ntu.numClasses },
    { V: 25, M: 2, T: 100, C: 3, clips: 10, train: 16, test: 1, Cls: 60 },
  );
  assert.deepEqual(ntu.lossWeights, { constraint: loadConfig('ntu60_xsub/j').model.cls_head.weight_1, align: loadConfig('ntu60_xsub/j').model.cls_head.weight_2 });
  assert.deepEqual(ntu.optimizer, { lr: 0.025, momentum: 0.9, weightDecay: 0.0005, nesterov: true });
  const k400 = benchModelSpec(loadConfig('k400/j'));
  assert.deepEqual({ V: k400.numJoints, T: k400.frames, clips: k400.clips, train: k400.trainBatch }, { V: 20, T: 100, clips: 10, train: 64 });
});

test('benchTraining runs timed SGD steps that change the weights; benchInference times multi-clip forwards', { skip: noTorch }, () => {
  const config = loadConfig('quick/j');
  const spec = benchModelSpec(config);
  const model = buildModel(config);
  const text = randomTextTable(spec.numClasses);
  try {
    const weight = model.head.fc.weight;
    const before = weight.toFloat32Array();
    const train = benchTraining(model, spec, text, { batch: 2, iters: 2, warmup: 0, threads: 1, device: 'cpu' });
    assert.equal(train.mode, 'train');
    assert.equal(train.seconds.length, 2);
    assert.ok(train.seconds_per_iter >= Math.min(...train.seconds) && train.seconds_per_iter <= Math.max(...train.seconds));
    assert.ok(Math.abs(train.samples_per_s - 2 / train.seconds_per_iter) < 1e-9);
    assert.deepEqual(train.input_shape, [2, 1, 2, 32, 25, 3]);
    assert.deepEqual(train.text_encoder, { name: 'fixed random table [12, 512]', trained: false });
    assert.ok(train.peak_rss_bytes > 0);
    assert.ok(weight.toFloat32Array().some((v, i) => v !== before[i]), 'the SGD step did not change fc_cls.weight');
    const infer = benchInference(model, spec, { batch: 1, iters: 1, warmup: 0, threads: 1, device: 'cpu' });
    assert.deepEqual(infer.input_shape, [1, spec.clips, 2, 32, 25, 3]);
    assert.equal(infer.text_encoder, null);
    assert.ok(!model.training, 'inference runs in eval mode');
  } finally {
    text.dispose();
    model.dispose();
  }
});

test('skagent bench infer --json prints one object with the throughput fields', { skip: noTorch }, () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/skagent.js'), 'bench', 'infer', 'quick/j', '--batch', '1', '--iters', '1', '--warmup', '0', '--threads', '1', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const key of ['samples_per_s', 'seconds_per_iter', 'batch', 'threads', 'device', 'text_encoder', 'peak_rss_bytes', 'cpu_cache']) assert.ok(key in out, `missing ${key}`);
  assert.equal(out.device, 'cpu');
  assert.equal(out.threads, 1);
});

test('skagent bench infer --engine onnx times the exported model on ONNX Runtime; --engine onnx with train is a usage error', { skip: noTorch }, () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/skagent.js'), 'bench', 'infer', 'quick/j', '--engine', 'onnx', '--batch', '2', '--iters', '2', '--warmup', '0', '--threads', '1', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.engine, 'onnx');
  assert.equal(out.seconds.length, 2);
  assert.equal(out.input_shape[0], 2);
  assert.ok(out.samples_per_s > 0);
  const bad = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/skagent.js'), 'bench', 'train', 'quick/j', '--engine', 'onnx'], { encoding: 'utf8' });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--engine onnx applies to bench infer/);
});

test('skagent bench rejects an unknown mode with the usage exit code', () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/skagent.js'), 'bench', 'fly', 'quick/j'], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /expected train or infer, got 'fly'/);
});

test('skagent bench train --profile reports where the step went, forward and backward', { skip: noTorch }, () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/skagent.js'), 'bench', 'train', 'quick/j', '--batch', '2', '--iters', '1', '--warmup', '0', '--threads', '1', '--random-text', '--profile', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { profile } = JSON.parse(r.stdout);
  const names = new Set(profile.rows.map((row: { name: string }) => row.name));
  for (const op of ['aten::mkldnn_convolution', 'aten::convolution_backward', 'aten::native_batch_norm_backward']) assert.ok(names.has(op), `profile lacks ${op}`);
  const selfSum = profile.rows.reduce((a: number, row: { selfSeconds: number }) => a + row.selfSeconds, 0);
  assert.ok(selfSum > 0 && selfSum <= profile.wallSeconds * 1.01, `self times ${selfSum} s within the wall time ${profile.wallSeconds} s`);
});

test('skagent train --semi refuses the agent: the Semi recogniser has no Questioner', () => {
  const workDir = join(mkdtempSync(join(tmpdir(), 'skagent-semi-')), 'run');
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/skagent.js'), 'train', 'quick/j', '--semi', '--agent', 'reproduce', '--work-dir', workDir], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /RecognizerGCN_Semi has no Questioner/);
  assert.ok(!existsSync(workDir), 'nothing written before the options were validated');
});
