import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PackedKeypoints, PoseTarget } from '../../src/live/poses.js';
import { type KeypointRecognizer, PoseStream } from '../../src/live/stream.js';
import { resampleFrames } from '../../src/live/resample.js';

const COCO: PoseTarget = { layout: 'coco', joints: 17, channels: 3, scoreChannel: true, persons: 2 };

/** Records every window it is asked to recognise; scores = [frames, persons]. */
class RecordingRecognizer implements KeypointRecognizer {
  calls: PackedKeypoints[] = [];
  constructor(private readonly delayMs = 0) {}
  async recognize(k: PackedKeypoints) {
    this.calls.push(k);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return { scores: new Float32Array([k.frames, k.persons]), top: [{ index: 0, label: 'x', score: 1 }] };
  }
}

/** A COCO person whose every x is `v`. */
const pose = (v: number, score = 1): number[][] => Array.from({ length: 17 }, () => [v, 0, score]);
const xAt = (k: PackedKeypoints, p: number, t: number) => k.data[((p * k.frames + t) * 17) * 3];

test('window/stride: first prediction when the window fills, then every stride frames', async () => {
  const rec = new RecordingRecognizer();
  const s = new PoseStream(rec, COCO, { window: 4, stride: 2 });
  const due: number[] = [];
  for (let i = 0; i < 10; i++) {
    const p = await s.push([{ id: 1, keypoints: pose(i) }]);
    if (p !== null) {
      due.push(i);
      assert.equal(p.frame, i);
      assert.equal(p.frames, 4);
      assert.ok(p.latencyMs >= 0);
      assert.deepEqual(p.tracks, ['1']);
    }
  }
  assert.deepEqual(due, [3, 5, 7, 9]);
  // the ring buffer hands over the last 4 frames, oldest first
  assert.deepEqual([0, 1, 2, 3].map((t) => xAt(rec.calls[3], 0, t)), [6, 7, 8, 9]);
});

test('minFrames predicts before the window fills', async () => {
  const rec = new RecordingRecognizer();
  const s = new PoseStream(rec, COCO, { window: 8, stride: 2, minFrames: 2 });
  const sizes: number[] = [];
  for (let i = 0; i < 6; i++) { const p = await s.push([pose(i)]); if (p) sizes.push(p.frames); }
  assert.deepEqual(sizes, [2, 4, 6]);
});

test('people coming and going: slots follow the most present tracks of the window', async () => {
  const rec = new RecordingRecognizer();
  const s = new PoseStream(rec, COCO, { window: 4, stride: 4 });
  // a for frames 0-3, b for 1-3, c only in 3 (with high score)
  await s.push([{ id: 'a', keypoints: pose(1) }]);
  await s.push([{ id: 'a', keypoints: pose(1) }, { id: 'b', keypoints: pose(2) }]);
  await s.push([{ id: 'a', keypoints: pose(1) }, { id: 'b', keypoints: pose(2) }]);
  const p1 = await s.push([{ id: 'b', keypoints: pose(2) }, { id: 'a', keypoints: pose(1) }, { id: 'c', keypoints: pose(3) }]);
  assert.deepEqual(p1?.tracks, ['a', 'b']);
  assert.deepEqual([0, 1, 2, 3].map((t) => xAt(rec.calls[0], 1, t)), [0, 2, 2, 2], 'b absent in frame 0: zeros');
  // a leaves; c stays: the next window is b (4 frames) and c (4 frames, seen first after b)
  for (let i = 0; i < 3; i++) await s.push([{ id: 'b', keypoints: pose(2) }, { id: 'c', keypoints: pose(3) }]);
  const p2 = await s.push([{ id: 'c', keypoints: pose(3) }, { id: 'b', keypoints: pose(2) }]);
  assert.deepEqual(p2?.tracks, ['b', 'c']);
  // empty frames are frames: nobody in view for a whole window gives zeros in one slot
  for (let i = 0; i < 3; i++) await s.push([]);
  const p3 = await s.push({ people: [] });
  assert.deepEqual(p3?.tracks, []);
  assert.equal(rec.calls[2].persons, 1);
  assert.ok(rec.calls[2].data.every((v) => v === 0));
});

test('timestamps: 60 fps input is resampled to 30 fps, 15 fps interpolated, long gaps left empty', async () => {
  const rec = new RecordingRecognizer();
  const s = new PoseStream(rec, COCO, { window: 4, stride: 4, fps: 30 });
  const due: number[] = [];
  let p = null;
  for (let i = 0; i < 8; i++) {
    const q = await s.push({ t: i / 60, people: [{ id: 1, keypoints: pose(i) }] });
    if (q !== null) { due.push(i); p = q; }
  }
  assert.deepEqual(due, [6]);
  assert.equal(s.pushed, 8);
  assert.equal(p?.frame, 3, '8 frames at 60 fps = 4 frames at 30 fps'); // grid 0, 1/30, 2/30, 3/30 (t=6/60)
  assert.deepEqual([0, 1, 2, 3].map((t) => xAt(rec.calls[0], 0, t)), [0, 2, 4, 6]);

  const slow = resampleFrames([0, 1, 2].map((i) => ({ t: i / 15, people: [{ id: 'a', points: new Float32Array(51).fill(i), confidence: 1 }] })), { fps: 30 });
  assert.deepEqual(slow.map((f) => f.people[0].points[0]), [0, 0.5, 1, 1.5, 2]);

  const gap = resampleFrames([0, 1].map((i) => ({ t: i, people: [{ id: 'a', points: new Float32Array(51).fill(i + 1), confidence: 1 }] })), { fps: 10, maxGap: 0.5 });
  assert.equal(gap.length, 11);
  assert.deepEqual(gap.map((f) => f.people.length), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  // a person leaving mid-interval is held until the midpoint, not faded to zero
  const leave = resampleFrames([
    { t: 0, people: [{ id: 'a', points: new Float32Array(51).fill(4), confidence: 1 }] },
    { t: 0.4, people: [] },
  ], { fps: 10 });
  assert.deepEqual(leave.map((f) => f.people.map((q) => q.points[0])), [[4], [4], [], [], []]);
});

test('bad frames throw naming the field and leave the stream usable', async () => {
  const rec = new RecordingRecognizer();
  const s = new PoseStream(rec, COCO, { window: 2, stride: 1 });
  await s.push([pose(1)]);
  await assert.rejects(s.push([pose(1).slice(0, 16)], 'frames[1]'), /frames\[1\]\[0\]: 16 joints is no known|16 joints per person/);
  const nan = pose(1); nan[2][0] = NaN;
  await assert.rejects(s.push([nan]), /^PoseInputError: frame\[0\]\[2\]\[0\]: NaN/);
  await assert.rejects(s.push({ t: 1, people: [] }), /t: given, but earlier frames had none/);
  await assert.rejects(s.push([Array.from({ length: 18 }, () => [0, 0, 1])]), /18 joints, expected 17|format coco17 has 17/);
  assert.equal(s.buffered, 1);
  const p = await s.push([pose(2)]);
  assert.equal(p?.frames, 2);
  assert.throws(() => new PoseStream(rec, COCO, { window: 0, stride: 1 }), /window: must be a positive integer/);
  const ntu = new PoseStream(rec, { ...COCO, layout: 'nturgb+d', joints: 25, scoreChannel: false }, { window: 2, stride: 1 });
  await assert.rejects(ntu.push([pose(1)], 'frame 0'), /^PoseInputError: frame 0: .*expects NTU-25 \(Kinect v2\) 3D joints/);
});

test('timestamps too far apart or too large to step are refused at once, the stream unchanged (found by the fuzzer: the gap was filled frame by frame until memory ran out)', async () => {
  const s = new PoseStream(new RecordingRecognizer(), COCO, { window: 2, stride: 1 });
  await s.push({ t: 0, people: [pose(1)] });
  const started = performance.now();
  await assert.rejects(s.push({ t: 1e9, people: [pose(1)] }, 'frame 1'), /^PoseInputError: frame 1\.t: 1000000000 s is 1000000000 s after the previous frame: \d+ frames at 30 fps, more than 108000/);
  const big = new PoseStream(new RecordingRecognizer(), COCO, { window: 2, stride: 1 });
  await big.push({ t: 3e15, people: [pose(1)] });
  await assert.rejects(big.push({ t: 3e15 + 1, people: [pose(1)] }, 'frame 1'), /frame 1\.t: .*too large to step/);
  assert.ok(performance.now() - started < 1000);
  assert.equal(s.buffered, 1);
  const p = await s.push({ t: 1 / 30, people: [pose(2)] });
  assert.equal(p?.frames, 2);
  // a whole sequence: its span is checked before any frame is made
  const frames = [0, 1e12].map((t) => ({ t, people: [] }));
  assert.throws(() => resampleFrames(frames, { fps: 30 }, 'body.frames'), /^PoseInputError: body\.frames: the timestamps span 1000000000000 s, \d+ frames at 30 fps, more than 108000/);
});

test('a prediction due while the previous one runs is skipped, not queued', async () => {
  const rec = new RecordingRecognizer(30);
  const s = new PoseStream(rec, COCO, { window: 1, stride: 1 });
  const first = s.push([pose(0)]);
  const second = await s.push([pose(1)]);
  assert.equal(second, null);
  assert.equal(s.skipped, 1);
  assert.ok((await first) !== null);
  assert.ok((await s.push([pose(2)])) !== null);
});
