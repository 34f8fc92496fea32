import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, needFixtures } from '../fixtures.js';
import { convertToStore } from '../../src/data/convert.js';
import { PoseDataset } from '../../src/data/dataset.js';
import { loadLabels, loadSplit } from '../../src/data/pyskl.js';
import { PoseStore } from '../../src/data/store.js';
import { writeSynthetic } from '../../src/data/synthetic.js';
import { ntuKeypoint, withTempDir, writeSmallNtu } from './helpers.js';

const FIXTURE_FILES = ['ntu60_3d_p2.pkl', 'gym_2d_p4.pkl', 'uav_2d_p4.pkl', 'k400_compressed_p4.pkl'];

/** Loading a split from the store gives the same records as from the pickle. */
function assertSameSplits(pkl: string, store: string, splits: readonly string[]): void {
  for (const split of [undefined, ...splits]) {
    const a = loadSplit(pkl, split);
    const b = loadSplit(store, split);
    assert.equal(b.length, a.length, `${split}: sample count`);
    a.forEach((rec, i) => {
      const sorted = (o: object): object => Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));
      assert.deepEqual(sorted(b[i]), sorted(rec), `${split} sample ${i} (${rec.frame_dir})`);
    });
    assert.deepEqual(loadLabels(store, split), loadLabels(pkl, split));
  }
}

test('store round trip: fixture files load identically from the store', { skip: needFixtures() }, () => {
  withTempDir((dir) => {
    for (const name of FIXTURE_FILES) {
      const pkl = fixture('annotations', name);
      const out = join(dir, `${name}.skstore`);
      const r = convertToStore(pkl, out);
      assert.equal(r.bytes, statSync(out).size);
      const store = PoseStore.open(out);
      const splits = store.splitNames();
      store.close();
      assertSameSplits(pkl, out, splits);
    }
    // K400 `valid` survives the store (a Map with float keys), so the valid-ratio filter still works.
    const k400 = join(dir, 'k400_compressed_p4.pkl.skstore');
    assert.equal(loadSplit(k400, 'val', { boxThr: 0.5, validRatio: 0.95 }).length, 0);
    assert.equal(loadSplit(k400, 'val', { boxThr: 0.5, validRatio: 0.9 }).length, 1);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left');
  });
});

test('store round trip: synthetic datasets, PoseDataset reads both formats the same', () => {
  withTempDir((dir) => {
    const pkl = join(dir, 'synth.pkl');
    const out = join(dir, 'synth.skstore');
    writeSynthetic(pkl, { layout: 'coco', classes: 4, perClass: 3, seed: 7 });
    convertToStore(pkl, out, { layout: 'coco' });
    const a = PoseDataset.open(pkl, { split: 'train', layout: 'coco', testMode: true });
    const b = PoseDataset.open(out, { split: 'train', layout: 'coco', testMode: true });
    assert.equal(b.length, a.length);
    assert.deepEqual(b.labels, a.labels);
    assert.deepEqual(b.frameDirs, a.frameDirs);
    assert.equal(b.numClasses, a.numClasses);
    for (let i = 0; i < a.length; i++) {
      const [x, y] = [a.get(i), b.get(i)];
      assert.deepEqual(y.keypoint, x.keypoint);
      assert.deepEqual(y.keypoint_score, x.keypoint_score);
      assert.deepEqual(y.img_shape, x.img_shape);
      assert.equal(y.idx, i);
    }
    a.close();
    b.close();
  });
});

test('store: arrays are 8-byte aligned views; None entries and unmatched split ids are kept in the index', () => {
  withTempDir((dir) => {
    const pkl = join(dir, 'small.pkl');
    writeSmallNtu(pkl, [
      { frame_dir: 'S001C001P001R001A001', label: 0, keypoint: ntuKeypoint(1, 3) },
      { frame_dir: 'S001C001P001R001A002', label: 1, keypoint: ntuKeypoint(2, 5) },
    ], { xsub_train: ['S001C001P001R001A002', 'S001C001P001R001A001', 'S009C001P001R001A009'] });
    const out = join(dir, 'small.skstore');
    convertToStore(pkl, out);
    const store = PoseStore.open(out);
    assert.deepEqual(store.select('xsub_train'), { indices: [0, 1], unmatchedIds: ['S009C001P001R001A009'] });
    for (const s of store.index.samples) {
      assert.equal(s.offset % 8, 0);
      for (const a of s.arrays) assert.equal(a.offset % 8, 0);
    }
    const second = store.read(1);
    assert.deepEqual(second.keypoint?.shape, [2, 5, 25, 3]);
    assert.deepEqual(Array.from(second.keypoint?.data as Uint16Array), Array.from(ntuKeypoint(2, 5).data));
    assert.throws(() => store.read(2), /sample 2 out of range \(0\.\.1\)/);
    store.close();
  });
});

test('store: truncated or foreign files give clear errors', () => {
  withTempDir((dir) => {
    const pkl = join(dir, 'small.pkl');
    writeSmallNtu(pkl, [{ frame_dir: 'S001C001P001R001A001', label: 0 }], { xsub_train: ['S001C001P001R001A001'] });
    const out = join(dir, 'small.skstore');
    convertToStore(pkl, out);
    truncateSync(out, statSync(out).size - 10);
    assert.throws(() => PoseStore.open(out), /small\.skstore: truncated or corrupt: index should end at byte \d+, file has \d+ bytes/);
    assert.throws(() => convertToStore(pkl, pkl), /output would overwrite the input/);
    const bytes = readFileSync(pkl);
    writeFileSync(join(dir, 'copy.skstore'), bytes);
    assert.throws(() => PoseStore.open(join(dir, 'copy.skstore')), /copy\.skstore: not a skagent dataset store \(bad magic bytes\)/);
  });
});

/** `store` with its index replaced by `edit(index)` (header offsets rewritten to match). */
function withIndex(store: Buffer, edit: (index: Record<string, unknown>) => unknown): Buffer {
  const offset = Number(store.readBigUInt64LE(16));
  const index = JSON.parse(store.subarray(offset).toString('utf8')) as Record<string, unknown>;
  const json = Buffer.from(JSON.stringify(edit(index)), 'utf8');
  const out = Buffer.concat([store.subarray(0, offset), json]);
  out.writeBigUInt64LE(BigInt(json.byteLength), 24);
  return out;
}

test('store: an index of the wrong shape is refused naming the file and the entry, not a TypeError', () => {
  withTempDir((dir) => {
    const pkl = join(dir, 'small.pkl');
    writeSmallNtu(pkl, [{ frame_dir: 'S001C001P001R001A001', label: 0 }, { frame_dir: 'S001C001P002R001A001', label: 1 }], { xsub_train: ['S001C001P001R001A001', 'S001C001P002R001A001', 'S009C001P001R001A001'] });
    const good = join(dir, 'small.skstore');
    convertToStore(pkl, good);
    const bytes = readFileSync(good);
    const cases: [string, (index: Record<string, unknown>) => unknown, RegExp][] = [
      ['not an object', () => [1, 2], /corrupt index: expected a JSON object, found a list of 2/],
      ['no samples', (ix) => ({ ...ix, samples: undefined }), /corrupt index: samples: expected a list, found nothing/],
      ['a sample that is not an object', (ix) => ({ ...ix, samples: [...(ix.samples as unknown[]), 7] }), /corrupt index: samples\[2\]: expected an object, found 7/],
      ['no splits', (ix) => ({ ...ix, splits: undefined }), /corrupt index: splits: expected an object, found nothing/],
      ['a split index out of range', (ix) => ({ ...ix, splits: { xsub_train: [0, 2] } }), /corrupt index: splits\['xsub_train'\]\[1\]: expected sample indices 0\.\.1, found 2/],
      ['a split that is not a list', (ix) => ({ ...ix, splits: { xsub_train: 'all' } }), /corrupt index: splits\['xsub_train'\]: expected a list, found "all"/],
      ['no unmatched ids', (ix) => ({ ...ix, unmatched: null }), /corrupt index: unmatched: expected an object, found null/],
      ['an unmatched id that is not a string', (ix) => ({ ...ix, unmatched: { xsub_train: [3] } }), /corrupt index: unmatched\['xsub_train'\]\[0\]: expected strings, found 3/],
    ];
    for (const [what, edit, said] of cases) {
      const path = join(dir, 'edited.skstore');
      writeFileSync(path, withIndex(bytes, edit));
      assert.throws(() => PoseStore.open(path), (err: Error) => err.name === 'DataError' && /edited\.skstore/.test(err.message) && said.test(err.message), what);
    }
    // A sample entry is checked when it is read.
    const path = join(dir, 'edited.skstore');
    writeFileSync(path, withIndex(bytes, (ix) => ({ ...ix, samples: (ix.samples as Record<string, unknown>[]).map((s, i) => (i === 1 ? { ...s, label: 'one' } : s)) })));
    const store = PoseStore.open(path);
    try {
      assert.equal(store.read(0).label, 0);
      assert.throws(() => store.read(1), /edited\.skstore.*corrupt index: frame_dir "S001C001P002R001A001", label "one", total_frames \d+ \(expected a string and two integers\)/);
    } finally {
      store.close();
    }
  });
});
