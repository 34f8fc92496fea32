/**
 * A synthetic action for the Live view: one sample of a class from the project's synthetic data
 * generator (data/synthetic.ts), in the raw form a model's test pipeline starts from, for the
 * layout an exported model expects (NTU RGB+D 3D, COCO 2D for coco/coco_new models, UAV).
 */
import { SYNTH_CLASS_NAMES, generateSynthetic } from '../data/index.js';
import type { SynthLayout } from '../data/synth/layouts.js';
import { halfArrayToFloat32 } from '../io/float16.js';
import type { NdArray } from '../io/ndarray.js';
import { LAYOUTS } from '../skeleton/layouts.js';
import type { Skeleton } from './datasets.js';
import { HttpError } from '../io/http-errors.js';

/** The synthetic generator's layout that feeds a model of each input layout. */
const SYNTH_FOR_MODEL: Readonly<Record<string, SynthLayout>> = { 'nturgb+d': 'nturgb+d', coco: 'coco', coco_new: 'coco', uav: 'uav' };

export interface SyntheticAction {
  readonly className: string;
  readonly label: number;
  readonly layout: SynthLayout;
  readonly edges: [number, number][];
  /** For drawing. */
  readonly skeleton: Skeleton;
  /** For the recogniser: persons × frames × joints × channels, 2D as (x, y, score). */
  readonly keypoints: { data: number[]; persons: number; frames: number; joints: number; channels: number };
}

function numbers(a: NdArray): Float32Array {
  return a.dtype === 'float16' ? halfArrayToFloat32(a.data as Uint16Array) : Float32Array.from(a.data as ArrayLike<number>);
}

export function syntheticAction(modelLayout: string, label: number, seed: number): SyntheticAction {
  const layout = SYNTH_FOR_MODEL[modelLayout];
  if (!layout) throw new HttpError(422, `no synthetic actions for the '${modelLayout}' layout (available: ${Object.keys(SYNTH_FOR_MODEL).join(', ')})`);
  if (!Number.isInteger(label) || label < 0 || label >= SYNTH_CLASS_NAMES.length) throw new HttpError(400, `class must be 0..${SYNTH_CLASS_NAMES.length - 1}, got ${label}`);
  const content = generateSynthetic({ layout, classes: label + 1, perClass: 1, seed, minFrames: 60, maxFrames: 100 });
  const ann = content.annotations.find((a) => (a as { label?: number } | null)?.label === label) as Record<string, unknown>;
  const kp = ann.keypoint as NdArray;
  const [M, T, V, C] = kp.shape;
  const coords = numbers(kp);
  const score = ann.keypoint_score ? numbers(ann.keypoint_score as NdArray) : null;
  const channels = score ? C + 1 : C;
  const data = new Array<number>(M * T * V * channels);
  for (let i = 0; i < M * T * V; i++) {
    for (let c = 0; c < C; c++) data[i * channels + c] = coords[i * C + c];
    if (score) data[i * channels + C] = score[i];
  }
  return {
    className: SYNTH_CLASS_NAMES[label], label, layout,
    edges: LAYOUTS[layout].inward.map(([a, b]) => [a, b]),
    skeleton: { shape: [M, T, V, C], data: Array.from(coords), score: score ? Array.from(score) : null, is3d: !score && C === 3 },
    keypoints: { data, persons: M, frames: T, joints: V, channels },
  };
}
