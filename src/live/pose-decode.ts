/**
 * A pose model's outputs as 17 COCO keypoints [x, y, score] in continuous input-image coordinates
 * (pixel i spans [i, i + 1)), one decoder per contract (pose-model.ts). Scores are clamped to
 * [0, 1]: the recognition models' score channel holds confidences, and SimCC maxima may exceed 1.
 */
import { POSE_JOINTS, type PoseContract } from './pose-model.js';

export interface OutputTensor { readonly data: unknown; readonly dims: readonly number[] }

const clamp01 = (v: number): number => (v > 1 ? 1 : v > 0 ? v : 0);

function floats(outputs: Record<string, OutputTensor>, name: string, dims: readonly number[]): Float32Array {
  const t = outputs[name];
  if (!t) throw new Error(`pose model: no output '${name}' after running it`);
  const expected = dims.join(',');
  if (t.dims.join(',') !== expected || !(t.data instanceof Float32Array)) {
    throw new Error(`pose model: output '${name}' is [${t.dims.join(',')}], expected float32 [${expected}]`);
  }
  return t.data;
}

/** Index and value of the largest of `n` values at `data[off]`. */
function argmax(data: Float32Array, off: number, n: number): [number, number] {
  let best = 0;
  let v = data[off];
  for (let i = 1; i < n; i++) if (data[off + i] > v) { v = data[off + i]; best = i; }
  return [best, v];
}

export function decodePose(contract: PoseContract, outputs: Record<string, OutputTensor>): number[][] {
  const J = POSE_JOINTS;
  const { width: W, height: H } = contract;
  const points: number[][] = [];
  if (contract.kind === 'movenet') {
    // (y, x, score), y and x in [0, 1] of the input image.
    const d = floats(outputs, contract.output, [1, 1, J, 3]);
    for (let j = 0; j < J; j++) points.push([d[j * 3 + 1] * W, d[j * 3] * H, clamp01(d[j * 3 + 2])]);
  } else if (contract.kind === 'simcc') {
    // MMPose get_simcc_maximum: the bin of each axis' maximum / k is the position (pixel centres
    // at integers); the score is the smaller of the two maxima.
    const k = contract.splitRatio;
    const [nx, ny] = [Math.round(W * k), Math.round(H * k)];
    const dx = floats(outputs, contract.outputX, [1, J, nx]);
    const dy = floats(outputs, contract.outputY, [1, J, ny]);
    for (let j = 0; j < J; j++) {
      const [bx, vx] = argmax(dx, j * nx, nx);
      const [by, vy] = argmax(dy, j * ny, ny);
      points.push([bx / k + 0.5, by / k + 0.5, clamp01(Math.min(vx, vy))]);
    }
  } else {
    // MMPose's heatmap codec: the maximum's cell, a quarter cell towards the higher neighbour
    // (the classic refinement), times the stride; the score is the maximum.
    const s = contract.stride;
    const [h, w] = [H / s, W / s];
    const d = floats(outputs, contract.output, [1, J, h, w]);
    for (let j = 0; j < J; j++) {
      const off = j * h * w;
      const [i, v] = argmax(d, off, h * w);
      const [ix, iy] = [i % w, Math.floor(i / w)];
      const at = (xx: number, yy: number) => d[off + yy * w + xx];
      const x = ix > 0 && ix < w - 1 ? ix + 0.25 * Math.sign(at(ix + 1, iy) - at(ix - 1, iy)) : ix;
      const y = iy > 0 && iy < h - 1 ? iy + 0.25 * Math.sign(at(ix, iy + 1) - at(ix, iy - 1)) : iy;
      points.push([x * s + 0.5, y * s + 0.5, clamp01(v)]);
    }
  }
  return points;
}
