import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fixture, needFixtures } from '../fixtures.js';
import { convertToStore } from '../../src/data/convert.js';
import { formatStats, inspectDataset } from '../../src/data/inspect.js';
import { ntuKeypoint, withTempDir, writeSmallNtu } from './helpers.js';

const skip = needFixtures();

test('inspect: per split / per class counts, frames and persons of the NTU fixture', { skip }, () => {
  const s = inspectDataset(fixture('annotations', 'ntu60_3d_p4.pkl'));
  assert.equal(s.format, 'pickle');
  assert.equal(s.samples, 4);
  assert.equal(s.noneEntries, 0);
  assert.deepEqual(s.classes, { distinct: 4, minLabel: 5, maxLabel: 57 });
  assert.deepEqual(s.perClass, { 5: 1, 22: 1, 50: 1, 57: 1 });
  assert.deepEqual(s.frames, { min: 73, median: 139, mean: 140.75, max: 212 });
  assert.deepEqual(s.persons, { 1: 2, 2: 2 });
  assert.deepEqual(s.keypointKinds, { 'float16 [M, T, 25, 3]': 4 });
  assert.deepEqual(s.splits.map((sp) => [sp.name, sp.samples, sp.perClass]), [
    ['xsub_train', 3, { 5: 1, 22: 1, 50: 1 }],
    ['xsub_val', 1, { 57: 1 }],
    ['xview_train', 2, { 50: 1, 57: 1 }],
    ['xview_val', 2, { 5: 1, 22: 1 }],
  ]);
  const text = formatStats(s);
  assert.match(text, /samples: 4\n/);
  assert.match(text, /frames per sample: min 73, median 139, mean 140\.8, max 212/);
  assert.match(text, /  xsub_train\s+3 samples, 3 classes/);
  assert.match(text, /\s+57: 1 \| 0 \| 1 \| 1 \| 0/);
});

test('inspect: Kinetics persons = most skeletons in one frame; pickle and store agree', { skip }, () => {
  const pkl = fixture('annotations', 'k400_compressed_p4.pkl');
  const s = inspectDataset(pkl);
  assert.deepEqual(s.persons, { 3: 1, 12: 1 });
  assert.deepEqual(s.keypointKinds, { 'float16 [A, 17, 3] compressed': 2 });
  withTempDir((dir) => {
    const store = join(dir, 'k400.skstore');
    convertToStore(pkl, store);
    const t = inspectDataset(store);
    assert.equal(t.format, 'store');
    assert.deepEqual({ ...t, file: '', format: '' }, { ...s, file: '', format: '' });
  });
});

test('inspect --check lists every invalid sample instead of stopping at the first', () => {
  withTempDir((dir) => {
    const nan = ntuKeypoint(1, 5);
    nan.data[0] = 0x7e00;
    const path = join(dir, 'mixed.pkl');
    writeSmallNtu(path, [
      { frame_dir: 'S001C001P001R001A001', label: 0, keypoint: nan },
      { frame_dir: 'S001C001P001R001A002', label: 1 },
      { frame_dir: 'S001C001P001R001A003', label: 2, keypoint: ntuKeypoint(3, 4) },
    ], { xsub_train: ['S001C001P001R001A001', 'S001C001P001R001A002', 'S001C001P001R001A003'] });
    const s = inspectDataset(path, { check: true, layout: 'nturgb+d' });
    assert.equal(s.problems?.length, 2);
    assert.match(s.problems?.[0] ?? '', /sample 0 \('S001C001P001R001A001'\), field 'keypoint': non-finite value/);
    assert.match(s.problems?.[1] ?? '', /sample 2 \('S001C001P001R001A003'\), field 'keypoint': 3 persons/);
    assert.match(formatStats(s), /check: 2 problem\(s\):/);
  });
});
