/**
 * A config's dataset split + pipeline as a source of network inputs: sample i → keypoint
 * [clips, M, T, V, C] float32 and its label. Randomness is per sample and derived from
 * (seed, epoch, index), so the inputs of a run do not depend on worker count or scheduling and
 * a resumed run sees exactly what an uninterrupted one would.
 */
import { dirname } from 'node:path';
import type { Config } from '../config/index.js';
import { PoseDataset, type PoseDatasetOptions } from '../data/dataset.js';
import type { NdArray } from '../io/ndarray.js';
import { compose, type Pipeline } from '../transforms/index.js';
import { createPipelineRng } from '../rng/index.js';
import { UserError } from '../errors.js';
import type { RunAnnotations } from './annotations.js';

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

/** What a loader worker thread opens: the spec, and the store holding the main thread's validated annotations. */
export interface WorkerSourceSpec {
  spec: SampleSourceSpec;
  store: string;
}

export class SampleSource {
  private readonly pipeline: Pipeline;
  readonly annFile: string;
  readonly split: string | undefined;

  private constructor(readonly spec: SampleSourceSpec, readonly dataset: PoseDataset) {
    const entry = spec.config.data[spec.mode];
    this.annFile = annFileOf(spec);
    this.split = spec.split ?? entry.split;
    this.pipeline = compose(entry.pipeline, `data.${spec.mode}.pipeline`);
  }

  /** The split of a run's annotation file (opened and validated once per run). */
  static open(spec: SampleSourceSpec, annotations: RunAnnotations): SampleSource {
    return new SampleSource(spec, PoseDataset.fromSource(annotations.source(annFileOf(spec)), datasetOptions(spec)));
  }

  /** In a worker thread: the same split read from the store the main thread handed over (validated there). */
  static forWorker(w: WorkerSourceSpec): SampleSource {
    const annFile = annFileOf(w.spec);
    return new SampleSource(w.spec, PoseDataset.open(w.store, { ...datasetOptions(w.spec), prevalidated: true, kpfileRoot: dirname(annFile) }));
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

function annFileOf(spec: SampleSourceSpec): string {
  return spec.annFile ?? spec.config.data[spec.mode].ann_file;
}

function datasetOptions(spec: SampleSourceSpec): PoseDatasetOptions {
  const entry = spec.config.data[spec.mode];
  return { split: spec.split ?? entry.split, testMode: spec.mode !== 'train', boxThr: entry.box_thr, validRatio: entry.valid_ratio ?? null };
}
