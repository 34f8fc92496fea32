/**
 * `skagent export` and `skagent test <config> model.onnx` as real subprocesses: the fixture
 * checkpoint exported and tested on ONNX Runtime reproduces the original's 10-clip scores
 * (fixtures models/ntu60_xsub_j), the metadata carries what the runtime needs, and bad input
 * (wrong label count, a model from another config) is a clear error with the bad-input code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needFixtures, fixture, REPO_ROOT } from '../fixtures.js';
import { readNpy } from '../../src/io/npy.js';
import { readMetadata } from '../../src/runtime/recognizer.js';
import { loadConfig } from '../../src/config/index.js';
import { buildModel } from '../../src/engine/build.js';
import { saveCheckpoint } from '../../src/torch/checkpoint.js';

const CLI = join(REPO_ROOT, 'bin/skagent.js');

function skagent(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
}

test('skagent export + skagent test model.onnx reproduce the original 10-clip scores and write every result file', { skip: needFixtures() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-export-'));
  try {
    const checkpoint = fixture('models/ntu60_xsub_j/checkpoint.pth');
    const labels = join(dir, 'labels.txt');
    writeFileSync(labels, Array.from({ length: 60 }, (_, i) => `A${String(i + 1).padStart(3, '0')}`).join('\n') + '\n');
    const model = join(dir, 'ntu60_j.onnx');
    const e = skagent('export', 'ntu60_xsub/j', checkpoint, '--out', model, '--labels', labels);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stdout, /wrote .*ntu60_j\.onnx .*nturgb\+d j, 60 classes with labels, 10 clips × 100 frames/);
    const md = readMetadata(readFileSync(model), model);
    assert.equal(md.checkpointSha256, createHash('sha256').update(readFileSync(checkpoint)).digest('hex'));
    assert.equal(md.labels?.[57], 'A058');
    assert.equal(md.modality, 'j');
    assert.equal(md.numClips, 10);
    assert.equal(md.testPipeline[0].type, 'PreNormalize3D');
    assert.equal(md.projectVersion, JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);

    const out = join(dir, 'results');
    const r = skagent('test', 'ntu60_xsub/j', model, '--ann-file', fixture('annotations/ntu60_3d_p4.pkl'), '--split', 'xsub_val', '--out', out, '--threads', '2', '--workers', '0');
    assert.equal(r.status, 0, r.stderr);
    const scores = readNpy(join(out, 'scores.npy'));
    const expected = readNpy(fixture('models/ntu60_xsub_j/test_final_scores.npy'));
    assert.deepEqual(scores.shape, [1, 60]);
    for (let c = 0; c < 60; c++) {
      const a = scores.data[c] as number;
      const b = expected.data[c] as number;
      assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(b) + 1e-7, `class ${c}: ${a} vs ${b}`);
    }
    assert.equal(Number(readNpy(join(out, 'labels.npy')).data[0]), 57);
    assert.equal(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).num_samples, 1);
    assert.ok(existsSync(join(out, 'best_pred.pkl')));

    const wrong = skagent('test', 'ntu60_xsub/b', model, '--ann-file', fixture('annotations/ntu60_3d_p4.pkl'), '--out', join(dir, 'wrong'));
    assert.equal(wrong.status, 3, wrong.stderr);
    assert.match(wrong.stderr, /exported from ntu60_xsub\/j \(nturgb\+d j, 60 classes\), the config is nturgb\+d b/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('skagent export: a label file with the wrong line count and a missing checkpoint are named errors (exit 3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-export-'));
  try {
    const config = loadConfig('quick/j');
    const model = buildModel(config, { seed: 0 });
    const checkpoint = join(dir, 'quick.pth');
    try {
      saveCheckpoint(checkpoint, { stateDict: model.stateDict() });
    } finally {
      model.dispose();
    }
    const labels = join(dir, 'labels.txt');
    writeFileSync(labels, 'walk\nrun\n');
    const r = skagent('export', 'quick/j', checkpoint, '--out', join(dir, 'm.onnx'), '--labels', labels);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /--labels: 2 labels for a model with 12 classes/);
    assert.ok(!existsSync(join(dir, 'm.onnx')));
    const ok = skagent('export', 'quick/j', checkpoint, '--out', join(dir, 'm.onnx'));
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(readMetadata(readFileSync(join(dir, 'm.onnx')), 'm.onnx').labels, null);
    const missing = skagent('export', 'quick/j', join(dir, 'none.pth'), '--out', join(dir, 'n.onnx'));
    assert.equal(missing.status, 3, missing.stderr);
    assert.match(missing.stderr, /checkpoint .*none\.pth does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
