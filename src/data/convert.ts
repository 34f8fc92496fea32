/**
 * `.pkl` annotation file → dataset store. Every sample is validated (structure and values) on the
 * way, and Kinetics keypoints kept in kpfiles are merged in, so the store is self-contained.
 */
import { resolve } from 'node:path';
import { DataError } from './errors.js';
import { type InputLayoutName, inputLayout } from '../skeleton/layouts.js';
import { KpfileReader } from './kinetics.js';
import { defaultKpfileRoot } from './pyskl.js';
import { readAnnotationPickle } from './source.js';
import { isStoreFile, writeStore } from './store.js';
import { validateAnnotation } from './validate.js';

export interface ConvertOptions {
  /** Enforce this input layout while converting. */
  readonly layout?: InputLayoutName;
  /** Folder for relative K400 `raw_file` paths (default: the annotation file's folder). */
  readonly kpfileRoot?: string;
}

export interface ConvertResult {
  readonly samples: number;
  readonly bytes: number;
  /** `None` entries of the source, not stored. */
  readonly noneEntries: number;
}

export function convertToStore(annFile: string, outFile: string, opts: ConvertOptions = {}): ConvertResult {
  if (resolve(annFile) === resolve(outFile)) throw new DataError({ file: outFile }, 'output would overwrite the input');
  if (isStoreFile(annFile)) throw new DataError({ file: annFile }, 'is already a dataset store');
  const file = readAnnotationPickle(annFile);
  const kpfiles = new KpfileReader(opts.kpfileRoot ?? defaultKpfileRoot(annFile));
  const layout = opts.layout ? inputLayout(opts.layout) : undefined;
  const result = writeStore(outFile, file, {
    source: annFile,
    prepare: (ann, i) => {
      const at = { file: annFile, sample: i, frameDir: ann.frame_dir };
      if (ann.keypoint === undefined && ann.raw_file !== undefined) kpfiles.merge(ann, at);
      validateAnnotation(ann, at, { layout, checkValues: true });
      return ann;
    },
  });
  return { ...result, noneEntries: file.annotations.filter((a) => a === null).length };
}
