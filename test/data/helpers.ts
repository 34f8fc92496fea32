/** Shared helpers of the data tests: temporary folders and small hand-made annotation files. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NdArray, zeros } from '../../src/io/ndarray.js';
import { toHalf } from '../../src/io/float16.js';
import { writeAnnotationPickle } from '../../src/data/pyskl-writer.js';

/** Runs `fn` with a fresh temporary folder, removed afterwards. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-data-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A float16 NTU-style keypoint array [m, t, 25, 3] with distinct, finite values. */
export function ntuKeypoint(m: number, t: number, v = 25, c = 3): NdArray<'float16'> {
  const kp = zeros('float16', [m, t, v, c]);
  for (let i = 0; i < kp.data.length; i++) kp.data[i] = toHalf(((i * 37) % 101) / 50 - 1);
  return kp;
}

export interface SmallSample {
  readonly frame_dir: string;
  readonly label: number;
  readonly [field: string]: unknown;
}

/** Writes `{split, annotations}` with NTU-style records; `fields` may override or add fields. */
export function writeSmallNtu(path: string, samples: readonly SmallSample[], split: Record<string, string[]>): void {
  const annotations = samples.map(({ frame_dir, label, ...fields }) => {
    const keypoint = fields.keypoint ?? ntuKeypoint(1, 10);
    const frames = (keypoint as Partial<NdArray>).shape?.[1] ?? 10;
    return { frame_dir, label, keypoint, total_frames: frames, ...fields };
  });
  writeAnnotationPickle(path, { split: new Map(Object.entries(split)), annotations }, 4);
}
