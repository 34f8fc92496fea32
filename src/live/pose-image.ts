/**
 * From a camera frame to a pose model's input and back: the frame is letterboxed into the model's
 * input size (scaled to fit, aspect kept, centred on black, as MoveNet's resize_with_pad and a
 * whole-frame box through MMPose's top-down affine do), the RGBA pixels become the contract's
 * tensor, and keypoints found in the input are mapped back to frame pixels. A browser letterboxes
 * with a canvas (drawImage at `box`); `letterboxPixels` does the same in plain code for Node.
 */
import type { PoseContract } from './pose-model.js';

/** An RGBA image (4 bytes a pixel, rows top to bottom). */
export interface RgbaImage { readonly data: Uint8Array | Uint8ClampedArray; readonly width: number; readonly height: number }

/** Where a frame lands in the model input: input = frame · scale + pad (continuous pixel coordinates). */
export interface Letterbox {
  readonly width: number;
  readonly height: number;
  readonly scale: number;
  readonly padX: number;
  readonly padY: number;
}

/** MMPose's data preprocessor for RTMPose and HRNet: ImageNet mean and std on RGB 0..255. */
export const IMAGENET_MEAN = [123.675, 116.28, 103.53] as const;
export const IMAGENET_STD = [58.395, 57.12, 57.375] as const;

export function letterbox(frameWidth: number, frameHeight: number, width: number, height: number): Letterbox {
  if (!(frameWidth > 0 && frameHeight > 0)) throw new RangeError(`letterbox: frame of ${frameWidth}×${frameHeight}`);
  const scale = Math.min(width / frameWidth, height / frameHeight);
  return { width, height, scale, padX: (width - frameWidth * scale) / 2, padY: (height - frameHeight * scale) / 2 };
}

/** The frame drawn into `box` (bilinear, black around it), as a canvas drawImage(frame, padX, padY, w·scale, h·scale) would. */
export function letterboxPixels(frame: RgbaImage, box: Letterbox): Uint8ClampedArray {
  const out = new Uint8ClampedArray(box.width * box.height * 4);
  const { data, width: fw, height: fh } = frame;
  if (data.length < fw * fh * 4) throw new RangeError(`frame: ${data.length} bytes for ${fw}×${fh} RGBA`);
  for (let y = 0; y < box.height; y++) {
    const sy = (y + 0.5 - box.padY) / box.scale - 0.5;
    for (let x = 0; x < box.width; x++) {
      const o = (y * box.width + x) * 4;
      out[o + 3] = 255;
      const sx = (x + 0.5 - box.padX) / box.scale - 0.5;
      if (sx < -0.5 || sy < -0.5 || sx > fw - 0.5 || sy > fh - 0.5) continue;
      const x0 = Math.max(0, Math.min(fw - 1, Math.floor(sx)));
      const y0 = Math.max(0, Math.min(fh - 1, Math.floor(sy)));
      const x1 = Math.min(fw - 1, x0 + 1);
      const y1 = Math.min(fh - 1, y0 + 1);
      const ax = Math.max(0, Math.min(1, sx - x0));
      const ay = Math.max(0, Math.min(1, sy - y0));
      for (let c = 0; c < 3; c++) {
        const top = data[(y0 * fw + x0) * 4 + c] * (1 - ax) + data[(y0 * fw + x1) * 4 + c] * ax;
        const bottom = data[(y1 * fw + x0) * 4 + c] * (1 - ax) + data[(y1 * fw + x1) * 4 + c] * ax;
        out[o + c] = top * (1 - ay) + bottom * ay;
      }
    }
  }
  return out;
}

/** The model input from letterboxed RGBA pixels: NHWC pixel values for MoveNet, NCHW ImageNet-normalised floats for top-down models. */
export function inputTensor(pixels: Uint8Array | Uint8ClampedArray, contract: PoseContract): { type: 'int32' | 'uint8' | 'float32'; data: Int32Array | Uint8Array | Float32Array; dims: number[] } {
  const { width: W, height: H } = contract;
  const n = W * H;
  if (pixels.length !== n * 4) throw new RangeError(`pose input: ${pixels.length} bytes, expected ${W}×${H} RGBA (${n * 4})`);
  if (contract.kind === 'movenet') {
    const data = contract.dtype === 'int32' ? new Int32Array(n * 3) : contract.dtype === 'uint8' ? new Uint8Array(n * 3) : new Float32Array(n * 3);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = pixels[i * 4 + c];
    return { type: contract.dtype, data, dims: [1, H, W, 3] };
  }
  const data = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const mean = IMAGENET_MEAN[c];
    const std = IMAGENET_STD[c];
    for (let i = 0; i < n; i++) data[c * n + i] = (pixels[i * 4 + c] - mean) / std;
  }
  return { type: 'float32', data, dims: [1, 3, H, W] };
}

/** Keypoints (joints × [x, y, score], input coordinates) mapped back into the frame, in place. */
export function toFramePixels(points: number[][], box: Letterbox): number[][] {
  for (const p of points) {
    p[0] = (p[0] - box.padX) / box.scale;
    p[1] = (p[1] - box.padY) / box.scale;
  }
  return points;
}
