import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHalf } from '../../src/io/float16.js';
import type { NdArray } from '../../src/io/ndarray.js';
import type { Annotation } from '../../src/data/annotation.js';
import { PoseDataset } from '../../src/data/dataset.js';
import { SYNTH_CLASS_NAMES, type SynthLayout, generateSynthetic, writeSynthetic } from '../../src/data/synthetic.js';
import { withTempDir } from './helpers.js';

const EXPECTED: Record<SynthLayout, { joints: number; channels: number; dtype: string; scoreDtype?: string; splits: string[] }> = {
  'nturgb+d': { joints: 25, channels: 3, dtype: 'float16', splits: ['xsub_train', 'xsub_val', 'xview_train', 'xview_val'] },
  coco: { joints: 17, channels: 2, dtype: 'float16', scoreDtype: 'float16', splits: ['train', 'val'] },
  uav: { joints: 17, channels: 2, dtype: 'float64', scoreDtype: 'float32', splits: ['csv1_train', 'csv1_val', 'csv2_train', 'csv2_val'] },
};

test('at least 12 distinct classes are available', () => {
  assert.ok(SYNTH_CLASS_NAMES.length >= 12);
  assert.equal(new Set(SYNTH_CLASS_NAMES).size, SYNTH_CLASS_NAMES.length);
});

for (const layout of Object.keys(EXPECTED) as SynthLayout[]) {
  test(`${layout}: written like the real files and loaded through PoseDataset`, () => {
    const exp = EXPECTED[layout];
    withTempDir((dir) => {
      const path = join(dir, `${layout}.pkl`);
      const content = writeSynthetic(path, { layout, classes: 12, perClass: 4, seed: 11 });
      assert.deepEqual([...content.split.keys()], exp.splits);
      const all = PoseDataset.open(path, { layout });
      assert.equal(all.length, 48);
      assert.equal(all.numClasses, 12);
      assert.deepEqual([...new Set(all.labels)].sort((a, b) => a - b), [...Array(12).keys()]);
      let persons2 = 0;
      for (let i = 0; i < all.length; i++) {
        const rec = all.get(i); // validates shapes, dtypes and NaN/Inf
        const kp = rec.keypoint as NdArray;
        const [m, t, v, c] = kp.shape;
        assert.equal(kp.dtype, exp.dtype);
        assert.equal(v, exp.joints);
        assert.equal(c, exp.channels);
        assert.ok(m === 1 || m === 2);
        assert.ok(t >= 40 && t <= 160, `length ${t}`);
        if (m === 2) persons2++;
        if (exp.scoreDtype) assert.equal(rec.keypoint_score?.dtype, exp.scoreDtype);
        if (layout === 'coco') assert.deepEqual(rec.img_shape, [720, 1280]);
      }
      assert.ok(persons2 > 0 && persons2 < all.length, 'some samples have a second person');
      for (const split of exp.splits) {
        const ds = PoseDataset.open(path, { split, layout });
        assert.ok(ds.length > 0, `${split} is not empty`);
        ds.close();
      }
      all.close();
    });
  });
}

test('NTU-style names follow the real split rules; UAV labels are the A field', () => {
  const ntu = generateSynthetic({ layout: 'nturgb+d', classes: 3, perClass: 5, seed: 2 });
  for (const a of ntu.annotations as Annotation[]) {
    assert.match(a.frame_dir, /^S\d{3}C00[1-3]P\d{3}R00[12]A\d{3}$/);
    assert.equal(Number(a.frame_dir.slice(-3)) - 1, a.label);
    const camera1 = a.frame_dir.includes('C001');
    assert.equal(ntu.split.get('xview_val')?.includes(a.frame_dir), camera1);
  }
  const names = (ntu.annotations as Annotation[]).map((a) => a.frame_dir);
  assert.deepEqual(names, [...names].sort(), 'sorted by name like the NTU preprocessor');
  const uav = generateSynthetic({ layout: 'uav', classes: 3, perClass: 5, seed: 2 });
  for (const a of uav.annotations as Annotation[]) assert.equal(Number(/A(\d{3})/.exec(a.frame_dir)?.[1]), a.label);
});

test('deterministic for a seed, different across seeds', () => {
  withTempDir((dir) => {
    const write = (name: string, seed: number): Buffer => {
      writeSynthetic(join(dir, name), { layout: 'nturgb+d', classes: 12, perClass: 2, seed });
      return readFileSync(join(dir, name));
    };
    assert.ok(write('a.pkl', 5).equals(write('b.pkl', 5)), 'same seed, same bytes');
    assert.ok(!write('c.pkl', 6).equals(write('d.pkl', 5)), 'another seed, another file');
  });
});

test('has the imperfections of real captures: missing joints and frames are zeros', () => {
  const content = generateSynthetic({ layout: 'nturgb+d', classes: 12, perClass: 3, seed: 4 });
  let zeroJoints = 0, zeroFrames = 0;
  for (const a of content.annotations as Annotation[]) {
    const kp = a.keypoint as NdArray<'float16'>;
    const [, t, v] = kp.shape;
    for (let f = 0; f < t; f++) {
      let frameZero = true;
      for (let j = 0; j < v; j++) {
        const o = (f * v + j) * 3;
        const zero = kp.data[o] === 0 && kp.data[o + 1] === 0 && kp.data[o + 2] === 0;
        if (zero) zeroJoints++;
        else frameZero = false;
      }
      if (frameZero) zeroFrames++;
    }
  }
  assert.ok(zeroJoints > 0);
  assert.ok(zeroFrames > 0);
});

/**
 * Learnability: even a nearest-centroid classifier on crude pose statistics separates the classes
 * on the val split, so a real model has something to learn (and the classes differ).
 */
test('classes are distinct: nearest-centroid accuracy on xsub_val is high', () => {
  const content = generateSynthetic({ layout: 'nturgb+d', classes: 12, perClass: 12, seed: 9 });
  const byName = new Map((content.annotations as Annotation[]).map((a) => [a.frame_dir, a]));
  const train = (content.split.get('xsub_train') ?? []).map((n) => byName.get(n) as Annotation);
  const val = (content.split.get('xsub_val') ?? []).map((n) => byName.get(n) as Annotation);
  const centroids = new Map<number, { sum: number[]; n: number }>();
  for (const a of train) {
    const f = poseFeatures(a.keypoint as NdArray<'float16'>);
    const c = centroids.get(a.label) ?? { sum: new Array(f.length).fill(0), n: 0 };
    f.forEach((x, i) => { c.sum[i] += x; });
    c.n++;
    centroids.set(a.label, c);
  }
  let hits = 0;
  for (const a of val) {
    const f = poseFeatures(a.keypoint as NdArray<'float16'>);
    let best = -1, bestD = Infinity;
    for (const [label, c] of centroids) {
      const d = f.reduce((s, x, i) => s + (x - c.sum[i] / c.n) ** 2, 0);
      if (d < bestD) { bestD = d; best = label; }
    }
    if (best === a.label) hits++;
  }
  assert.ok(val.length >= 20);
  assert.ok(hits / val.length > 0.8, `nearest-centroid accuracy ${hits}/${val.length}`);
});

/** Person 0, joints relative to the spine middle, mean over 4 time segments + per-joint spread. */
function poseFeatures(kp: NdArray<'float16'>): number[] {
  const [, t, v] = kp.shape;
  const at = (f: number, j: number, c: number): number => fromHalf(kp.data[(f * v + j) * 3 + c]);
  const frames: number[][] = [];
  for (let f = 0; f < t; f++) {
    if (at(f, 1, 0) === 0 && at(f, 1, 1) === 0) continue;
    const row: number[] = [];
    for (let j = 0; j < v; j++) for (let c = 0; c < 3; c++) row.push(at(f, j, c) === 0 ? 0 : at(f, j, c) - at(f, 1, c));
    frames.push(row);
  }
  const feats: number[] = [];
  for (let s = 0; s < 4; s++) {
    const seg = frames.slice(Math.floor((s * frames.length) / 4), Math.floor(((s + 1) * frames.length) / 4));
    for (let k = 0; k < v * 3; k++) feats.push(seg.reduce((acc, r) => acc + r[k], 0) / Math.max(1, seg.length));
  }
  for (let k = 0; k < v * 3; k++) {
    const mean = frames.reduce((acc, r) => acc + r[k], 0) / frames.length;
    feats.push(2 * Math.sqrt(frames.reduce((acc, r) => acc + (r[k] - mean) ** 2, 0) / frames.length));
  }
  return feats;
}
