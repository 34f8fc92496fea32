import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, fixture, needFixtures, needOriginal, original } from '../fixtures.js';
import { readNpy } from '../../src/io/npy.js';
import { type NtuDataset, motionF32, preprocessNtuDirectory, preprocessSample, readMissingList } from '../../src/data/ntu-raw.js';
import { parseSkeletonText } from '../../src/data/ntu-skeleton.js';

const skip = needFixtures() || needOriginal();
const SKELETONS = FIXTURES ? fixture('ntu_raw', 'nturgb+d_skeletons') : '';

interface FixtureValue { type: string; value?: unknown; dtype?: string; shape?: number[]; file?: string }
interface FixtureOutput { split: Record<string, string[]>; annotations: (Record<string, FixtureValue> | null)[] }

function fixtureRuns(): Record<string, Record<string, FixtureOutput>> {
  return JSON.parse(readFileSync(fixture('ntu_raw', 'ntu_preproc.json'), 'utf8')).runs;
}

/** Compares splits, fields and keypoint bits; `keypointFiles` maps frame_dir → reference npy. */
function assertSameDataset(actual: NtuDataset, expected: FixtureOutput, keypointFiles: Map<string, string>): void {
  assert.deepEqual(Object.fromEntries(actual.split), expected.split);
  assert.equal(actual.annotations.length, expected.annotations.length);
  expected.annotations.forEach((exp, i) => {
    const got = actual.annotations[i];
    if (exp === null) {
      assert.equal(got, null, `annotation ${i} should be None`);
      return;
    }
    assert.ok(got, `annotation ${i} missing`);
    assert.deepEqual(Object.keys(got), Object.keys(exp), 'field order');
    assert.equal(got.frame_dir, exp.frame_dir.value);
    assert.equal(got.label, exp.label.value);
    assert.equal(got.total_frames, exp.total_frames.value);
    assert.equal(got.keypoint.dtype, 'float16');
    assert.deepEqual(got.keypoint.shape, exp.keypoint.shape);
    const ref = readNpy(fixture(keypointFiles.get(got.frame_dir) as string));
    assert.deepEqual(ref.shape, got.keypoint.shape);
    assert.deepEqual(Array.from(got.keypoint.data), Array.from(ref.data as Uint16Array), `keypoint bits of ${got.frame_dir}`);
  });
}

function referenceFiles(run: Record<string, FixtureOutput>): Map<string, string> {
  const files = new Map<string, string>();
  for (const out of Object.values(run)) {
    for (const a of out.annotations) if (a?.keypoint.file) files.set(a.frame_dir.value as string, a.keypoint.file);
  }
  return files;
}

test('ntu-raw reproduces the original output exactly (main run)', { skip }, () => {
  const runs = fixtureRuns();
  const missing = readMissingList(original('ntu120_missing.txt'));
  assert.equal(missing.size, 535);
  const result = preprocessNtuDirectory(SKELETONS, missing, { reproduceOriginalBugs: true });
  assert.deepEqual(result.skippedMissing, ['S001C002P005R002A008']);
  const files = referenceFiles(runs.main);
  assertSameDataset(result.ntu60, runs.main['ntu60_3danno.pkl'], files);
  assert.ok(result.ntu120);
  assertSameDataset(result.ntu120, runs.main['ntu120_3danno.pkl'], files);
});

test('ntu-raw reproduces the None annotation of a file without bodies (second run)', { skip }, () => {
  const runs = fixtureRuns();
  const dir = mkdtempSync(join(tmpdir(), 'ntu-raw-'));
  try {
    for (const f of readdirSync(SKELETONS)) copyFileSync(join(SKELETONS, f), join(dir, f));
    writeFileSync(join(dir, 'S001C001P001R002A002.skeleton'), '3\n0\n0\n0\n');
    const missing = readMissingList(original('ntu120_missing.txt'));
    const reproduced = preprocessNtuDirectory(dir, missing, { reproduceOriginalBugs: true });
    const files = referenceFiles(runs.main);
    assertSameDataset(reproduced.ntu60, runs.quirk_empty_file['ntu60_3danno.pkl'], files);
    assert.ok(reproduced.ntu120);
    assertSameDataset(reproduced.ntu120, runs.quirk_empty_file['ntu120_3danno.pkl'], files);

    // Corrected behaviour: the empty sample is reported and left out everywhere.
    const fixed = preprocessNtuDirectory(dir, missing);
    assert.deepEqual(fixed.empty, ['S001C001P001R002A002']);
    assert.ok(fixed.ntu60.annotations.every((a) => a !== null));
    for (const names of fixed.ntu60.split.values()) assert.ok(!names.includes('S001C001P001R002A002'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('corrected mode keeps the bodies the original dropped through the [0, 0) slot range', { skip }, () => {
  const missing = readMissingList(original('ntu120_missing.txt'));
  const reproduced = preprocessNtuDirectory(SKELETONS, missing, { reproduceOriginalBugs: true });
  const fixed = preprocessNtuDirectory(SKELETONS, missing);
  // The fixture has one file where the original drops a body.
  assert.equal(reproduced.dropped.size, 1);
  const [name] = [...reproduced.dropped.keys()];
  assert.equal(fixed.dropped.has(name), false, `${name}: no body should be dropped once track 1's span is exact`);
  const before = reproduced.ntu60.annotations.find((a) => a?.frame_dir === name);
  const after = fixed.ntu60.annotations.find((a) => a?.frame_dir === name);
  assert.ok(before && after);
  const nonZero = (d: Uint16Array): number => d.reduce((n, h) => n + ((h & 0x7fff) !== 0 ? 1 : 0), 0);
  assert.ok(nonZero(after.keypoint.data) > nonZero(before.keypoint.data), 'the kept body adds data');
  // Every other sample is unchanged.
  reproduced.ntu60.annotations.forEach((a, i) => {
    if (a && a.frame_dir !== name) assert.deepEqual(fixed.ntu60.annotations[i], a);
  });
});

test('skeleton reader: CRLF equals LF, truncation names the line', () => {
  const frame = ['1', '72057594037931101 0 1 1 1 1 0 0 0 2', '25', ...Array.from({ length: 25 }, (_, j) => `${j * 0.1} ${j * 0.2} 3.0 1 2 3 4 5 6 7 2`)];
  const lf = ['2', ...frame, ...frame].join('\n') + '\n';
  const crlf = lf.replace(/\n/g, '\r\n');
  assert.deepEqual(parseSkeletonText(crlf, 'a.skeleton'), parseSkeletonText(lf, 'a.skeleton'));
  const bodies = parseSkeletonText(lf, 'a.skeleton');
  assert.equal(bodies.length, 1);
  assert.equal(bodies[0].frames, 2);
  assert.equal(bodies[0].id, '72057594037931101');
  const truncated = lf.split('\n').slice(0, 40).join('\n');
  assert.throws(() => parseSkeletonText(truncated, 'cut.skeleton'), /cut\.skeleton: line 41: expected joint 9 of body 1 in frame 2 but the file ends/);
  assert.throws(() => parseSkeletonText(lf + '7\n', 'long.skeleton'), /long\.skeleton: line 58: unexpected content after the last of 2 frames/);
  assert.throws(() => parseSkeletonText(lf.replace('\n25\n', '\n24\n'), 'j.skeleton'), /j\.skeleton: line 4: expected 25 joints, got 24/);
  assert.throws(() => parseSkeletonText(lf.replace('3.0 1 2', 'x 1 2'), 'n.skeleton'), /n\.skeleton: line 5: expected x y z numbers/);
});

test('motion is numpy float32 variance (row-by-row accumulation)', () => {
  // Reference: np.sum(np.var(a.reshape(-1, 3), axis=0)) with a float32 `a` (numpy 1.24); the
  // float64 result would be 5.786226968741417.
  const kpt = new Float32Array(150);
  for (let i = 0; i < kpt.length; i++) kpt[i] = 0.37 * ((i * 7919) % 13) + 3e3;
  assert.equal(motionF32(kpt, null), 5.786226749420166);
  assert.equal(motionF32(kpt, [0, 1]), 5.786226749420166);
});

test('files whose bodies are all spread noise: an error when reproducing (the original asserts), skipped otherwise', () => {
  const lines = ['12'];
  for (let f = 0; f < 12; f++) {
    lines.push('2');
    for (const id of ['1', '2']) {
      lines.push(`${id} 0 1 1 1 1 0 0 0 2`, '25');
      // Wider than tall in every frame: x extent 2.4 > 0.8 × y extent 0.48.
      for (let j = 0; j < 25; j++) lines.push(`${(0.1 * j).toFixed(3)} ${(0.02 * j + 0.001 * f).toFixed(3)} 3.0 0 0 0 0 0 0 0 2`);
    }
  }
  const text = lines.join('\n') + '\n';
  assert.throws(() => preprocessSample('S001C001P001R001A001', text, 'wide.skeleton', { reproduceOriginalBugs: true }), /wide\.skeleton: every body is spread noise/);
  assert.equal(preprocessSample('S001C001P001R001A001', text, 'wide.skeleton').annotation, null);
});
