/** Test-run result files: what writeTestResults writes, read back by us and by Python. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ndarray } from '../../src/io/ndarray.js';
import { readNpy } from '../../src/io/npy.js';
import { readLabelsNpy, readPredictionsPickle, readScoresFile, writeTestResults } from '../../src/engine/results.js';
import { fixture, needFixtures } from '../fixtures.js';
import { needPython, runPythonJson } from '../transforms/python.js';

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-results-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SCORES = ndarray('float32', [3, 4], Float32Array.from([
  0.1, 0.6, 0.2, 0.1,
  0.5, 0.1, 0.3, 0.1,
  0.2, 0.1, 0.3, 0.4,
]));
const LABELS = [1, 2, 1];

test('writeTestResults writes scores, int64 labels, the original dump and metrics.json', () => withDir((dir) => {
  const out = join(dir, 'test');
  const { files, evaluation } = writeTestResults(out, {
    scores: SCORES, labels: LABELS,
    info: { config: 'ntu60_xsub/j.py', checkpoint: 'best_top1_acc_epoch_3.pth', numClips: 10, averageClips: 'prob' },
  });
  assert.deepEqual(readdirSync(out).sort(), ['best_pred.pkl', 'labels.npy', 'metrics.json', 'scores.npy']);
  assert.deepEqual(readNpy(files.scores), SCORES);
  const labels = readNpy(files.labels);
  assert.equal(labels.dtype, 'int64');
  assert.deepEqual(readLabelsNpy(files.labels), LABELS);
  assert.deepEqual(readScoresFile(files.predictions), SCORES);

  const metrics = JSON.parse(readFileSync(files.metrics, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(metrics, {
    top1: 1 / 3, top5: 1, mean_class_accuracy: 0.125, num_samples: 3, num_classes: 4,
    config: 'ntu60_xsub/j.py', checkpoint: 'best_top1_acc_epoch_3.pth', num_clips: 10, average_clips: 'prob',
    confusion_matrix_axes: '[true class][predicted class (argmax)]',
    confusion_matrix: [[0, 0, 0, 0], [0, 1, 0, 1], [1, 0, 0, 0], [0, 0, 0, 0]],
  });
  assert.equal(evaluation.top1, 1 / 3);
  assert.match(readFileSync(files.metrics, 'utf8'), /\n {4}\[0,1,0,1\],\n/); // one matrix row per line
}));

test('the dump is what Python\'s pickle loads as a list of float32 arrays (mmcv.dump format)', { skip: needPython() }, () => withDir((dir) => {
  const { files } = writeTestResults(dir, { scores: SCORES, labels: LABELS }, { predictionsFile: 'last_pred.pkl' });
  const seen = runPythonJson<{ proto: number; types: string[]; rows: number[][] }>(String.raw`
import json, pickle, sys, numpy as np
path = json.load(sys.stdin)
raw = open(path, 'rb').read()
obj = pickle.loads(raw)
assert type(obj) is list
print(json.dumps({'proto': raw[1], 'types': sorted({'%s %s %s' % (type(a).__name__, a.dtype, a.shape) for a in obj}),
                  'rows': [a.astype(float).tolist() for a in obj]}))
`, files.predictions);
  assert.ok(files.predictions.endsWith('last_pred.pkl'));
  assert.equal(seen.proto, 2);
  assert.deepEqual(seen.types, ['ndarray float32 (4,)']);
  assert.deepEqual(seen.rows.flat(), Array.from(SCORES.data));
}));

test('the original\'s best_pred.pkl reads as the stacked score matrix', { skip: needFixtures() }, () => {
  const fromPickle = readPredictionsPickle(fixture('ensemble', 'j_best_pred.pkl'));
  assert.deepEqual(fromPickle, readNpy(fixture('ensemble', 'j_scores.npy')));
});

test('score readers name the file and say what was expected', () => withDir((dir) => {
  writeTestResults(dir, { scores: SCORES, labels: LABELS });
  assert.throws(() => readScoresFile(join(dir, 'labels.npy')), /labels\.npy: expected a 2-D float32\/float64 array \[samples, classes\], got int64 \[3\]/);
  assert.throws(() => readLabelsNpy(join(dir, 'scores.npy')), /scores\.npy: expected 1-D integer labels, got float32 \[3, 4\]/);
  assert.throws(() => readScoresFile(join(dir, 'metrics.json')), /metrics\.json: neither a \.npy file nor a pickle/);
  assert.throws(() => readScoresFile(join(dir, 'nope.pkl')), /nope\.pkl: no such file/);
}));
