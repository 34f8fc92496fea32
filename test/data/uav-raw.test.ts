import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSplit } from '../../src/data/pyskl.js';
import { writeAnnotationPickle } from '../../src/data/pyskl-writer.js';
import { parseUavText, preprocessUavDirectory } from '../../src/data/uav-raw.js';
import { withTempDir } from './helpers.js';

/** A UAV-Human skeleton file: per frame the listed body count, joint j of body b at (f + b, j). */
function uavText(bodiesPerFrame: readonly number[], eol = '\n'): string {
  const lines = [String(bodiesPerFrame.length)];
  bodiesPerFrame.forEach((n, f) => {
    lines.push(String(n));
    for (let b = 0; b < n; b++) {
      lines.push('000 0 0 0 0 0 0 0 0 0');
      lines.push('17');
      for (let j = 0; j < 17; j++) lines.push(`${100 * (f + b) + j}.25 ${j * 10 + 0.5} 0.9`);
    }
  });
  return lines.join(eol) + eol;
}

test('uav-raw: labels, subjects, splits, dtypes and values as the original writes them', () => {
  withTempDir((dir) => {
    const v1Train = 'P000S00G10B10H10UC022000LC021000A007R0_08241716'; // subject 0: csv1 and csv2 train
    const v1Val = 'P001S00G10B10H10UC022000LC021000A012R0_08241716'; // subject 1: val in both
    const v2Only = 'P003S01G11B00H20UC012000LC021000A154R1_09101028'; // subject 3: csv1 val, csv2 train
    writeFileSync(join(dir, `${v1Val}.txt`), uavText([2, 2, 2]));
    writeFileSync(join(dir, `${v1Train}.txt`), uavText([1, 1], '\r\n'));
    writeFileSync(join(dir, `${v2Only}.txt`), uavText([1]));
    writeFileSync(join(dir, 'notes.md'), 'ignored');
    const r = preprocessUavDirectory(dir);
    assert.deepEqual(r.annotations.map((a) => a.frame_dir), [v1Train, v1Val, v2Only]);
    assert.deepEqual(r.annotations.map((a) => a.label), [7, 12, 154]);
    assert.deepEqual(Object.fromEntries(r.split), {
      csv1_train: [v1Train], csv1_val: [v1Val, v2Only], csv2_train: [v1Train, v2Only], csv2_val: [v1Val],
    });
    const a = r.annotations[1];
    assert.deepEqual(Object.keys(a), ['frame_dir', 'label', 'keypoint', 'keypoint_score', 'total_frames']);
    assert.equal(a.keypoint.dtype, 'float64');
    assert.deepEqual(a.keypoint.shape, [2, 3, 17, 2]);
    assert.equal(a.total_frames, 3);
    // [M, T, V, C] = transpose of the per-frame [T, M, V, C] stack: body 1, frame 2, joint 5.
    const o = ((1 * 3 + 2) * 17 + 5) * 2;
    assert.deepEqual([a.keypoint.data[o], a.keypoint.data[o + 1]], [305.25, 50.5]);
    assert.equal(a.keypoint_score.dtype, 'float32');
    assert.ok(a.keypoint_score.data.every((s) => s === 1));
    assert.deepEqual(r.empty, []);
    assert.deepEqual(r.padded, []);

    // The written pickle loads through the dataset with the uav layout.
    const out = join(dir, 'uav_human.pkl');
    writeAnnotationPickle(out, r, 2);
    assert.deepEqual(loadSplit(out, 'csv2_train', { layout: 'uav' }).map((x) => x.label), [7, 154]);
  });
});

test('uav-raw: varying body counts are padded (score 0), files without bodies are reported', () => {
  withTempDir((dir) => {
    writeFileSync(join(dir, 'P002S00G10B10H10UC022000LC021000A001R0_01010101.txt'), uavText([1, 2, 0]));
    writeFileSync(join(dir, 'P004S00G10B10H10UC022000LC021000A002R0_01010101.txt'), uavText([0, 0]));
    const r = preprocessUavDirectory(dir);
    assert.deepEqual(r.empty, ['P004S00G10B10H10UC022000LC021000A002R0_01010101']);
    assert.deepEqual(r.padded, ['P002S00G10B10H10UC022000LC021000A001R0_01010101']);
    const a = r.annotations[0];
    assert.deepEqual(a.keypoint.shape, [2, 3, 17, 2]);
    const scoreAt = (m: number, f: number): number => a.keypoint_score.data[(m * 3 + f) * 17];
    assert.deepEqual([scoreAt(0, 0), scoreAt(1, 0), scoreAt(1, 1), scoreAt(0, 2)], [1, 0, 1, 0]);
  });
});

test('uav-raw: truncated and malformed files name the line', () => {
  const text = uavText([1, 1]);
  const cut = text.split('\n').slice(0, 25).join('\n') + '\n';
  assert.throws(() => parseUavText(cut, 'cut.txt'), /cut\.txt: line 26: expected joint 2 of body 1 in frame 2 but the file ends \(truncated\?\)/);
  assert.throws(() => parseUavText(text.replace('\n17\n', '\n18\n'), 'j.txt'), /j\.txt: line 4: expected 17 joints, got 18/);
  assert.throws(() => parseUavText('x\n', 'n.txt'), /n\.txt: line 1: expected the frame count, got 'x'/);
});
