/**
 * Datasets for the Data view: splits and their samples, one sample's raw skeleton and what a
 * config's pipeline makes of it (the model's input), with the layout's edges for drawing.
 * Opened datasets are cached per (file, split): pickles are parsed once, stores read per sample.
 */
import { statSync } from 'node:fs';
import { type Config, loadConfig } from '../config/index.js';
import { PoseDataset } from '../data/dataset.js';
import { openAnnotations } from '../data/source.js';
import { halfArrayToFloat32 } from '../io/float16.js';
import type { NdArray } from '../io/ndarray.js';
import { LAYOUTS, LAYOUT_NAMES, type LayoutName } from '../skeleton/layouts.js';
import { compose } from '../transforms/index.js';
import { createPipelineRng } from '../rng/index.js';
import { classNamesFor } from './results.js';
import { HttpError } from '../io/http-errors.js';

export interface DatasetSummary {
  readonly format: 'pickle' | 'store';
  readonly splits: { name: string; count: number }[];
  readonly numSamples: number;
  readonly classNames: string[];
}

export interface SampleRow {
  /** Position in the split (what `sample()` takes). */
  readonly index: number;
  readonly frameDir: string;
  readonly label: number;
}

/** A skeleton sequence for drawing: [M, T, V, C] values, row-major. */
export interface Skeleton {
  readonly shape: [number, number, number, number];
  readonly data: number[];
  /** [M, T, V] joint confidences (2D data), or null. */
  readonly score: number[] | null;
  /** Whether the last axis is (x, y, z) in metres rather than (x, y[, score]) in pixels. */
  readonly is3d: boolean;
}

/**
 * What the pipeline's output holds (GenSkeFeat's feats): joints ('j'), or bones / K-bones
 * ('b', 'k': joint − its pair's joint) or motions ('jm', 'bm', 'km': next frame − this frame),
 * which are vectors, not positions. For one vector feature the same pipeline is also run with
 * feats ['j'] and the same seed (GenSkeFeat draws no random numbers, so the clips and
 * augmentations are the same): `joints` anchors the vectors; `pairs` are the (joint, pair joint)
 * a bone or K-bone is taken between.
 */
export interface PipelineFeature {
  readonly name: string;
  readonly joints: Skeleton[] | null;
  readonly pairs: [number, number][] | null;
}

export interface SampleView {
  readonly frameDir: string;
  readonly label: number;
  readonly layout: LayoutName;
  /** Layouts with this joint count, for the user to choose from. */
  readonly layouts: { name: LayoutName; edges: [number, number][] }[];
  readonly raw: Skeleton;
  /** Per clip, the pipeline's output, when a config was given. */
  readonly pipeline: { config: string; mode: string; seed: number; layout: LayoutName; edges: [number, number][]; clips: Skeleton[]; feature: PipelineFeature } | null;
}

const ALL = '(all)';

/** Values as numbers: float16 arrays hold raw bits, int64 BigInts. */
function values(a: NdArray): number[] {
  if (a.dtype === 'float16') return Array.from(halfArrayToFloat32(a.data as Uint16Array));
  return Array.from(a.data as ArrayLike<number | bigint>, Number);
}

export class DatasetCache {
  private readonly open = new Map<string, PoseDataset>();

  private dataset(path: string, split: string | undefined, testMode: boolean): PoseDataset {
    const key = `${path}\0${split ?? ALL}\0${testMode}`;
    let ds = this.open.get(key);
    if (!ds) {
      ds = PoseDataset.open(path, { split, testMode });
      this.open.set(key, ds);
    }
    return ds;
  }

  private readonly summaries = new Map<string, { mtime: number; summary: DatasetSummary }>();

  /** Splits and class names; computed once per file version (a pickle is parsed whole to answer). */
  summary(path: string): DatasetSummary {
    const mtime = statSync(path).mtimeMs;
    const known = this.summaries.get(path);
    if (known && known.mtime === mtime) return known.summary;
    const summary = this.readSummary(path);
    this.summaries.set(path, { mtime, summary });
    return summary;
  }

  private readSummary(path: string): DatasetSummary {
    const source = openAnnotations(path);
    try {
      const all = source.select(undefined).indices;
      let maxLabel = 0;
      for (const i of all) maxLabel = Math.max(maxLabel, source.info(i).label);
      return {
        format: source.format,
        splits: source.splitNames().map((name) => ({ name, count: source.select(name).indices.length })),
        numSamples: all.length,
        classNames: classNamesFor(path, maxLabel + 1),
      };
    } finally {
      source.close();
    }
  }

  samples(path: string, split: string | undefined): SampleRow[] {
    const ds = this.dataset(path, split, true);
    return ds.frameDirs.map((frameDir, index) => ({ index, frameDir, label: ds.labels[index] }));
  }

  frameDirs(path: string, split: string | undefined): string[] {
    return [...this.dataset(path, split, true).frameDirs];
  }

  sample(path: string, split: string | undefined, index: number, pipeline?: { config: string; mode: 'train' | 'val' | 'test'; seed: number }): SampleView {
    const record = this.dataset(path, split, true).get(index);
    const kp = record.keypoint as NdArray | undefined;
    if (!kp || kp.shape.length !== 4) throw new HttpError(422, `${path}: sample ${index} has no dense keypoint [M, T, V, C]`);
    const score = (record.keypoint_score as NdArray | undefined) ?? null;
    const is3d = score === null && kp.shape[3] === 3;
    const raw: Skeleton = { shape: kp.shape as Skeleton['shape'], data: values(kp), score: score ? values(score) : null, is3d };
    const V = kp.shape[2];
    const layouts = LAYOUT_NAMES.filter((n) => LAYOUTS[n].numJoints === V).map((name) => ({ name, edges: LAYOUTS[name].inward.map(([a, b]) => [a, b] as [number, number]) }));
    let layout: LayoutName = layouts[0]?.name ?? 'nturgb+d';
    let piped: SampleView['pipeline'] = null;
    if (pipeline) {
      const config: Config = loadConfig(pipeline.config);
      if (layouts.some((l) => l.name === config.graph)) layout = config.graph as LayoutName;
      const steps = config.data[pipeline.mode].pipeline as Record<string, unknown>[];
      const run = (ops: Record<string, unknown>[]) => {
        const input = this.dataset(path, split, pipeline.mode !== 'train').get(index);
        const out = compose(ops, `data.${pipeline.mode}.pipeline`).run(input, createPipelineRng(pipeline.seed)).keypoint as NdArray;
        const [clips, M, T, V2, C] = out.shape;
        const per = M * T * V2 * C;
        const data = Float32Array.from(values(out));
        return Array.from({ length: clips }, (_, c): Skeleton => ({
          shape: [M, T, V2, C] as Skeleton['shape'], data: Array.from(data.subarray(c * per, (c + 1) * per)), score: null, is3d,
        }));
      };
      const clips = run(steps);
      const V2 = clips[0].shape[2];
      // The pipeline may change the joint set (e.g. coco → coco_new): draw with the config's graph when it fits.
      const pipeLayout: LayoutName = LAYOUTS[config.graph as LayoutName]?.numJoints === V2 ? config.graph as LayoutName : layout;
      const gen = steps.find((op) => op.type === 'GenSkeFeat') as { feats?: string[]; dataset?: LayoutName } | undefined;
      const feats = gen?.feats ?? ['j'];
      let feature: PipelineFeature = { name: feats.join('+'), joints: null, pairs: null };
      if (feats.length === 1 && feats[0] !== 'j') {
        const joints = run(steps.map((op) => (op === gen ? { ...op, feats: ['j'] } : op)));
        const table = feats[0] === 'b' ? 'bonePairs' : feats[0] === 'k' ? 'kbonePairs' : null;
        const pairs = table ? LAYOUTS[gen!.dataset ?? 'nturgb+d'][table].map(([a, b]) => [a, b] as [number, number]) : null;
        feature = { name: feats[0], joints, pairs };
      }
      piped = {
        config: pipeline.config, mode: pipeline.mode, seed: pipeline.seed,
        layout: pipeLayout, edges: LAYOUTS[pipeLayout].inward.map(([a, b]) => [a, b] as [number, number]), clips, feature,
      };
    } else if (layouts.some((l) => l.name === 'nturgb+d')) layout = 'nturgb+d';
    return { frameDir: record.frame_dir, label: record.label, layout, layouts, raw, pipeline: piped };
  }

  close(): void {
    for (const ds of this.open.values()) ds.close();
    this.open.clear();
  }
}
