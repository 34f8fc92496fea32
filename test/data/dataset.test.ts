import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, needFixtures } from '../fixtures.js';
import { readNpy } from '../../src/io/npy.js';
import type { NdArray } from '../../src/io/ndarray.js';
import { dumpPickleFile } from '../../src/io/pickle/index.js';
import { writeAnnotationPickle } from '../../src/data/pyskl-writer.js';
import { PoseDataset } from '../../src/data/dataset.js';
import { loadLabels, loadSplit } from '../../src/data/pyskl.js';
import { withTempDir } from './helpers.js';

const skip = needFixtures();

interface FixtureSet {
  files: string[];
  split: Record<string, string[]>;
  annotations: Record<string, { type: string; value?: unknown; dtype?: string; shape?: number[] }>[];
}

function fixtureSets(): Record<string, FixtureSet> {
  return JSON.parse(readFileSync(fixture('annotations', 'annotations.json'), 'utf8'));
}

function referenceArray(stem: string, index: number, key: string): NdArray {
  return readNpy(fixture('annotations', 'arrays', stem, `${index}_${key}.npy`));
}

function sameArray(actual: NdArray | undefined, expected: NdArray, what: string): void {
  assert.ok(actual, `${what} missing`);
  assert.equal(actual.dtype, expected.dtype, `${what} dtype`);
  assert.deepEqual(actual.shape, expected.shape, `${what} shape`);
  assert.deepEqual(Array.from(actual.data as ArrayLike<number | bigint>), Array.from(expected.data as ArrayLike<number | bigint>), `${what} values`);
}

test('every fixture annotation file loads with its splits in file order and exact arrays', { skip }, () => {
  for (const [stem, set] of Object.entries(fixtureSets())) {
    const frameDirs = set.annotations.map((a) => a.frame_dir.value as string);
    for (const file of set.files) {
      for (const [split, ids] of Object.entries(set.split)) {
        const anns = loadSplit(fixture(file), split);
        const expectedOrder = frameDirs.filter((f) => ids.includes(f));
        assert.deepEqual(anns.map((a) => a.frame_dir), expectedOrder, `${file} ${split}`);
        for (const ann of anns) {
          const index = frameDirs.indexOf(ann.frame_dir);
          const ref = set.annotations[index];
          assert.equal(ann.label, ref.label.value, `${file} ${ann.frame_dir} label`);
          assert.equal(ann.total_frames, ref.total_frames.value);
          for (const [key, desc] of Object.entries(ref)) {
            if (desc.type === 'numpy.ndarray' && key !== 'box_score') sameArray(ann[key] as NdArray, referenceArray(stem, index, key), `${file} ${ann.frame_dir} ${key}`);
            if (desc.type === 'tuple') assert.deepEqual(ann[key], desc.value);
          }
        }
      }
    }
  }
});

test('PoseDataset: labels, class count, fetch-time fields, copies', { skip }, () => {
  const train = PoseDataset.open(fixture('annotations', 'ntu60_3d_p4.pkl'), { split: 'xsub_train', layout: 'nturgb+d' });
  assert.equal(train.length, 3);
  assert.deepEqual(train.labels, [5, 50, 22]);
  assert.deepEqual(train.frameDirs, ['S001C001P001R001A006', 'S002C003P008R001A051', 'S003C001P002R002A023']);
  assert.equal(train.numClasses, 58); // largest label of the file (57) + 1
  const rec = train.get(1);
  assert.equal(rec.modality, 'Pose');
  assert.equal(rec.start_index, 0);
  assert.equal(rec.test_mode, false);
  assert.equal('idx' in rec, false);
  assert.deepEqual(rec.keypoint?.shape, [2, 212, 25, 3]);
  (rec.keypoint as NdArray<'float16'>).data[0] = 0x7c00;
  assert.notEqual(train.get(1).keypoint?.data[0], 0x7c00, 'get() returns a copy');
  assert.throws(() => train.get(3), /index 3 out of range \(dataset has 3 samples\)/);
  train.close();

  const val = PoseDataset.open(fixture('annotations', 'ntu60_3d_p2.pkl'), { split: 'xsub_val', testMode: true, numClasses: 60 });
  const v = val.get(0);
  assert.equal(v.test_mode, true);
  assert.equal(v.idx, 0);
  assert.equal(val.numClasses, 60);
  val.close();
});

test('Kinetics: valid / box_score dropped; a positive valid_ratio filters and adds anno_inds', { skip }, () => {
  const file = fixture('annotations', 'k400_compressed_p4.pkl');
  // Shipped configs: box_thr 0.5 with valid_ratio 0.0 (train) or None (val) → nothing filtered.
  const [ann] = loadSplit(file, 'val', { layout: 'coco', boxThr: 0.5, validRatio: 0.0 });
  assert.equal(ann.frame_dir, 'ab1cD2eF3gH_000010_000020');
  assert.equal(ann.valid, undefined);
  assert.equal(ann.box_score, undefined);
  assert.equal(ann.anno_inds, undefined);
  assert.equal(ann.raw_file, 'kpfiles/ab.pkl');
  assert.equal(ann.num_person_raw, 3);
  assert.deepEqual(ann.keypoint?.shape, [77, 17, 3]);

  // valid[0.5] = 55 of 60 frames: kept at ratio 0.9, dropped at 0.95.
  assert.equal(loadSplit(file, 'val', { boxThr: 0.5, validRatio: 0.9 }).length, 1);
  assert.equal(loadSplit(file, 'val', { boxThr: 0.5, validRatio: 0.95 }).length, 0);
  const [kept] = loadSplit(file, 'val', { boxThr: 0.7, validRatio: 0.5 });
  const scores = referenceArray('k400_compressed', 0, 'box_score');
  assert.equal(kept.anno_inds?.dtype, 'bool');
  // numpy compares a float16 array with a Python float in float16: 0.7 → 0.7001953125.
  const expected = Array.from(scores.data as Uint16Array, (h) => (h >= 0x399a ? 1 : 0));
  assert.deepEqual(Array.from(kept.anno_inds?.data as Uint8Array), expected);
  assert.throws(() => loadSplit(file, 'val', { boxThr: 0.65, validRatio: 0.5 }), /field 'valid': no entry for box_thr 0\.65 \(have: 0\.5, 0\.6, 0\.7, 0\.8, 0\.9\)/);
});

test('Kinetics kpfiles: keypoints are read from the raw_file pickle at fetch time', { skip }, () => {
  withTempDir((dir) => {
    // Move the fixture's inline keypoints into a kpfile, the layout of the real K400 files.
    const anns = loadSplit(fixture('annotations', 'k400_compressed_p4.pkl'), undefined);
    const kpfile = Object.fromEntries(anns.map((a) => [a.frame_dir, { keypoint: a.keypoint as NdArray }]));
    mkdirSync(join(dir, 'kpfiles'));
    dumpPickleFile(join(dir, 'kpfiles', 'ab.pkl'), kpfile, { protocol: 4 });
    writeAnnotationPickle(join(dir, 'k400.pkl'), {
      split: new Map([['val', ['ab1cD2eF3gH_000010_000020']], ['train', ['Zz9yX8wV7uT_000123_000133']]]),
      annotations: anns.map(({ keypoint: _inline, ...rest }) => ({ ...rest, raw_file: 'kpfiles/ab.pkl' })),
    });
    const ds = PoseDataset.open(join(dir, 'k400.pkl'), { split: 'val', layout: 'coco' });
    sameArray(ds.get(0).keypoint, referenceArray('k400_compressed', 0, 'keypoint'), 'kpfile keypoint');
    ds.close();
    const missing = PoseDataset.open(join(dir, 'k400.pkl'), { split: 'val', kpfileRoot: join(dir, 'elsewhere') });
    assert.throws(() => missing.get(0), /field 'raw_file': cannot read kpfile .*elsewhere\/kpfiles\/ab\.pkl/);
    missing.close();
  });
});

test('labels in dataset order (load_label), from .pkl and from .txt', { skip }, () => {
  assert.deepEqual(loadLabels(fixture('annotations', 'ntu60_3d_p4.pkl'), 'xview_val'), [5, 22]);
  assert.deepEqual(loadLabels(fixture('annotations', 'gym_2d_p4.pkl'), 'train'), [12]);
  // The labels the original's load_label returned for the ensemble fixture.
  const ensemble = JSON.parse(readFileSync(fixture('ensemble', 'ensemble.json'), 'utf8'));
  assert.deepEqual(loadLabels(fixture('ensemble', 'ensemble_labels_ann.pkl'), 'xsub_val'), ensemble.labels);
  withTempDir((dir) => {
    writeFileSync(join(dir, 'labels.txt'), 'a/b.mp4 3\nc d 17\n\n');
    assert.deepEqual(loadLabels(join(dir, 'labels.txt')), [3, 17]);
    writeFileSync(join(dir, 'bad.txt'), 'a 3\nb x\n');
    assert.throws(() => loadLabels(join(dir, 'bad.txt')), /bad\.txt: line 2: last token 'x' is not an integer label/);
  });
});

test('unknown split names the file and lists the available ones', { skip }, () => {
  assert.throws(
    () => PoseDataset.open(fixture('annotations', 'uav_2d_p4.pkl'), { split: 'xsub_train' }),
    /uav_2d_p4\.pkl, field 'split': unknown split 'xsub_train' \(available: csv1_train, csv1_val, csv2_train, csv2_val\)/,
  );
});
