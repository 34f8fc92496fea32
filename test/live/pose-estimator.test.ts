/**
 * The camera's pose estimator on onnxruntime-node: each supported contract recognised from the
 * model's inputs and outputs, run on frames with blobs at known places, its keypoints decoded
 * and mapped back through the letterbox onto the blobs; models of no contract are refused
 * naming what was found and what is expected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { PoseEstimator, type PoseOrt } from '../../src/live/pose-estimator.js';
import { letterbox, letterboxPixels } from '../../src/live/pose-image.js';
import { PoseModelError, poseContract, readModelIO } from '../../src/live/pose-model.js';
import { JOINT_BLOB, JOINT_OFFSET, blobFrame, classifierLike, heatmapLike, moveNetLike, simccLike } from './pose-models.js';

const ORT = ort as unknown as PoseOrt;

test('contracts are read from the models\' inputs and outputs', () => {
  assert.deepEqual(poseContract(readModelIO(moveNetLike(96, 'int32'))), { kind: 'movenet', input: 'input', height: 96, width: 96, dtype: 'int32', output: 'output_0' });
  assert.equal((poseContract(readModelIO(moveNetLike(64, 'uint8'))) as { dtype: string }).dtype, 'uint8');
  assert.deepEqual(poseContract(readModelIO(simccLike(64, 48, 2))), { kind: 'simcc', input: 'input', height: 64, width: 48, outputX: 'simcc_x', outputY: 'simcc_y', splitRatio: 2 });
  assert.deepEqual(poseContract(readModelIO(heatmapLike(64, 48, 4))), { kind: 'heatmap', input: 'input', height: 64, width: 48, output: 'heatmaps', stride: 4 });
  // Unnamed SimCC outputs: told apart by their bin counts (W·k and H·k).
  const swapped = poseContract({ inputs: [{ name: 'img', type: 'float32', dims: ['batch', 3, 256, 192] }], outputs: [{ name: 'a', type: 'float32', dims: ['batch', 17, 384] }, { name: 'b', type: 'float32', dims: ['batch', 17, 512] }] });
  assert.deepEqual(swapped, { kind: 'simcc', input: 'img', height: 256, width: 192, outputX: 'a', outputY: 'b', splitRatio: 2 });
});

test('a model of no supported contract is refused, naming what it has and what is expected', () => {
  assert.throws(() => poseContract(readModelIO(classifierLike()), 'classifier.onnx'), (e: Error) => {
    assert.ok(e instanceof PoseModelError);
    assert.match(e.message, /^classifier\.onnx: an NCHW image input but neither one heatmap output/);
    assert.match(e.message, /Found input 'input' \[1,3,32,32\] float32; output 'logits' \[1,10\] float32/);
    assert.match(e.message, /MoveNet single-pose: one input \[1,H,W,3\].*RTMPose SimCC.*heatmaps/);
    return true;
  });
  const io = (inputs: { dims: (number | string)[]; type?: string }[], outputs: { dims: (number | string)[]; type?: string }[]) => ({
    inputs: inputs.map((t, i) => ({ name: `in${i}`, type: t.type ?? 'float32', dims: t.dims })),
    outputs: outputs.map((t, i) => ({ name: `out${i}`, type: t.type ?? 'float32', dims: t.dims })),
  });
  const refused = (m: ReturnType<typeof io>, why: RegExp) => assert.throws(() => poseContract(m), (e: Error) => e instanceof PoseModelError && why.test(e.message));
  refused(io([{ dims: [1, 'h', 'w', 3], type: 'int32' }], [{ dims: [1, 1, 17, 3] }]), /input size is not fixed/);
  refused(io([{ dims: [1, 192, 192, 3], type: 'int32' }], [{ dims: [1, 6, 56] }]), /no float32 output \[1,1,17,3\]/); // MoveNet multi-pose
  refused(io([{ dims: [1, 3, 256, 192] }], [{ dims: [1, 133, 384] }, { dims: [1, 133, 512] }]), /neither one heatmap/); // whole-body (133 joints)
  refused(io([{ dims: [1, 3, 256, 192] }], [{ dims: [1, 17, 64, 64] }]), /heatmaps of 64×64 are not the 256×192 input/);
  refused(io([{ dims: [1, 3, 256, 192] }, { dims: [1, 4] }], [{ dims: [1, 17, 64, 48] }]), /2 inputs/);
  refused(io([{ dims: [1, 256, 192] }], [{ dims: [1, 17, 64, 48] }]), /not an image batch/);
  assert.throws(() => readModelIO(new TextEncoder().encode('not a model at all'), 'x.onnx'), /x\.onnx: not an ONNX model/);
});

/** Blob centres (continuous frame pixels) for a 200×120 frame: wider than the models, so letterboxed. */
const CENTRES: [number, number][] = [[50.5, 40.25], [120, 70.5], [160.75, 55]];

/** Where the test models put joint j, in frame pixels: blob centroid + offset (input pixels) / scale. */
function expected(j: number, scale: number): [number, number] {
  const [cx, cy] = CENTRES[JOINT_BLOB[j]];
  return [cx + JOINT_OFFSET[j][0] / scale, cy + JOINT_OFFSET[j][1] / scale];
}

for (const [name, bytes, tolerancePx] of [
  ['MoveNet (int32 NHWC)', moveNetLike(96, 'int32'), 1],
  ['MoveNet (float32 NHWC)', moveNetLike(96, 'float32'), 1],
  ['RTMPose SimCC (k = 2)', simccLike(64, 96, 2), 1.5],
  ['heatmaps (stride 4)', heatmapLike(64, 96, 4), 3],
] as const) {
  test(`${name}: the keypoints land on the blobs, in frame pixels`, async () => {
    const est = await PoseEstimator.create(ORT, bytes, { source: name });
    try {
      const frame = blobFrame(200, 120, CENTRES, 9);
      const box = est.letterbox(frame.width, frame.height);
      const points = await est.estimate(frame);
      assert.equal(points.length, 17);
      // Tolerance in frame pixels: the model's decoding grid (input px, 1/scale frame px each) and the resampling.
      const tol = tolerancePx / box.scale + 1;
      points.forEach(([x, y, s], j) => {
        const [ex, ey] = expected(j, box.scale);
        assert.ok(Math.abs(x - ex) <= tol && Math.abs(y - ey) <= tol, `${name} joint ${j}: (${x.toFixed(2)}, ${y.toFixed(2)}) vs (${ex.toFixed(2)}, ${ey.toFixed(2)}) ± ${tol.toFixed(2)}`);
        assert.ok(s > 0.2 && s <= 1, `joint ${j} score ${s}`);
      });
      // Another frame, blobs moved: the keypoints follow.
      const moved = await est.estimate(blobFrame(200, 120, CENTRES.map(([x, y]) => [x + 20, y - 10]), 9));
      assert.ok(Math.abs(moved[0][0] - points[0][0] - 20) <= 2 * tol && Math.abs(moved[0][1] - points[0][1] + 10) <= 2 * tol, `nose moved to ${moved[0]}`);
    } finally {
      await est.release();
    }
  });
}

test('letterbox: scaled to fit, centred; black around the frame', () => {
  const box = letterbox(200, 100, 96, 96);
  assert.deepEqual(box, { width: 96, height: 96, scale: 0.48, padX: 0, padY: 24 });
  const px = letterboxPixels(blobFrame(200, 100, [[100, 50], [-50, -50], [-50, -50]], 30), box);
  const at = (x: number, y: number, c: number) => px[(y * 96 + x) * 4 + c];
  assert.equal(at(48, 10, 0), 0, 'padding is black');
  assert.equal(at(48, 48, 0), 255, 'the red blob sits in the middle');
  assert.equal(at(48, 10, 3), 255, 'opaque');
});

test('PoseEstimator.create refuses a model of no contract before opening a session', async () => {
  await assert.rejects(PoseEstimator.create(ORT, classifierLike(), { source: 'classifier.onnx' }), /classifier\.onnx: .*Expected a COCO-17 keypoint model/);
});
