/**
 * Metrics: hand-computed cases, numpy parity on tie-heavy and NaN scores (argsort, argmax, mean),
 * and the fixture streams' top-1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type NdArray, ndarray } from '../../src/io/ndarray.js';
import { loadLabels } from '../../src/data/pyskl.js';
import { confusionMatrix, evaluateScores, meanClassAccuracy, predictClasses, topKAccuracy } from '../../src/engine/metrics.js';
import { argHeapsortRow, argmaxRow, argsortRow, numpyMean } from '../../src/engine/numpy-compat.js';
import { readScoresFile } from '../../src/engine/results.js';
import { fixture, needFixtures } from '../fixtures.js';
import { needPython, runPythonJson } from '../transforms/python.js';

function scores(rows: number[][]): NdArray<'float32'> {
  return ndarray('float32', [rows.length, rows[0].length], Float32Array.from(rows.flat()));
}

/** Deterministic pseudo-random numbers (LCG) so the numpy comparisons are reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('top-k accuracy, predictions and confusion matrix on a hand-computed case', () => {
  const s = scores([
    [0.1, 0.6, 0.2, 0.1], // label 1: top-1 hit
    [0.5, 0.1, 0.3, 0.1], // label 2: second → top-1 miss, top-2 hit
    [0.2, 0.1, 0.3, 0.4], // label 1: last → hit only for k = 4 (and k = 5 > classes)
  ]);
  const labels = [1, 2, 1];
  assert.deepEqual(topKAccuracy(s, labels, [1, 2, 4, 5]), [1 / 3, 2 / 3, 1, 1]);
  assert.deepEqual(Array.from(predictClasses(s)), [1, 0, 3]);
  assert.deepEqual(confusionMatrix(predictClasses(s), labels, 4), [
    [0, 0, 0, 0],
    [0, 1, 0, 1],
    [1, 0, 0, 0],
    [0, 0, 0, 0],
  ]);
  // Classes present: 0 (only predicted → 0), 1 (1/2), 2 (0/1), 3 (only predicted → 0); class count 4.
  assert.equal(meanClassAccuracy(s, labels), (0 + 0.5 + 0 + 0) / 4);
  const e = evaluateScores(s, labels);
  assert.deepEqual([e.numSamples, e.numClasses, e.top1, e.top5, e.meanClassAccuracy], [3, 4, 1 / 3, 1, 0.125]);
});

test('ties: top-1 is the last index of numpy\'s argsort, mean class accuracy uses the first maximum', () => {
  // Short rows are insertion-sorted (stable), so the later of two equal maxima ranks first.
  const s = scores([[0.4, 0.4, 0.2]]);
  assert.deepEqual(Array.from(argsortRow(s.data)), [2, 0, 1]);
  assert.deepEqual(topKAccuracy(s, [1], [1]), [1]);
  assert.deepEqual(topKAccuracy(s, [0], [1]), [0]);
  assert.equal(argmaxRow(s.data), 0);
  assert.equal(meanClassAccuracy(s, [0]), 1);
});

test('labels outside the class range are refused where the matrix needs them', () => {
  const s = scores([[0.2, 0.8]]);
  assert.throws(() => evaluateScores(s, [2]), /label 2 of sample 0 is not a class index in \[0, 2\)/);
  assert.throws(() => topKAccuracy(s, [0, 1]), /2 labels for 1 score rows/);
  assert.throws(() => topKAccuracy(ndarray('float32', [2], new Float32Array(2)), [0]), /2-D/);
});

test('argsort (quicksort and heapsort), argmax and mean match numpy 1.24 on tie-heavy and NaN rows', { skip: needPython() }, () => {
  const next = lcg(7);
  const rows: number[][] = [];
  for (const n of [3, 16, 17, 18, 33, 60, 61, 120, 257, 1000]) {
    for (let r = 0; r < 6; r++) {
      const levels = 1 + (r % 4) * 2; // 1, 3, 5, 7 distinct values: many equal keys
      rows.push(Array.from({ length: n }, () => Math.floor(next() * levels) / 8));
    }
    rows.push(Array.from({ length: n }, (_, i) => (i % 5 === 2 ? NaN : Math.floor(next() * 3))));
    rows.push(Array.from({ length: n }, () => next()));
  }
  const sums = [1, 2, 7, 8, 9, 15, 16, 17, 100, 128, 129, 130, 255, 300, 1031].map((n) => Array.from({ length: n }, () => next() * 10 - 3));
  const ref = runPythonJson<{ argsort: number[][]; heapsort: number[][]; argmax: number[]; mean: number[] }>(String.raw`
import json, sys, numpy as np
d = json.load(sys.stdin)
rows = [np.array([np.nan if v is None else v for v in r], dtype=np.float32) for r in d['rows']]
print(json.dumps({'argsort': [np.argsort(r).tolist() for r in rows], 'heapsort': [np.argsort(r, kind='heapsort').tolist() for r in rows], 'argmax': [int(np.argmax(r)) for r in rows],
                  'mean': [float(np.mean(s)) for s in d['sums']]}))
`, { rows: rows.map((r) => r.map((v) => (Number.isNaN(v) ? null : v))), sums });
  rows.forEach((r, i) => {
    const f = Float32Array.from(r);
    assert.deepEqual(Array.from(argsortRow(f)), ref.argsort[i], `argsort of row ${i} (length ${r.length})`);
    assert.deepEqual(Array.from(argHeapsortRow(f)), ref.heapsort[i], `heapsort argsort of row ${i} (length ${r.length})`);
    assert.equal(argmaxRow(f), ref.argmax[i], `argmax of row ${i}`);
  });
  sums.forEach((s, i) => assert.equal(numpyMean(s), ref.mean[i], `mean of ${s.length} values`));
});

test('top-k and mean class accuracy match the original formulas run in numpy on tied scores', { skip: needPython() }, () => {
  const next = lcg(11);
  const [samples, classes] = [300, 30];
  const data = Float32Array.from({ length: samples * classes }, () => Math.floor(next() * 4) / 4);
  const labels = Array.from({ length: samples }, () => Math.floor(next() * 20)); // classes 20..29 only predicted
  const ref = runPythonJson<{ topk: number[]; mca: number }>(String.raw`
import json, sys, numpy as np
d = json.load(sys.stdin)
scores = np.array(d['scores'], dtype=np.float32).reshape(d['samples'], d['classes'])
labels = np.array(d['labels'])
def top_k_accuracy(scores, labels, topk):
    res = []
    labels = np.array(labels)[:, np.newaxis]
    for k in topk:
        max_k_preds = np.argsort(scores, axis=1)[:, -k:][:, ::-1]
        match_array = np.logical_or.reduce(max_k_preds == labels, axis=1)
        res.append(match_array.sum() / match_array.shape[0])
    return res
def confusion_matrix(y_pred, y_real):
    label_set = np.unique(np.concatenate((y_pred, y_real)))
    num_labels = len(label_set)
    label_map = {label: i for i, label in enumerate(label_set)}
    y_pred_mapped = np.array([label_map[l] for l in y_pred], dtype=np.int64)
    y_real_mapped = np.array([label_map[l] for l in y_real], dtype=np.int64)
    cm = np.bincount(num_labels * y_real_mapped + y_pred_mapped, minlength=num_labels ** 2)
    return cm.reshape(num_labels, num_labels)
def mean_class_accuracy(scores, labels):
    pred = np.argmax(scores, axis=1)
    cf = confusion_matrix(pred, labels).astype(float)
    cnt, hit = cf.sum(axis=1), np.diag(cf)
    return np.mean([h / c if c else 0.0 for c, h in zip(cnt, hit)])
print(json.dumps({'topk': [float(x) for x in top_k_accuracy(scores, labels, (1, 2, 5))], 'mca': float(mean_class_accuracy(scores, labels))}))
`, { scores: Array.from(data), labels, samples, classes });
  const s = ndarray('float32', [samples, classes], data);
  assert.deepEqual(topKAccuracy(s, labels, [1, 2, 5]), ref.topk);
  assert.equal(meanClassAccuracy(s, labels), ref.mca);
});

test('fixture streams: labels from the annotation split and top-1 equal ensemble.json', { skip: needFixtures() }, () => {
  const expected = JSON.parse(readFileSync(fixture('ensemble', 'ensemble.json'), 'utf8')) as {
    labels: number[]; single_stream_top1: Record<string, number>;
  };
  const labels = loadLabels(fixture('ensemble', 'ensemble_labels_ann.pkl'), 'xsub_val');
  assert.deepEqual(labels, expected.labels);
  for (const [stream, top1] of Object.entries(expected.single_stream_top1)) {
    for (const file of [`${stream}_best_pred.pkl`, `${stream}_scores.npy`]) {
      assert.equal(topKAccuracy(readScoresFile(fixture('ensemble', file)), labels, [1])[0], top1, file);
    }
  }
});
