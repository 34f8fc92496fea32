/**
 * PYSKL annotation datasets (`PoseDataset`, skeletonagent/datasets/pose_dataset.py): load a split
 * of a `.pkl` annotation file (or of a dataset store converted from one) the way PoseDataset does,
 * and the labels used by evaluation (tools/ensemble.py).
 */
import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Annotation } from './annotation.js';
import { DataError, type DataLocation } from './errors.js';
import { type InputLayoutName, inputLayout } from '../skeleton/layouts.js';
import { type BoxThresholdOptions, KpfileReader, applyBoxThreshold, passesValidRatio } from './kinetics.js';
import { type AnnotationSource, openAnnotations } from './source.js';
import { validateAnnotation } from './validate.js';

export interface LoadOptions extends BoxThresholdOptions {
  /** Enforce this layout's joint count, channels and person limit. */
  readonly layout?: InputLayoutName;
  /** Path-joined in front of `frame_dir` / `filename` (PYSKL `data_prefix`; unused by the configs). */
  readonly dataPrefix?: string;
  /** Also scan arrays for NaN / Inf (default true for loadSplit). */
  readonly checkValues?: boolean;
  /** Validate the record (default true); false when it was validated before (PoseDataset: once per sample). */
  readonly validate?: boolean;
}

/**
 * The records PoseDataset keeps for a split (its `video_infos`): split members in file order,
 * Kinetics valid-ratio filter applied, `valid` / `box_score` removed, validated. Keypoints that live
 * in K400 kpfiles are not fetched here (the dataset does that per sample).
 */
export function loadSplit(annFile: string, split: string | undefined, options: LoadOptions = {}): Annotation[] {
  const source = openAnnotations(annFile);
  try {
    return selectRecords(source, split, options).map((i) => prepareRecord(source, i, options, null));
  } finally {
    source.close();
  }
}

/** Source indices of a split after the valid-ratio filter. */
export function selectRecords(source: AnnotationSource, split: string | undefined, options: BoxThresholdOptions): number[] {
  return source.select(split).indices.filter((i) => {
    const info = source.info(i);
    return passesValidRatio(info, options, { file: source.path, sample: i });
  });
}

/**
 * Reads sample `i` as PoseDataset would hand it on: kpfile fields merged (when `kpfiles` is given
 * and the record has no inline keypoint), box threshold applied, prefix joined, validated.
 */
export function prepareRecord(source: AnnotationSource, i: number, options: LoadOptions, kpfiles: KpfileReader | null): Annotation {
  const ann = source.read(i);
  const at: DataLocation = { file: source.path, sample: i, frameDir: ann.frame_dir };
  if (kpfiles && ann.keypoint === undefined) kpfiles.merge(ann, at);
  applyBoxThreshold(ann, options, at);
  if (options.validate ?? true) validateAnnotation(ann, at, { layout: options.layout ? inputLayout(options.layout) : undefined, checkValues: options.checkValues ?? true });
  if (options.dataPrefix) {
    ann.frame_dir = joinPrefix(options.dataPrefix, ann.frame_dir);
    if (ann.filename !== undefined) ann.filename = joinPrefix(options.dataPrefix, ann.filename);
  }
  return ann;
}

/** `os.path.join(prefix, name)`: an absolute name wins, otherwise one separator between. */
function joinPrefix(prefix: string, name: string): string {
  if (name.startsWith('/')) return name;
  return prefix.endsWith('/') ? prefix + name : `${prefix}/${name}`;
}

/** Default root for relative kpfile paths: the annotation file's folder. */
export function defaultKpfileRoot(annFile: string): string {
  return dirname(annFile);
}

/**
 * Ground-truth labels in dataset order (`load_label`, tools/ensemble.py): for an annotation pickle
 * or store, the labels of the split's samples; for a `.txt` file, the integer last token of each
 * line (`split` is ignored).
 */
export function loadLabels(annFile: string, split?: string, options: BoxThresholdOptions = {}): number[] {
  if (annFile.endsWith('.txt')) return labelsFromText(annFile);
  const source = openAnnotations(annFile);
  try {
    return selectRecords(source, split, options).map((i) => source.info(i).label);
  } finally {
    source.close();
  }
}

function labelsFromText(path: string): number[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.map((line, n) => {
    const last = line.trim().split(/\s+/).pop() ?? '';
    if (!/^[+-]?\d+$/.test(last)) throw new DataError({ file: path }, `line ${n + 1}: last token '${last}' is not an integer label`);
    return Number(last);
  });
}
