/**
 * `skagent test` end to end, as a real subprocess: the fixture checkpoint on the fixture NTU
 * annotation file reproduces the original's 10-clip scores for sample S001C002P003R002A058
 * (the xsub_val split; fixtures models/ntu60_xsub_j, test_final_scores.npy row 0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needFixtures, fixture, REPO_ROOT } from '../fixtures.js';
import { readNpy } from '../../src/io/npy.js';

test('skagent test reproduces the original 10-clip scores and writes every result file', { skip: needFixtures() }, () => {
  const out = mkdtempSync(join(tmpdir(), 'skagent-test-'));
  try {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/skagent.js'), 'test', 'ntu60_xsub/j', fixture('models/ntu60_xsub_j/checkpoint.pth'),
      '--ann-file', fixture('annotations/ntu60_3d_p4.pkl'), '--split', 'xsub_val', '--out', out, '--threads', '2', '--workers', '0'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const scores = readNpy(join(out, 'scores.npy'));
    const expected = readNpy(fixture('models/ntu60_xsub_j/test_final_scores.npy'));
    assert.deepEqual(scores.shape, [1, 60]);
    for (let c = 0; c < 60; c++) assert.ok(Math.abs((scores.data[c] as number) - (expected.data[c] as number)) <= 1e-5, `class ${c}: ${scores.data[c]} vs ${expected.data[c]}`);
    const labels = readNpy(join(out, 'labels.npy'));
    assert.equal(labels.dtype, 'int64');
    assert.equal(Number(labels.data[0]), 57);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    assert.equal(metrics.num_samples, 1);
    assert.equal(metrics.confusion_matrix.length, 60);
    assert.ok(readFileSync(join(out, 'best_pred.pkl')).length > 0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('skagent test names a missing checkpoint and exits with the bad-input code', () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/skagent.js'), 'test', 'quick/j', '/nonexistent.pth', '--out', tmpdir()], { encoding: 'utf8' });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /checkpoint \/nonexistent\.pth does not exist/);
});
