/** The `skagent data ...` commands run as real subprocesses (bin/skagent.js needs dist/ built). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, fixture, needFixtures, needOriginal, original } from '../fixtures.js';
import { ANNOTATION_GLOBALS, loadPickleFile } from '../../src/io/pickle/index.js';
import { ntuKeypoint, withTempDir, writeSmallNtu } from './helpers.js';

const BIN = join(REPO_ROOT, 'bin', 'skagent.js');

function skagent(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('synth → inspect --json → convert → inspect the store', () => {
  withTempDir((dir) => {
    const pkl = join(dir, 'ntu.pkl');
    const labels = join(dir, 'labels.txt');
    const made = skagent('data', 'synth', '--layout', 'nturgb+d', '--out', pkl, '--per-class', '3', '--seed', '1', '--labels', labels);
    assert.equal(made.status, 0, made.stderr);
    const names = readFileSync(labels, 'utf8').split('\n');
    assert.deepEqual(names.slice(0, 3), ['wave right hand', 'raise both arms', 'squat']);
    assert.equal(names.length, 13, '12 names and a final newline');
    assert.match(made.stdout, /wrote .*ntu\.pkl: 36 samples, 12 classes \(xsub_train \d+, xsub_val \d+, xview_train \d+, xview_val \d+\)/);

    const inspected = skagent('data', 'inspect', pkl, '--json', '--check', '--layout', 'nturgb+d');
    assert.equal(inspected.status, 0, inspected.stderr);
    const stats = JSON.parse(inspected.stdout);
    assert.equal(stats.samples, 36);
    assert.equal(stats.classes.distinct, 12);
    assert.deepEqual(stats.splits.map((s: { name: string }) => s.name), ['xsub_train', 'xsub_val', 'xview_train', 'xview_val']);
    assert.deepEqual(stats.problems, []);

    const store = join(dir, 'ntu.skstore');
    const converted = skagent('data', 'convert', pkl, store, '--layout', 'nturgb+d');
    assert.equal(converted.status, 0, converted.stderr);
    assert.match(converted.stdout, /wrote .*ntu\.skstore: 36 samples, [\d.]+ KiB in [\d.]+ s/);
    const fromStore = JSON.parse(skagent('data', 'inspect', store, '--json').stdout);
    assert.equal(fromStore.format, 'store');
    const { problems: _p, ...pklStats } = stats;
    assert.deepEqual({ ...fromStore, file: '', format: '' }, { ...pklStats, file: '', format: '' });

    const text = skagent('data', 'inspect', store);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /\(dataset store\)\nsamples: 36\n/);
  });
});

test('ntu-raw --reproduce-original-bugs writes what the original wrote', { skip: needFixtures() || needOriginal() }, () => {
  withTempDir((dir) => {
    const out = join(dir, 'out');
    const r = skagent('data', 'ntu-raw', fixture('ntu_raw', 'nturgb+d_skeletons'), out, '--missing', original('ntu120_missing.txt'), '--reproduce-original-bugs');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ntu60_3danno\.pkl: 5 samples \(xsub_train 4, xsub_val 1, xview_train 3, xview_val 2\)/);
    assert.match(r.stdout, /skipped 1 sample\(s\) on the missing list/);
    for (const name of ['ntu60_3danno.pkl', 'ntu120_3danno.pkl']) {
      // Same Python value as the original's file (byte identity would also need mmcv's memo layout).
      const ours = loadPickleFile(join(out, name), { globals: ANNOTATION_GLOBALS });
      const theirs = loadPickleFile(fixture('ntu_raw', 'output_main', name), { globals: ANNOTATION_GLOBALS });
      assert.deepEqual(ours, theirs, name);
    }
  });
});

test('uav-raw writes a loadable pickle', () => {
  withTempDir((dir) => {
    const raw = join(dir, 'raw');
    mkdirSync(raw);
    const joints = Array.from({ length: 17 }, (_, j) => `${j}.5 ${2 * j} 1`);
    writeFileSync(join(raw, 'P000S00G10B10H10UC022000LC021000A004R0_08241716.txt'), ['2', '1', 'attr', '17', ...joints, '1', 'attr', '17', ...joints, ''].join('\n'));
    const out = join(dir, 'uav_human.pkl');
    const r = skagent('data', 'uav-raw', raw, out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 samples \(csv1_train 1, csv1_val 0, csv2_train 1, csv2_val 0\)/);
    const stats = JSON.parse(skagent('data', 'inspect', out, '--json').stdout);
    assert.deepEqual(stats.keypointKinds, { 'float64 [M, T, 17, 2]': 1 });
  });
});

test('errors: usage problems exit 2, bad files exit 3, failed checks exit 1', () => {
  withTempDir((dir) => {
    const missing = skagent('data', 'inspect', join(dir, 'absent.pkl'));
    assert.equal(missing.status, 3, missing.stderr);
    assert.match(missing.stderr, /skagent data inspect: .*absent\.pkl: no such file/);

    assert.equal(skagent('data', 'synth', '--layout', 'openpose', '--out', join(dir, 'x.pkl')).status, 2);
    assert.equal(skagent('data', 'convert', join(dir, 'only-one.pkl')).status, 2);
    assert.equal(skagent('data', 'inspect', 'a.pkl', '--bogus').status, 2);

    const bad = join(dir, 'bad.pkl');
    const nan = ntuKeypoint(1, 4);
    nan.data[1] = 0x7c00;
    writeSmallNtu(bad, [{ frame_dir: 'S001C001P001R001A001', label: 0, keypoint: nan }], { xsub_train: ['S001C001P001R001A001'] });
    const checked = skagent('data', 'inspect', bad, '--check');
    assert.equal(checked.status, 1, checked.stderr);
    assert.match(checked.stdout, /check: 1 problem\(s\):\n  .*bad\.pkl: sample 0 \('S001C001P001R001A001'\), field 'keypoint': non-finite value \(NaN or Inf\) at index \[0, 0, 0, 1\]/);
    const conversion = skagent('data', 'convert', bad, join(dir, 'bad.skstore'));
    assert.equal(conversion.status, 3, conversion.stderr);
    assert.match(conversion.stderr, /non-finite value/);
    assert.equal(existsSync(join(dir, 'bad.skstore')), false, 'nothing written on failure');
  });
});
