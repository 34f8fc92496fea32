/** Fusion weight search on validation scores (engine/ensemble.ts) and `skagent ensemble --search-weights`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuseScores, searchWeights } from '../../src/engine/ensemble.js';
import { type ScoreArray, topKAccuracy } from '../../src/engine/metrics.js';
import { ndarray } from '../../src/io/ndarray.js';
import { writeNpy } from '../../src/io/npy.js';

const BIN = new URL('../../../bin/skagent.js', import.meta.url).pathname;

/**
 * Two streams over 3 classes: stream 0 is right on every sample but with small margins, stream 1
 * is confidently wrong on the first half. Equal weights follow stream 1's wrong peaks; giving
 * stream 1 a small weight (or none) gets every sample right.
 */
function streams(n: number): { s: ScoreArray[]; labels: number[] } {
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const a = new Float32Array(n * 3), b = new Float32Array(n * 3);
  labels.forEach((l, i) => {
    for (let c = 0; c < 3; c++) a[i * 3 + c] = c === l ? 0.4 : 0.3;
    const wrong = i < n / 2 ? (l + 1) % 3 : l;
    for (let c = 0; c < 3; c++) b[i * 3 + c] = c === wrong ? 0.9 : 0.05;
  });
  return { s: [ndarray('float32', [n, 3], a), ndarray('float32', [n, 3], b)], labels };
}
const top1 = (labels: number[]) => (f: ScoreArray) => topKAccuracy(f, labels, [1])[0];

test('searchWeights finds weights that beat equal weights, and reports their top-1', () => {
  const { s, labels } = streams(12);
  const equal = top1(labels)(fuseScores(s, [1, 1]));
  const found = searchWeights(s, top1(labels));
  assert.equal(equal, 0.5);
  assert.equal(found.top1, 1);
  assert.equal(found.top1, top1(labels)(fuseScores(s, found.weights)));
  assert.ok(found.weights[1] < found.weights[0] * 0.25 + 1e-9, `weights ${found.weights}`);
  // Deterministic, and never all zero.
  assert.deepEqual(searchWeights(s, top1(labels)), found);
  assert.ok(found.weights.some((w) => w > 0));
});

test('skagent ensemble --search-weights chooses on validation and reports on test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-ens-search-'));
  try {
    const val = streams(12), testSet = streams(6);
    const files = (set: typeof val, tag: string) => set.s.map((arr, i) => { const p = join(dir, `${tag}${i}.npy`); writeNpy(p, arr); return p; });
    const lab = (set: typeof val, tag: string) => { const p = join(dir, `${tag}-labels.npy`); writeNpy(p, ndarray('int64', [set.labels.length], BigInt64Array.from(set.labels.map(BigInt)))); return p; };
    const testFiles = files(testSet, 'test'), valFiles = files(val, 'val');
    const r = spawnSync(process.execPath, [BIN, 'ensemble', ...testFiles, '--labels', lab(testSet, 'test'), '--weights', '1,1', '--search-weights',
      '--val', valFiles[0], '--val', valFiles[1], '--val-labels', lab(val, 'val'), '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { searched_weights: { weights: number[]; val_top1: number; top1: number } };
    const expected = searchWeights(val.s, top1(val.labels));
    assert.deepEqual(doc.searched_weights.weights, expected.weights);
    assert.equal(doc.searched_weights.val_top1, expected.top1);
    assert.equal(doc.searched_weights.top1, top1(testSet.labels)(fuseScores(testSet.s, expected.weights)));
    const usage = spawnSync(process.execPath, [BIN, 'ensemble', ...testFiles, '--labels', lab(testSet, 'test'), '--search-weights', '--val', valFiles[0]], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /1 --val files for 2 test score files/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
