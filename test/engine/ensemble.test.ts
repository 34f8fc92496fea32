/**
 * Fusion (bit-exact against the original's smp.comb outputs and numpy's dtype rules) and the
 * `skagent ensemble` command as a real subprocess on the fixture files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ndarray } from '../../src/io/ndarray.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { loadLabels } from '../../src/data/pyskl.js';
import { ENSEMBLE_PRESETS, fuseScores } from '../../src/engine/ensemble.js';
import { topKAccuracy } from '../../src/engine/metrics.js';
import { readScoresFile } from '../../src/engine/results.js';
import { FIXTURES, REPO_ROOT, fixture, needFixtures } from '../fixtures.js';
import { needPython, runPythonJson } from '../transforms/python.js';

interface EnsembleJson {
  labels: number[];
  single_stream_top1: Record<string, number>;
  fusions: Record<string, { streams: string[]; coeffs: number[]; top1: number; fused: { file: string } }>;
}

const STREAMS = ['j', 'b', 'k', 'jm', 'bm', 'km'];
const expected = (): EnsembleJson => JSON.parse(readFileSync(fixture('ensemble', 'ensemble.json'), 'utf8')) as EnsembleJson;

function sameBits(a: Float32Array | Float64Array, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i} is ${a[i]}, expected ${b[i]}`);
  }
}

test('the presets are the fixture\'s fusions (streams, order and weights)', { skip: needFixtures() }, () => {
  const fusions = expected().fusions;
  assert.deepEqual(ENSEMBLE_PRESETS.map((p) => [p.name, [...p.streams], [...p.weights]]),
    Object.entries(fusions).map(([name, f]) => [name, f.streams, f.coeffs]));
});

test('fused scores are bit-identical to the original\'s, from best_pred.pkl and scores.npy alike', { skip: needFixtures() }, () => {
  const ref = expected();
  const labels = loadLabels(fixture('ensemble', 'ensemble_labels_ann.pkl'), 'xsub_val');
  for (const suffix of ['_best_pred.pkl', '_scores.npy']) {
    const streams = Object.fromEntries(STREAMS.map((s) => [s, readScoresFile(fixture('ensemble', s + suffix))]));
    for (const preset of ENSEMBLE_PRESETS) {
      const fused = fuseScores(preset.streams.map((s) => streams[s]), preset.weights);
      const want = readNpy(join(FIXTURES!, ref.fusions[preset.name].fused.file));
      assert.equal(fused.dtype, 'float32');
      assert.deepEqual(fused.shape, want.shape);
      sameBits(fused.data, want.data as Float32Array, `${preset.name} from *${suffix}`);
      assert.equal(topKAccuracy(fused, labels, [1])[0], ref.fusions[preset.name].top1, `${preset.name} top-1`);
    }
  }
});

test('fusion follows numpy\'s dtype rules for fractional weights and float64 streams', { skip: needPython() }, () => {
  const a = Float32Array.from({ length: 12 }, (_, i) => Math.fround(Math.sin(i + 1) ** 2));
  const b = Float32Array.from({ length: 12 }, (_, i) => Math.fround(Math.cos(i * 3) ** 2 / 3));
  const c = Float64Array.from({ length: 12 }, (_, i) => Math.sqrt(i + 0.1) / 7);
  const weights = [0.3, 1.7, 2.9];
  const ref = runPythonJson<{ f32: number[]; mixed: number[] }>(String.raw`
import json, sys, numpy as np
d = json.load(sys.stdin)
def comb(scores, coeffs):
    ret = [x * coeffs[0] for x in scores[0]]
    for i in range(1, len(scores)):
        ret = [x + y for x, y in zip(ret, [x * coeffs[i] for x in scores[i]])]
    return ret
a, b = np.array(d['a'], np.float32).reshape(3, 4), np.array(d['b'], np.float32).reshape(3, 4)
c = np.array(d['c'], np.float64).reshape(3, 4)
f32 = np.array(comb([list(a), list(b)], d['w'][:2]))
mixed = np.array(comb([list(a), list(c), list(b)], d['w']))
assert f32.dtype == np.float32 and mixed.dtype == np.float64
print(json.dumps({'f32': f32.ravel().astype(float).tolist(), 'mixed': mixed.ravel().tolist()}))
`, { a: Array.from(a), b: Array.from(b), c: Array.from(c), w: weights });
  const [sa, sb, sc] = [ndarray('float32', [3, 4], a), ndarray('float32', [3, 4], b), ndarray('float64', [3, 4], c)];
  const f32 = fuseScores([sa, sb], weights.slice(0, 2));
  assert.equal(f32.dtype, 'float32');
  sameBits(f32.data, ref.f32, 'float32 fusion');
  const mixed = fuseScores([sa, sc, sb], weights);
  assert.equal(mixed.dtype, 'float64');
  sameBits(mixed.data, ref.mixed, 'float32/float64 fusion');
  assert.throws(() => fuseScores([sa, ndarray('float32', [4, 3], a)], [1, 1]), /stream 1 has shape \[4, 3\]/);
  assert.throws(() => fuseScores([sa], [1, 2]), /2 weights for 1 streams/);
});

// ---- the CLI as a subprocess ----

function skagent(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'skagent.js'), 'ensemble', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const files = (suffix: string, names = STREAMS): string[] => names.map((s) => fixture('ensemble', s + suffix));
const annLabels = (): string[] => ['--labels', fixture('ensemble', 'ensemble_labels_ann.pkl'), '--split', 'xsub_val'];

interface CliJson {
  num_samples: number;
  num_classes: number;
  streams: { name: string; file: string; top1: number }[];
  fusions: { name: string; streams: string[]; weights: number[]; top1: number }[];
}

test('CLI: six best_pred.pkl files --json reproduce ensemble.json', { skip: needFixtures() }, () => {
  const ref = expected();
  const r = skagent(...files('_best_pred.pkl'), ...annLabels(), '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as CliJson;
  assert.deepEqual([out.num_samples, out.num_classes], [40, 60]);
  assert.deepEqual(Object.fromEntries(out.streams.map((s) => [s.name, s.top1])), ref.single_stream_top1);
  assert.deepEqual(out.fusions, Object.entries(ref.fusions).map(([name, f]) => ({ name, streams: f.streams, weights: f.coeffs, top1: f.top1 })));
});

test('CLI: four scores.npy files with labels.npy give J+B and 4M; --preset and --weights pick one fusion', { skip: needFixtures() }, () => {
  const ref = expected();
  const dir = mkdtempSync(join(tmpdir(), 'skagent-ensemble-'));
  try {
    const labelsNpy = join(dir, 'labels.npy');
    writeNpy(labelsNpy, ndarray('int64', [ref.labels.length], BigInt64Array.from(ref.labels.map(BigInt))));
    const four = files('_scores.npy', ['j', 'b', 'jm', 'bm']);
    const all = JSON.parse(skagent(...four, '--labels', labelsNpy, '--json').stdout) as CliJson;
    assert.deepEqual(all.fusions.map((f) => [f.name, f.top1]), [['J+B', ref.fusions['J+B'].top1], ['4M', ref.fusions['4M'].top1]]);

    const preset = skagent(...files('_scores.npy'), '--labels', labelsNpy, '--preset', '6s');
    assert.equal(preset.code, 0, preset.stderr);
    assert.match(preset.stdout, /^6M\s+0\.3250 \(13\/40\)\s+j:2 b:2 k:2 jm:1 bm:1 km:1$/m);
    assert.doesNotMatch(preset.stdout, /^J\+B/m);

    const weighted = JSON.parse(skagent(...files('_best_pred.pkl', ['j', 'b', 'jm', 'bm']), '--labels', labelsNpy, '--weights', '2,2,1,1', '--json').stdout) as CliJson;
    assert.deepEqual(weighted.fusions.map((f) => [f.name, f.top1]), [['weighted', ref.fusions['4M'].top1]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: mismatched, unreadable and wrong inputs fail with the file named and exit 2 or 3', { skip: needFixtures() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-ensemble-'));
  try {
    const j = readNpy(fixture('ensemble', 'j_scores.npy'));
    const short = join(dir, 'short.npy');
    writeNpy(short, ndarray('float32', [39, 60], (j.data as Float32Array).slice(0, 39 * 60)));
    const narrow = join(dir, 'narrow.npy');
    writeNpy(narrow, ndarray('float32', [40, 30], (j.data as Float32Array).slice(0, 40 * 30)));
    const junk = join(dir, 'junk.pkl');
    writeFileSync(junk, 'not scores');
    const [jFile] = files('_scores.npy', ['j']);
    const cases: [string[], number, RegExp][] = [
      [[jFile, short, ...annLabels()], 3, /short\.npy: 39 samples, but .*ensemble_labels_ann\.pkl has 40 labels/],
      [[jFile, narrow, ...annLabels()], 3, /narrow\.npy: 30 classes, but .*j_scores\.npy has 60/],
      [[jFile, join(dir, 'missing.npy'), ...annLabels()], 3, /missing\.npy: no such file/],
      [[jFile, junk, ...annLabels()], 3, /junk\.pkl: neither a \.npy file nor a pickle/],
      [[narrow, ...annLabels()], 3, /label \d+ of sample \d+ is not a class of the 30-class scores/],
      [[jFile, jFile, ...annLabels(), '--weights', '1,2,3'], 2, /--weights has 3 weights for 2 score files/],
      [[jFile, jFile, jFile, ...annLabels()], 2, /3 score files: give --weights/],
      [[jFile, jFile, ...annLabels(), '--preset', '4s'], 2, /--preset 4s needs the streams j b jm bm/],
      [[jFile, jFile, '--labels', fixture('ensemble', 'ensemble_labels_ann.pkl')], 2, /--split is required/],
      [[jFile, jFile, ...annLabels(), '--bogus'], 2, /bogus/],
    ];
    for (const [args, code, message] of cases) {
      const r = skagent(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: --help explains the inputs, the stream order and gives an example', () => {
  const r = skagent('--help');
  assert.equal(r.code, 0);
  for (const text of ['best_pred.pkl', 'j b k jm bm km', '6s  6M', 'Example', '--split']) assert.ok(r.stdout.includes(text), text);
});
