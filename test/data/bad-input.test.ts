import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, needFixtures } from '../fixtures.js';
import { zeros } from '../../src/io/ndarray.js';
import { PoseDataset } from '../../src/data/dataset.js';
import { loadSplit } from '../../src/data/pyskl.js';
import { writeAnnotationPickle } from '../../src/data/pyskl-writer.js';
import { ntuKeypoint, withTempDir, writeSmallNtu } from './helpers.js';

const NAME = 'S001C001P001R001A001';
const split = { xsub_train: [NAME] };

/** Writes one NTU-style sample with `fields` and expects loading it to fail with `message`. */
function expectRejected(fields: Record<string, unknown>, message: RegExp, opts: { layout?: 'nturgb+d' } = { layout: 'nturgb+d' }): void {
  withTempDir((dir) => {
    const path = join(dir, 'bad.pkl');
    writeSmallNtu(path, [{ frame_dir: NAME, label: 0, ...fields }], split);
    assert.throws(() => loadSplit(path, 'xsub_train', opts), (err: Error) => {
      assert.match(err.message, /bad\.pkl: sample 0 \('S001C001P001R001A001'\), field '/);
      assert.match(err.message, message);
      return true;
    });
  });
}

test('wrong keypoint shapes and dtypes name the sample and the field', () => {
  expectRejected({ keypoint: ntuKeypoint(1, 10, 17, 3) }, /field 'keypoint': expected 25 joints \(V\), got shape \[1, 10, 17, 3\]/);
  expectRejected({ keypoint: ntuKeypoint(1, 10, 25, 2) }, /field 'keypoint': expected 3 channels \(C\), got shape \[1, 10, 25, 2\]/);
  expectRejected({ keypoint: zeros('float16', [10, 25, 3]) }, /field 'keypoint': expected shape \[M, T, V, C\], got float16 array of shape \[10, 25, 3\]/);
  expectRejected({ keypoint: zeros('int32', [1, 10, 25, 3]) }, /field 'keypoint': expected a float16\/float32\/float64 array, got int32/);
  expectRejected({ keypoint: 'not an array' }, /field 'keypoint': expected a numpy array, got the string 'not an array'/);
});

test('NaN / Inf, zero-length sequences and total_frames mismatches are rejected', () => {
  const nan = ntuKeypoint(1, 10);
  nan.data[3 * 75 + 5] = 0x7e00; // frame 3, joint 1, y
  expectRejected({ keypoint: nan }, /field 'keypoint': non-finite value \(NaN or Inf\) at index \[0, 3, 1, 2\]/);
  const inf = zeros('float32', [1, 4, 25, 3]);
  inf.data[7] = -Infinity;
  expectRejected({ keypoint: inf }, /non-finite value \(NaN or Inf\) at index \[0, 0, 2, 1\]/);
  expectRejected({ keypoint: zeros('float16', [1, 0, 25, 3]) }, /field 'keypoint': zero-length sequence \(T = 0\)/);
  expectRejected({ keypoint: zeros('float16', [0, 5, 25, 3]) }, /field 'keypoint': no persons \(M = 0\)/);
  expectRejected({ keypoint: ntuKeypoint(1, 10), total_frames: 12 }, /field 'total_frames': is 12 but keypoint has T = 10 frames/);
});

test('more than two persons: an error for nturgb+d (PreNormalize3D), allowed for 2D layouts', () => {
  expectRejected({ keypoint: ntuKeypoint(3, 10) }, /field 'keypoint': 3 persons; this layout's pipeline accepts at most 2/);
  withTempDir((dir) => {
    const path = join(dir, 'gym.pkl');
    const keypoint = ntuKeypoint(3, 8, 17, 2);
    const keypoint_score = zeros('float16', [3, 8, 17]);
    writeAnnotationPickle(path, { split: new Map([['train', ['x']]]), annotations: [{ frame_dir: 'x', label: 1, img_shape: [720, 1280], total_frames: 8, keypoint, keypoint_score }] });
    assert.equal(loadSplit(path, 'train', { layout: 'coco' })[0].keypoint?.shape[0], 3);
  });
});

test('missing or mistyped fields', () => {
  expectRejected({ label: -1 }, /field 'label': expected an integer ≥ 0, got -1/);
  expectRejected({ label: 2.5 }, /field 'label': expected an integer, got number 2\.5/);
  expectRejected({ img_shape: [720] }, /field 'img_shape': expected \(height, width\) of two positive ints/);
  withTempDir((dir) => {
    const path = join(dir, 'nolabel.pkl');
    writeAnnotationPickle(path, { split: new Map(Object.entries(split)), annotations: [{ frame_dir: NAME, keypoint: ntuKeypoint(1, 3), total_frames: 3 }] });
    assert.throws(() => loadSplit(path, 'xsub_train'), /nolabel\.pkl: sample 0 \('S001C001P001R001A001'\), field 'label': required integer missing/);
  });
});

test('a label beyond the class count is an error when the count is given', () => {
  withTempDir((dir) => {
    const path = join(dir, 'labels.pkl');
    writeSmallNtu(path, [{ frame_dir: NAME, label: 60 }], split);
    assert.throws(() => PoseDataset.open(path, { split: 'xsub_train', numClasses: 60 }), /field 'label': 60 is out of range for 60 classes/);
  });
});

test('truncated, empty and foreign files are named in the error', { skip: needFixtures() }, () => {
  withTempDir((dir) => {
    const bytes = readFileSync(fixture('annotations', 'ntu60_3d_p2.pkl'));
    writeFileSync(join(dir, 'cut.pkl'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    assert.throws(() => loadSplit(join(dir, 'cut.pkl'), 'xsub_val'), /cut\.pkl: cannot read the annotation pickle: .*/);
    writeFileSync(join(dir, 'empty.pkl'), '');
    assert.throws(() => loadSplit(join(dir, 'empty.pkl'), undefined), /empty\.pkl: empty file/);
    writeFileSync(join(dir, 'text.pkl'), 'hello');
    assert.throws(() => loadSplit(join(dir, 'text.pkl'), undefined), /text\.pkl: not a pickle \(protocol 2 or later\) nor a dataset store/);
    assert.throws(() => loadSplit(join(dir, 'absent.pkl'), undefined), /absent\.pkl: no such file/);
  });
});

test('None annotations (original NTU preprocessor) are skipped and their split ids reported', () => {
  withTempDir((dir) => {
    const path = join(dir, 'with-none.pkl');
    const other = 'S001C001P002R001A002';
    writeAnnotationPickle(path, {
      split: new Map([['xsub_train', [NAME, other]]]),
      annotations: [null, { frame_dir: other, label: 1, keypoint: ntuKeypoint(1, 4), total_frames: 4 }],
    });
    const ds = PoseDataset.open(path, { split: 'xsub_train' });
    assert.deepEqual(ds.frameDirs, [other]);
    assert.equal(ds.warnings.length, 1);
    assert.match(ds.warnings[0], /1 id\(s\) of split 'xsub_train' have no annotation \(S001C001P001R001A001\); skipped/);
    ds.close();
  });
});
