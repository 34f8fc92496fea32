import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jointMap } from '../../src/live/pose-formats.js';
import { PoseInputError, type PoseTarget, mapSequence, packKeypoints, parsePoseJson, posesFromArray, selectTracks } from '../../src/live/poses.js';

const COCO: PoseTarget = { layout: 'coco', joints: 17, channels: 3, scoreChannel: true, persons: 2 };
const UAV: PoseTarget = { layout: 'uav', joints: 17, channels: 3, scoreChannel: true, persons: 2 };
const NTU: PoseTarget = { layout: 'nturgb+d', joints: 25, channels: 3, scoreChannel: false, persons: 2 };

/** A person whose joint j is [j + base, 100 + j + base, ...extra]: x names the joint. */
const person = (joints: number, extra: number[] = [0.5], base = 0): number[][] =>
  Array.from({ length: joints }, (_, j) => [j + base, 100 + j + base, ...extra]);
const xsOf = (points: Float32Array, joints: number) => Array.from({ length: joints }, (_, j) => points[j * 3]);

test('OpenPose-18 maps onto COCO-17 by name, dropping the neck', () => {
  const seq = parsePoseJson([[person(18)]]);
  assert.equal(seq.format, 'openpose18');
  assert.equal(seq.channels, 'xys');
  const [f] = mapSequence(seq, COCO);
  const xs = xsOf(f.people[0].points, 17);
  // COCO order: nose, l/r eye, l/r ear, l/r shoulder, l/r elbow, l/r wrist, l/r hip, l/r knee, l/r ankle
  assert.deepEqual(xs, [0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10]);
  assert.ok(!xs.includes(1), 'neck dropped');
  assert.equal(f.people[0].points[2], 0.5, 'score kept');
});

test('BlazePose-33 maps onto COCO-17; x, y kept, visibility becomes the score', () => {
  const seq = parsePoseJson({ frames: [[person(33, [7, 0.9])]] });
  assert.equal(seq.channels, 'xyzs');
  const [f] = mapSequence(seq, COCO);
  assert.deepEqual(xsOf(f.people[0].points, 17), [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]);
  assert.equal(f.people[0].points[1], 100);
  assert.ok(Math.abs(f.people[0].points[2] - 0.9) < 1e-6);
  assert.ok(Math.abs(f.people[0].confidence - 0.9) < 1e-6);
});

test('COCO-17 into UAV order: right side first, eyes and ears last; composed tables agree', () => {
  const [f] = mapSequence(parsePoseJson([[person(17)]]), UAV);
  const xs = xsOf(f.people[0].points, 17);
  assert.deepEqual(xs, [0, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3]);
  const op2coco = jointMap('openpose18', 'coco17');
  assert.deepEqual(jointMap('openpose18', 'uav17'), xs.map((c) => op2coco[c]));
});

test('NTU-25 into an NTU model is the identity on x, y, z', () => {
  const [f] = mapSequence(parsePoseJson([[person(25, [3])]]), NTU);
  assert.equal(f.people[0].points[24 * 3], 24);
  assert.equal(f.people[0].points[24 * 3 + 2], 3);
  assert.equal(f.people[0].confidence, 1);
});

test('underivable layouts are errors naming what was expected', () => {
  assert.throws(() => mapSequence(parsePoseJson([[person(17)]]), NTU), (e: Error) => e instanceof PoseInputError && /NTU-25 \(Kinect v2\) 3D joints/.test(e.message));
  assert.throws(() => mapSequence(parsePoseJson([[person(25, [1])]]), COCO), /COCO-17 joints/);
  assert.throws(() => mapSequence(parsePoseJson([[person(33, [1, 1])]]), NTU), /NTU-25/); // 3D, but no spine or hand tips
  assert.throws(() => mapSequence(parsePoseJson({ format: 'ntu25', frames: [[person(25, [])]] }), NTU), /expects 3D keypoints \(x, y, z\)/);
  assert.throws(() => mapSequence(parsePoseJson([[person(17)]]), { ...COCO, layout: 'openpose' }), /layout 'openpose': no pose format maps onto it/);
});

test('validation names the field', () => {
  assert.throws(() => parsePoseJson([]), /poses: empty \(no frames\)/);
  assert.throws(() => parsePoseJson({}), /missing field 'frames'/);
  assert.throws(() => parsePoseJson([[person(16)]]), /16 joints per person is no known pose format/);
  assert.throws(() => parsePoseJson([[person(17), person(18)]]), /poses\[0\]\[1\]: 18 joints, expected 17/);
  const nan = person(17); nan[4][1] = NaN;
  assert.throws(() => parsePoseJson([[nan]]), /poses\[0\]\[0\]\[4\]\[1\]: NaN is not a finite number/);
  assert.throws(() => parsePoseJson([[[...person(16), [1, 'x', 1]]]]), /poses\[0\]\[0\]\[16\]\[1\]: "x" is not a finite number/);
  const ragged = person(17); ragged[3] = [1, 2];
  assert.throws(() => parsePoseJson({ frames: [{ people: [{ id: 1, keypoints: ragged }] }] }),
    /poses\.frames\[0\]\.people\[0\]\.keypoints\[3\]: expected 3 values \(xys\), got 2/);
  assert.throws(() => parsePoseJson({ frames: [[person(33, [1])]] }), /3 values per blazepose33 joint is ambiguous/);
  assert.ok(parsePoseJson({ channels: 'xyz', frames: [[person(33, [1])]] }).channels === 'xyz');
  assert.throws(() => parsePoseJson({ format: 'coco17', frames: [[person(18)]] }), /18 joints per person, but format coco17 has 17/);
  assert.throws(() => parsePoseJson([[], []]), /no person in any frame/);
  assert.throws(() => parsePoseJson([{ t: 0, people: [] }, { t: 0, people: [person(17)] }]), /\[1\]\.t: 0 is not after/);
  assert.throws(() => parsePoseJson([{ t: 0, people: [person(17)] }, [person(17)]]), /1 of 2 frames have a timestamp/);
  assert.throws(() => parsePoseJson([[{ id: 'a', keypoints: person(17) }, { id: 'a', keypoints: person(17) }]]), /track id 'a' appears twice/);
});

test('.npy-shaped arrays: (T, P, J, C), all-zero slots are absent people', () => {
  const T = 3, P = 2, J = 17, C = 3;
  const data = new Float32Array(T * P * J * C);
  for (let t = 0; t < T; t++) for (let j = 0; j < J; j++) data.set([t + 1, j, 1], ((t * P + 0) * J + j) * C);
  data.set([5, 5, 1], ((2 * P + 1) * J + 0) * C); // person 1 only in frame 2
  const seq = posesFromArray({ shape: [T, P, J, C], data });
  assert.deepEqual(seq.frames.map((f) => f.people.length), [1, 1, 2]);
  const bad = data.slice(); bad[7] = Infinity;
  assert.throws(() => posesFromArray({ shape: [T, P, J, C], data: bad }), /poses\[0, 0, 2, 1\]: Infinity/);
  assert.throws(() => posesFromArray({ shape: [T, J * C], data }), /expected \(frames, people, joints, values\)/);
  assert.throws(() => posesFromArray({ shape: [0, P, J, C], data: new Float32Array(0) }), /empty/);
});

test('person slots go to the most present / most confident tracks, packed persons × frames', () => {
  const frames = [
    [{ id: 'a', keypoints: person(17, [0.9], 1) }, { id: 'b', keypoints: person(17, [0.2], 2) }],
    [{ id: 'b', keypoints: person(17, [0.2], 2) }, { id: 'c', keypoints: person(17, [0.9], 3) }],
    [{ id: 'b', keypoints: person(17, [0.2], 2) }, { id: 'c', keypoints: person(17, [0.9], 3) }],
  ];
  const mapped = mapSequence(parsePoseJson(frames), COCO);
  assert.deepEqual(selectTracks(mapped, 3), ['c', 'a', 'b']); // c: 1.8, a: 0.9, b: 0.6
  const { keypoints, tracks } = packKeypoints(mapped, COCO);
  assert.deepEqual(tracks, ['c', 'a']);
  assert.deepEqual([keypoints.persons, keypoints.frames, keypoints.joints, keypoints.channels], [2, 3, 17, 3]);
  const at = (p: number, t: number, j: number, c: number) => keypoints.data[((p * 3 + t) * 17 + j) * 3 + c];
  assert.equal(at(0, 0, 4, 0), 0, 'c absent in frame 0: zeros');
  assert.equal(at(0, 1, 4, 0), 7);
  assert.equal(at(1, 0, 4, 0), 5);
  assert.equal(at(1, 2, 4, 0), 0, 'a left');
});
