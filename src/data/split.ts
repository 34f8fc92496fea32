/**
 * Split selection as PoseDataset does it (skeletonagent/datasets/pose_dataset.py): keep the
 * annotations whose identifier (`filename` if the first record has one, else `frame_dir`) is listed
 * in `split[name]`, in the order of `annotations`, not the order of the list.
 */
import { type Annotation, type AnnotationFile, identifierField } from './annotation.js';
import { DataError } from './errors.js';

export interface SplitSelection {
  /** Indices into `file.annotations` of the kept samples, in file order. */
  readonly indices: number[];
  /** Ids listed in the split for which the file has no annotation (e.g. the NTU preprocessor's `None` entries). */
  readonly unmatchedIds: string[];
}

/** `split === undefined` keeps every (non-None) annotation. */
export function selectSplit(file: AnnotationFile, split: string | undefined, path: string): SplitSelection {
  const anns = file.annotations;
  if (split === undefined) {
    return { indices: anns.flatMap((a, i) => (a === null ? [] : [i])), unmatchedIds: [] };
  }
  const ids = file.split.get(split);
  if (ids === undefined) throw unknownSplit(split, [...file.split.keys()], path);
  const key = identifierField(anns);
  const wanted = new Set(ids);
  const found = new Set<string>();
  const indices: number[] = [];
  anns.forEach((a, i) => {
    if (a === null) return;
    const id = idOf(a, key);
    if (wanted.has(id)) {
      indices.push(i);
      found.add(id);
    }
  });
  return { indices, unmatchedIds: ids.filter((id) => !found.has(id)) };
}

function idOf(a: Annotation, key: 'filename' | 'frame_dir'): string {
  return (key === 'filename' ? a.filename : a.frame_dir) ?? a.frame_dir;
}

export function unknownSplit(split: string, available: readonly string[], path: string): DataError {
  const list = available.length > 0 ? available.join(', ') : 'none: the file has no split dict';
  return new DataError({ file: path, field: 'split' }, `unknown split '${split}' (available: ${list})`);
}
