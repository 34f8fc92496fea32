/**
 * Small "pose models" for the camera tests, written with the project's ONNX writer: real
 * functions of the pixels in each supported output contract. The image's bright red, green and
 * blue parts (value − 128, clipped at 0) each have a centroid; COCO joints sit at fixed offsets
 * from one of them (head → red, left side → green, right side → blue), scored by the blob's mass.
 * So a blob moving in the camera moves its joints, and the decoded keypoints are known.
 */
import { OnnxGraphBuilder } from '../../src/export/onnx-builder.js';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../src/live/pose-image.js';

const J = 17;
/** The blob each COCO joint follows: 0 red (head), 1 green (left), 2 blue (right). */
export const JOINT_BLOB = [0, 0, 0, 0, 0, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2];
/** Offsets (model-input pixels) of each joint from its blob's centroid; the hips (11, 12) and the nose sit on it. */
export const JOINT_OFFSET: readonly [number, number][] = [
  [0, 0], [-3, -3], [3, -3], [-6, -1], [6, -1],
  [2, -20], [-2, -20], [6, -12], [-6, -12], [10, -4], [-10, -4],
  [0, 0], [0, 0], [1, 10], [-1, 10], [2, 20], [-2, 20],
];
/** Score = mass / (mass + SCORE_HALF): a blob of about 40 fully bright pixels scores 0.5. */
const SCORE_HALF = 40 * 127;

/** [1, 17] centroid x, centroid y (continuous input pixels) and score of every joint from an NHWC float image. */
function joints(g: OnnxGraphBuilder, nhwc: string, H: number, W: number): { x: string; y: string; score: string } {
  const w = g.op('Relu', [g.op('Sub', [nhwc, g.floats([128], [1])])]);
  const axes = g.ints([1, 2]);
  const mass = g.op('ReduceSum', [w, axes], { keepdims: 0 }); // [1, 3]
  const gridX = g.floats(Array.from({ length: W }, (_, i) => i + 0.5), [1, 1, W, 1]);
  const gridY = g.floats(Array.from({ length: H }, (_, i) => i + 0.5), [1, H, 1, 1]);
  const safe = g.op('Add', [mass, g.floats([1e-3], [1])]);
  const cx = g.op('Div', [g.op('ReduceSum', [g.op('Mul', [w, gridX]), axes], { keepdims: 0 }), safe]);
  const cy = g.op('Div', [g.op('ReduceSum', [g.op('Mul', [w, gridY]), axes], { keepdims: 0 }), safe]);
  const assign = new Float32Array(3 * J);
  JOINT_BLOB.forEach((b, j) => { assign[b * J + j] = 1; });
  const A = g.floats(assign, [3, J]);
  const x = g.op('Add', [g.op('MatMul', [cx, A]), g.floats(JOINT_OFFSET.map((o) => o[0]), [J])]);
  const y = g.op('Add', [g.op('MatMul', [cy, A]), g.floats(JOINT_OFFSET.map((o) => o[1]), [J])]);
  const m = g.op('MatMul', [mass, A]);
  const score = g.op('Div', [m, g.op('Add', [m, g.floats([SCORE_HALF], [1])])]);
  return { x, y, score };
}

/** NCHW ImageNet-normalised input back to NHWC 0..255 pixels. */
function denormalised(g: OnnxGraphBuilder, input: string): string {
  const pix = g.op('Add', [g.op('Mul', [input, g.floats([...IMAGENET_STD], [1, 3, 1, 1])]), g.floats([...IMAGENET_MEAN], [1, 3, 1, 1])]);
  return g.op('Transpose', [pix], { perm: [0, 2, 3, 1] });
}

/** MoveNet's contract: input [1, size, size, 3] (int32 like TF Hub's), output [1, 1, 17, 3] = (y, x, score), normalised. */
export function moveNetLike(size = 96, type: 'int32' | 'uint8' | 'float32' = 'int32'): Uint8Array {
  const g = new OnnxGraphBuilder();
  const img = type === 'float32' ? 'input' : g.op('Cast', ['input'], { to: 1 });
  const k = joints(g, img, size, size);
  const col = (v: string, scale: number) => g.op('Unsqueeze', [g.op('Mul', [v, g.floats([scale], [1])]), g.ints([2])]);
  const out = g.op('Concat', [col(k.y, 1 / size), col(k.x, 1 / size), col(k.score, 1)], { axis: 2 });
  g.output(g.op('Reshape', [out, g.ints([1, 1, J, 3])]), 'output_0');
  return g.model({ inputs: [{ name: 'input', dims: [1, size, size, 3], type }], outputs: [{ name: 'output_0', dims: [1, 1, J, 3] }], producerVersion: 'test', metadata: {} });
}

/** 1D Gaussian bumps (σ px) around each joint's coordinate over `bins` of 1/k pixel, scaled by the score: [1, 17, bins]. */
function bumps(g: OnnxGraphBuilder, at: string, score: string, bins: number, k: number, sigma: number): string {
  // MMPose's SimCC bins: bin b is position b / k with pixel centres at integers, i.e. b / k + 0.5 here.
  const grid = g.floats(Array.from({ length: bins }, (_, b) => b / k + 0.5), [1, 1, bins]);
  const d = g.op('Sub', [grid, g.op('Unsqueeze', [at, g.ints([2])])]);
  const gauss = g.op('Exp', [g.op('Mul', [g.op('Mul', [d, d]), g.floats([-1 / (2 * sigma * sigma)], [1])])]);
  return g.op('Mul', [gauss, g.op('Unsqueeze', [score, g.ints([2])])]);
}

/** RTMPose's contract: input [1, 3, H, W] float32, outputs simcc_x [1, 17, W·k], simcc_y [1, 17, H·k]. */
export function simccLike(height = 64, width = 48, k = 2): Uint8Array {
  const g = new OnnxGraphBuilder();
  const j = joints(g, denormalised(g, 'input'), height, width);
  g.output(bumps(g, j.x, j.score, width * k, k, 1.5), 'simcc_x');
  g.output(bumps(g, j.y, j.score, height * k, k, 1.5), 'simcc_y');
  return g.model({
    inputs: [{ name: 'input', dims: [1, 3, height, width] }],
    outputs: [{ name: 'simcc_x', dims: [1, J, width * k] }, { name: 'simcc_y', dims: [1, J, height * k] }], producerVersion: 'test', metadata: {},
  });
}

/** The heatmap contract: input [1, 3, H, W] float32, output [1, 17, H/s, W/s]. */
export function heatmapLike(height = 64, width = 48, stride = 4): Uint8Array {
  const g = new OnnxGraphBuilder();
  const j = joints(g, denormalised(g, 'input'), height, width);
  const [h, w] = [height / stride, width / stride];
  const sigma = 3;
  // Cell c is position c·s with pixel centres at integers (MMPose), i.e. c·s + 0.5 here.
  const axis = (n: number, dims: number[], at: string) => {
    const d = g.op('Sub', [g.floats(Array.from({ length: n }, (_, c) => c * stride + 0.5), dims), g.op('Unsqueeze', [at, g.ints([2, 3])])]);
    return g.op('Mul', [d, d]);
  };
  const r2 = g.op('Add', [axis(w, [1, 1, 1, w], j.x), axis(h, [1, 1, h, 1], j.y)]);
  const heat = g.op('Mul', [g.op('Exp', [g.op('Mul', [r2, g.floats([-1 / (2 * sigma * sigma)], [1])])]), g.op('Unsqueeze', [j.score, g.ints([2, 3])])]);
  g.output(heat, 'heatmaps');
  return g.model({ inputs: [{ name: 'input', dims: [1, 3, height, width] }], outputs: [{ name: 'heatmaps', dims: [1, J, h, w] }], producerVersion: 'test', metadata: {} });
}

/** Not a pose model: an image classifier, input [1, 3, 32, 32] → [1, 10]. */
export function classifierLike(): Uint8Array {
  const g = new OnnxGraphBuilder();
  const pooled = g.op('ReduceMean', ['input'], { axes: [2, 3], keepdims: 0 });
  g.output(g.op('MatMul', [pooled, g.floats(Array.from({ length: 30 }, (_, i) => i / 30), [3, 10])]), 'logits');
  return g.model({ inputs: [{ name: 'input', dims: [1, 3, 32, 32] }], outputs: [{ name: 'logits', dims: [1, 10] }], producerVersion: 'test', metadata: {} });
}

/** An RGBA frame with bright red, green and blue discs at the given centres (continuous pixels) on black. */
export function blobFrame(width: number, height: number, centres: readonly [number, number][], radius: number): { data: Uint8ClampedArray; width: number; height: number } {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      data[o + 3] = 255;
      centres.forEach(([cx, cy], c) => {
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius) data[o + c] = 255;
      });
    }
  }
  return { data, width, height };
}
