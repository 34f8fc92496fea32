/**
 * One interface over the two on-disk forms of a dataset: a PYSKL annotation pickle (loaded whole,
 * like PoseDataset does) and the dataset store (index in memory, one read per sample).
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { ANNOTATION_GLOBALS, loadPickleFile } from '../io/pickle/index.js';
import type { DType, NdArray } from '../io/ndarray.js';
import { type Annotation, type AnnotationFile, parseAnnotationFile } from './annotation.js';
import { DataError } from './errors.js';
import { decodeField } from './field-codec.js';
import { isNdArray } from '../io/ndarray.js';
import { type SplitSelection, selectSplit } from './split.js';
import { PoseStore, isStoreFile } from './store.js';

/** Facts about a sample that need no array data. */
export interface SampleInfo {
  readonly frame_dir: string;
  readonly label: number;
  readonly total_frames: number;
  /** Kinetics `valid` (box threshold → frames), for the valid-ratio filter. */
  readonly valid?: ReadonlyMap<number, number>;
  /** Shape and dtype of `keypoint` when the sample has it inline. */
  readonly keypointShape?: readonly number[];
  readonly keypointDtype?: DType;
  /** Kinetics compressed layout (`frame_inds` present). */
  readonly compressed: boolean;
}

export interface AnnotationSource {
  readonly path: string;
  readonly format: 'pickle' | 'store';
  /** `None` entries of the annotation list (the NTU preprocessor's empty samples); never selected. */
  readonly noneEntries: number;
  /** Split names in file order. */
  splitNames(): string[];
  /** Indices (this source's numbering) of a split's samples in file order; all samples when undefined. */
  select(split: string | undefined): SplitSelection;
  info(i: number): SampleInfo;
  /** The full annotation as a fresh record the caller may modify. */
  read(i: number): Annotation;
  /** The full annotation, possibly shared with the source: the caller must not modify it. */
  view(i: number): Annotation;
  close(): void;
}

/** Opens a `.pkl` annotation file or a dataset store, telling them apart by content. */
export function openAnnotations(path: string): AnnotationSource {
  if (!existsSync(path)) throw new DataError({ file: path }, 'no such file');
  if (isStoreFile(path)) return new StoreSource(PoseStore.open(path));
  return new PickleSource(path, readAnnotationPickle(path));
}

/** Loads and converts a PYSKL annotation pickle; errors name the file. */
export function readAnnotationPickle(path: string): AnnotationFile {
  if (!existsSync(path)) throw new DataError({ file: path }, 'no such file');
  requirePickleHeader(path);
  let value: unknown;
  try {
    value = loadPickleFile(path, { globals: ANNOTATION_GLOBALS });
  } catch (err) {
    if (err instanceof DataError) throw err;
    const message = (err as Error).message;
    const detail = message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
    throw new DataError({ file: path }, `cannot read the annotation pickle: ${detail}`);
  }
  return parseAnnotationFile(value, path);
}

/** Pickles of protocol 2+ start with PROTO (0x80); anything else is not an annotation file. */
function requirePickleHeader(path: string): void {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const n = readSync(fd, head, 0, 2, 0);
    if (n < 2 || head[0] !== 0x80) {
      throw new DataError({ file: path }, n === 0 ? 'empty file' : 'not a pickle (protocol 2 or later) nor a dataset store');
    }
  } finally {
    closeSync(fd);
  }
}

export class PickleSource implements AnnotationSource {
  readonly format = 'pickle' as const;

  readonly noneEntries: number;

  constructor(readonly path: string, readonly file: AnnotationFile) {
    this.noneEntries = file.annotations.filter((a) => a === null).length;
  }

  splitNames(): string[] {
    return [...this.file.split.keys()];
  }

  select(split: string | undefined): SplitSelection {
    return selectSplit(this.file, split, this.path);
  }

  info(i: number): SampleInfo {
    const a = this.annotation(i);
    return {
      frame_dir: a.frame_dir,
      label: a.label,
      total_frames: a.total_frames,
      valid: a.valid,
      keypointShape: a.keypoint?.shape,
      keypointDtype: a.keypoint?.dtype,
      compressed: a.frame_inds !== undefined,
    };
  }

  read(i: number): Annotation {
    return copyAnnotation(this.annotation(i));
  }

  view(i: number): Annotation {
    return this.annotation(i);
  }

  close(): void {}

  private annotation(i: number): Annotation {
    const a = this.file.annotations[i];
    if (a === undefined || a === null) throw new RangeError(`${this.path}: no annotation at index ${i}`);
    return a;
  }
}

export class StoreSource implements AnnotationSource {
  readonly format = 'store' as const;

  constructor(readonly store: PoseStore) {}

  get path(): string {
    return this.store.path;
  }

  get noneEntries(): number {
    return this.store.index.none_entries;
  }

  splitNames(): string[] {
    return this.store.splitNames();
  }

  select(split: string | undefined): SplitSelection {
    return this.store.select(split);
  }

  info(i: number): SampleInfo {
    const s = this.store.index.samples[i];
    const valid = s.fields.valid === undefined ? undefined : (decodeField(s.fields.valid) as Map<number, number>);
    const keypoint = s.arrays.find((a) => a.field === 'keypoint');
    return {
      frame_dir: s.frame_dir,
      label: s.label,
      total_frames: s.total_frames,
      valid,
      keypointShape: keypoint?.shape,
      keypointDtype: keypoint?.dtype,
      compressed: s.arrays.some((a) => a.field === 'frame_inds'),
    };
  }

  read(i: number): Annotation {
    return this.store.read(i);
  }

  view(i: number): Annotation {
    return this.store.read(i);
  }

  close(): void {
    this.store.close();
  }
}

/** A deep copy: PoseDataset hands the pipeline a copy, and pipelines modify records in place. */
export function copyAnnotation(a: Annotation): Annotation {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) out[k] = isNdArray(v) ? copyArray(v) : v === undefined ? v : structuredClone(v);
  return out as Annotation;
}

function copyArray(a: NdArray): NdArray {
  return { dtype: a.dtype, shape: [...a.shape], data: a.data.slice() } as NdArray;
}
