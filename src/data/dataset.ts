/**
 * PoseDataset: random access to the samples of one split, as training and evaluation use it.
 * Reads a PYSKL `.pkl` annotation file or a dataset store (`skagent data convert`).
 */
import type { Annotation } from './annotation.js';
import { DataError } from './errors.js';
import { type InputLayoutName, inputLayout } from '../skeleton/layouts.js';
import { type BoxThresholdOptions, KpfileReader } from './kinetics.js';
import { defaultKpfileRoot, prepareRecord, selectRecords } from './pyskl.js';
import { type AnnotationSource, openAnnotations } from './source.js';
import { validateAnnotation } from './validate.js';

export interface PoseDatasetOptions extends BoxThresholdOptions {
  /** Split name (e.g. `xsub_train`); all samples when omitted. */
  readonly split?: string;
  /** Input layout to enforce (`nturgb+d`, `coco`, `coco_new`, `uav`). */
  readonly layout?: InputLayoutName;
  /** False for the training set, true for val/test sets (skeletonagent/datasets/base.py). */
  readonly testMode?: boolean;
  /** Class count to check labels against; default: largest label in the file + 1. */
  readonly numClasses?: number;
  /** Folder that relative K400 `raw_file` paths are resolved against (default: the annotation file's). */
  readonly kpfileRoot?: string;
  /** PYSKL `data_prefix`. */
  readonly dataPrefix?: string;
  /**
   * The source holds records validated already (a loader worker's copy of what its main thread
   * opened and validated): only keypoints merged from kpfiles are validated, on first fetch.
   */
  readonly prevalidated?: boolean;
}

/**
 * What the pipeline receives: the annotation plus the fields added at fetch time
 * (skeletonagent/datasets/base.py).
 */
export interface PoseRecord extends Annotation {
  modality: 'Pose';
  start_index: 0;
  test_mode: boolean;
  /** Sample index, present in test mode only. */
  idx?: number;
}

export class PoseDataset {
  /** Labels of the samples, in dataset order. */
  readonly labels: readonly number[];
  /** Sample ids, in dataset order. */
  readonly frameDirs: readonly string[];
  readonly numClasses: number;
  /** Non-fatal findings, e.g. split ids without an annotation. */
  readonly warnings: readonly string[];
  private readonly kpfiles: KpfileReader;
  /** Per sample: validated already (at open, or at its first fetch), so later fetches skip it. */
  private readonly validated: Uint8Array;

  private constructor(
    private readonly source: AnnotationSource,
    private readonly ownsSource: boolean,
    private readonly indices: readonly number[],
    private readonly options: PoseDatasetOptions,
    warnings: string[],
    validated: Uint8Array,
  ) {
    this.labels = indices.map((i) => source.info(i).label);
    this.frameDirs = indices.map((i) => source.info(i).frame_dir);
    this.numClasses = options.numClasses ?? maxLabel(source) + 1;
    this.warnings = warnings;
    this.kpfiles = new KpfileReader(options.kpfileRoot ?? defaultKpfileRoot(source.path));
    this.validated = validated;
  }

  /** Opens an annotation pickle or a dataset store; the dataset closes it. */
  static open(path: string, options: PoseDatasetOptions = {}): PoseDataset {
    const source = openAnnotations(path);
    try {
      return PoseDataset.build(source, true, options);
    } catch (err) {
      source.close();
      throw err;
    }
  }

  /** A split of a source opened once and shared (e.g. by a run's train and val sets); the caller closes it. */
  static fromSource(source: AnnotationSource, options: PoseDatasetOptions = {}): PoseDataset {
    return PoseDataset.build(source, false, options);
  }

  private static build(source: AnnotationSource, ownsSource: boolean, options: PoseDatasetOptions): PoseDataset {
    const path = source.path;
    const selection = source.select(options.split);
    const indices = selectRecords(source, options.split, options);
    const warnings: string[] = [];
    if (selection.unmatchedIds.length > 0) {
      const shown = selection.unmatchedIds.slice(0, 5).join(', ');
      warnings.push(`${path}: ${selection.unmatchedIds.length} id(s) of split '${options.split}' have no annotation (${shown}${selection.unmatchedIds.length > 5 ? ', …' : ''}); skipped`);
    }
    const validated = new Uint8Array(indices.length);
    if (options.prevalidated) markInline(source, indices, validated);
    else if (source.format === 'pickle') validateAtOpen(source, indices, options, validated);
    if (options.numClasses !== undefined) checkLabels(source, indices, options.numClasses);
    return new PoseDataset(source, ownsSource, indices, options, warnings, validated);
  }

  get length(): number {
    return this.indices.length;
  }

  get path(): string {
    return this.source.path;
  }

  /** A fresh record for the pipeline (the caller may modify it). */
  get(idx: number): PoseRecord {
    const i = this.indices[idx];
    if (i === undefined) throw new RangeError(`${this.source.path}: index ${idx} out of range (dataset has ${this.length} samples)`);
    const ann = prepareRecord(this.source, i, { ...this.options, validate: this.validated[idx] === 0 }, this.kpfiles) as PoseRecord;
    this.validated[idx] = 1;
    ann.modality = 'Pose';
    ann.start_index = 0;
    ann.test_mode = this.options.testMode ?? false;
    if (ann.test_mode) ann.idx = idx;
    return ann;
  }

  close(): void {
    if (this.ownsSource) this.source.close();
  }
}

function maxLabel(source: AnnotationSource): number {
  let max = -1;
  for (const i of source.select(undefined).indices) max = Math.max(max, source.info(i).label);
  return max;
}

/**
 * Pickles are in memory already: every selected record is validated (structure and values) once,
 * here. Records whose keypoint lives in a kpfile are validated at their first fetch, once merged.
 */
function validateAtOpen(source: AnnotationSource, indices: readonly number[], options: PoseDatasetOptions, validated: Uint8Array): void {
  const layout = options.layout ? inputLayout(options.layout) : undefined;
  indices.forEach((i, k) => {
    const ann = source.view(i);
    validateAnnotation(ann, { file: source.path, sample: i }, { layout, checkValues: true });
    if (ann.keypoint !== undefined) validated[k] = 1;
  });
}

function markInline(source: AnnotationSource, indices: readonly number[], validated: Uint8Array): void {
  indices.forEach((i, k) => { if (source.info(i).keypointShape !== undefined) validated[k] = 1; });
}

function checkLabels(source: AnnotationSource, indices: readonly number[], numClasses: number): void {
  for (const i of indices) {
    const info = source.info(i);
    if (info.label >= numClasses) {
      throw new DataError({ file: source.path, sample: i, frameDir: info.frame_dir, field: 'label' }, `${info.label} is out of range for ${numClasses} classes`);
    }
  }
}
