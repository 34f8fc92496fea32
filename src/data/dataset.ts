/**
 * PoseDataset: random access to the samples of one split, as training and evaluation use it.
 * Reads a PYSKL `.pkl` annotation file or a dataset store (`skagent data convert`).
 */
import type { Annotation } from './annotation.js';
import { DataError } from './errors.js';
import { type InputLayoutName, inputLayout } from './input-layouts.js';
import { type BoxThresholdOptions, KpfileReader } from './kinetics.js';
import { defaultKpfileRoot, prepareRecord, selectRecords } from './pyskl.js';
import { type AnnotationSource, openAnnotations } from './source.js';
import { validateAnnotation } from './validate.js';

export interface PoseDatasetOptions extends BoxThresholdOptions {
  /** Split name (e.g. `xsub_train`); all samples when omitted. */
  readonly split?: string;
  /** Input layout to enforce (`nturgb+d`, `coco`, `coco_new`, `uav`). */
  readonly layout?: InputLayoutName;
  /** False for the training set, true for val/test sets (data.md §1.3). */
  readonly testMode?: boolean;
  /** Class count to check labels against; default: largest label in the file + 1. */
  readonly numClasses?: number;
  /** Folder that relative K400 `raw_file` paths are resolved against (default: the annotation file's). */
  readonly kpfileRoot?: string;
  /** PYSKL `data_prefix`. */
  readonly dataPrefix?: string;
}

/** What the pipeline receives: the annotation plus the fields added at fetch time (data.md §1.3). */
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

  private constructor(
    private readonly source: AnnotationSource,
    private readonly indices: readonly number[],
    private readonly options: PoseDatasetOptions,
    warnings: string[],
  ) {
    this.labels = indices.map((i) => source.info(i).label);
    this.frameDirs = indices.map((i) => source.info(i).frame_dir);
    this.numClasses = options.numClasses ?? maxLabel(source) + 1;
    this.warnings = warnings;
    this.kpfiles = new KpfileReader(options.kpfileRoot ?? defaultKpfileRoot(source.path));
  }

  static open(path: string, options: PoseDatasetOptions = {}): PoseDataset {
    const source = openAnnotations(path);
    try {
      const selection = source.select(options.split);
      const indices = selectRecords(source, options.split, options);
      const warnings: string[] = [];
      if (selection.unmatchedIds.length > 0) {
        const shown = selection.unmatchedIds.slice(0, 5).join(', ');
        warnings.push(`${path}: ${selection.unmatchedIds.length} id(s) of split '${options.split}' have no annotation (${shown}${selection.unmatchedIds.length > 5 ? ', …' : ''}); skipped`);
      }
      if (source.format === 'pickle') checkStructure(source, indices, options);
      if (options.numClasses !== undefined) checkLabels(source, indices, options.numClasses);
      return new PoseDataset(source, indices, options, warnings);
    } catch (err) {
      source.close();
      throw err;
    }
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
    const ann = prepareRecord(this.source, i, this.options, this.kpfiles) as PoseRecord;
    ann.modality = 'Pose';
    ann.start_index = 0;
    ann.test_mode = this.options.testMode ?? false;
    if (ann.test_mode) ann.idx = idx;
    return ann;
  }

  close(): void {
    this.source.close();
  }
}

function maxLabel(source: AnnotationSource): number {
  let max = -1;
  for (const i of source.select(undefined).indices) max = Math.max(max, source.info(i).label);
  return max;
}

/** Structure checks up front for pickles (everything is in memory already); values are checked per fetch. */
function checkStructure(source: AnnotationSource, indices: readonly number[], options: PoseDatasetOptions): void {
  const layout = options.layout ? inputLayout(options.layout) : undefined;
  for (const i of indices) validateAnnotation(source.view(i), { file: source.path, sample: i }, { layout });
}

function checkLabels(source: AnnotationSource, indices: readonly number[], numClasses: number): void {
  for (const i of indices) {
    const info = source.info(i);
    if (info.label >= numClasses) {
      throw new DataError({ file: source.path, sample: i, frameDir: info.frame_dir, field: 'label' }, `${info.label} is out of range for ${numClasses} classes`);
    }
  }
}
