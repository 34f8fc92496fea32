/**
 * A config's dataset split + pipeline as a source of network inputs: sample i → keypoint
 * [clips, M, T, V, C] float32 and its label. Randomness is per sample and derived from
 * (seed, epoch, index), so the inputs of a run do not depend on worker count or scheduling and
 * a resumed run sees exactly what an uninterrupted one would.
 */
import type { Config } from '../config/index.js';
import { PoseDataset } from '../data/dataset.js';
import type { NdArray } from '../io/ndarray.js';
import { compose, createPipelineRng, type Pipeline } from '../transforms/index.js';
import { UserError } from '../cli/command.js';

export type SplitMode = 'train' | 'val' | 'test';

export interface SampleSourceSpec {
  /** The config as loaded (plain data, so it can be sent to worker threads). */
  config: Config;
  mode: SplitMode;
  annFile?: string;
  split?: string;
}

export interface Sample {
  keypoint: NdArray<'float32'>;
  label: number;
}

/** A 32-bit seed for (run seed, epoch, sample index): splitmix-style mixing, stable across versions. */
export function sampleSeed(seed: number, epoch: number, index: number): number {
  let h = (seed ^ Math.imul(epoch + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export class SampleSource {
  readonly dataset: PoseDataset;
  private readonly pipeline: Pipeline;
  readonly annFile: string;
  readonly split: string | undefined;

  constructor(readonly spec: SampleSourceSpec) {
    const entry = spec.config.data[spec.mode];
    this.annFile = spec.annFile ?? entry.ann_file;
    this.split = spec.split ?? entry.split;
    this.pipeline = compose(entry.pipeline, `data.${spec.mode}.pipeline`);
    this.dataset = PoseDataset.open(this.annFile, {
      split: this.split, testMode: spec.mode !== 'train', boxThr: entry.box_thr, validRatio: entry.valid_ratio ?? null,
    });
  }

  get length(): number { return this.dataset.length; }
  get labels(): readonly number[] { return this.dataset.labels; }

  get(index: number, seed: number): Sample {
    const record = this.dataset.get(index);
    try {
      const out = this.pipeline.run(record, createPipelineRng(seed));
      const keypoint = out.keypoint as NdArray;
      if (keypoint.dtype !== 'float32' || keypoint.shape.length !== 5) {
        throw new UserError(`pipeline output must be float32 [clips, M, T, V, C], got ${keypoint.dtype} [${keypoint.shape.join(', ')}]`);
      }
      return { keypoint: keypoint as NdArray<'float32'>, label: record.label };
    } catch (err) {
      if (err instanceof UserError) throw new UserError(`${this.annFile}: sample ${index} (${record.frame_dir}): ${err.message}`, err.exitCode);
      throw err;
    }
  }

  close(): void { this.dataset.close(); }
}
