/**
 * A deterministic camera for Chromium (--use-file-for-fake-video-capture=<file>.y4m, played in a
 * loop): YUV4MPEG2 4:2:0 frames of bright red, green and blue discs moving on black, whose
 * centres are known frame by frame.
 */
import { writeFileSync } from 'node:fs';

export interface BlobVideo {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Per frame, the red, green and blue disc centres (continuous pixels). */
  readonly centres: [number, number][][];
}

/** Three discs circling different points, one turn per `frames` frames. */
export function blobVideo(width = 320, height = 240, frames = 40, fps = 10): BlobVideo {
  const centres = Array.from({ length: frames }, (_, f) => {
    const a = (2 * Math.PI * f) / frames;
    return [
      [width * 0.5 + 40 * Math.cos(a), height * 0.3 + 20 * Math.sin(a)],
      [width * 0.3 + 30 * Math.sin(a), height * 0.6 + 30 * Math.cos(a)],
      [width * 0.7 - 30 * Math.sin(a), height * 0.6 + 30 * Math.cos(a)],
    ] as [number, number][];
  });
  return { width, height, fps, centres };
}

/** Writes the video as .y4m (BT.601 limited range, as Chromium reads it back) with discs of `radius`. */
export function writeY4m(path: string, video: BlobVideo, radius = 18): void {
  const { width: W, height: H } = video;
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${W} H${H} F${video.fps}:1 Ip A1:1 C420jpeg\n`)];
  const rgb = new Float32Array(W * H * 3);
  for (const centres of video.centres) {
    rgb.fill(0);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        centres.forEach(([cx, cy], c) => {
          if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius) rgb[(y * W + x) * 3 + c] = 255;
        });
      }
    }
    const Y = Buffer.alloc(W * H);
    const U = Buffer.alloc((W / 2) * (H / 2));
    const V = Buffer.alloc((W / 2) * (H / 2));
    for (let i = 0; i < W * H; i++) {
      const [r, g, b] = [rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]];
      Y[i] = Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
    }
    for (let y = 0; y < H / 2; y++) {
      for (let x = 0; x < W / 2; x++) {
        let [r, g, b] = [0, 0, 0];
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
          const i = (2 * y + dy) * W + 2 * x + dx;
          r += rgb[i * 3] / 4; g += rgb[i * 3 + 1] / 4; b += rgb[i * 3 + 2] / 4;
        }
        U[y * (W / 2) + x] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
        V[y * (W / 2) + x] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
      }
    }
    parts.push(Buffer.from('FRAME\n'), Y, U, V);
  }
  writeFileSync(path, Buffer.concat(parts));
}
