/**
 * Dataset statistics for `skagent data inspect`: samples per split and per class, frame counts,
 * person counts and keypoint array kinds, for a `.pkl` annotation file or a dataset store.
 */
import type { Annotation } from './annotation.js';
import { DataError } from './errors.js';
import { type InputLayoutName, inputLayout } from '../skeleton/layouts.js';
import { type AnnotationSource, openAnnotations } from './source.js';
import { validateAnnotation } from './validate.js';

export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly mean: number;
  readonly max: number;
}

export interface SplitStats {
  readonly name: string;
  readonly samples: number;
  /** Ids listed in the split without an annotation. */
  readonly unmatched: number;
  /** label → samples. */
  readonly perClass: Record<string, number>;
}

export interface DatasetStats {
  readonly file: string;
  readonly format: 'pickle' | 'store';
  readonly samples: number;
  readonly noneEntries: number;
  readonly classes: { readonly distinct: number; readonly minLabel: number | null; readonly maxLabel: number | null };
  /** label → samples over the whole file. */
  readonly perClass: Record<string, number>;
  readonly splits: readonly SplitStats[];
  /** `total_frames` (Kinetics: raw video frames). */
  readonly frames: Summary | null;
  /** Persons per sample → samples (Kinetics: most skeletons in one frame); "unknown" when the keypoints live in kpfiles. */
  readonly persons: Record<string, number>;
  /** "dtype [shape pattern]" → samples, e.g. "float16 [M, T, 25, 3]". */
  readonly keypointKinds: Record<string, number>;
  /** Problems found with `check` (validation of every sample, NaN/Inf included). */
  readonly problems?: readonly string[];
}

export interface InspectOptions {
  /** Validate every sample (structure and values) and list the problems. */
  readonly check?: boolean;
  readonly layout?: InputLayoutName;
}

export function inspectDataset(path: string, opts: InspectOptions = {}): DatasetStats {
  const source = openAnnotations(path);
  try {
    return collectStats(source, opts);
  } finally {
    source.close();
  }
}

function collectStats(source: AnnotationSource, opts: InspectOptions): DatasetStats {
  const all = source.select(undefined).indices;
  const labels = new Map(all.map((i) => [i, source.info(i).label]));
  const perClass = countBy(all, (i) => String(labels.get(i)));
  const frames = all.map((i) => source.info(i).total_frames);
  const persons: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  const problems: string[] = [];
  const layout = opts.layout ? inputLayout(opts.layout) : undefined;
  for (const i of all) {
    const info = source.info(i);
    const needsArrays = info.compressed || opts.check;
    const ann = needsArrays ? source.view(i) : null;
    const p = personCount(info.keypointShape, info.compressed, ann);
    persons[p] = (persons[p] ?? 0) + 1;
    const kind = info.keypointShape ? `${info.keypointDtype} ${shapePattern(info.keypointShape, info.compressed)}` : 'in kpfile';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (opts.check && ann) {
      try {
        validateAnnotation(ann, { file: source.path, sample: i }, { layout, checkValues: true });
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        problems.push(err.message);
      }
    }
  }
  const labelValues = [...labels.values()];
  return {
    file: source.path,
    format: source.format,
    samples: all.length,
    noneEntries: source.noneEntries,
    classes: {
      distinct: Object.keys(perClass).length,
      minLabel: labelValues.length ? Math.min(...labelValues) : null,
      maxLabel: labelValues.length ? Math.max(...labelValues) : null,
    },
    perClass,
    splits: source.splitNames().map((name) => {
      const sel = source.select(name);
      return { name, samples: sel.indices.length, unmatched: sel.unmatchedIds.length, perClass: countBy(sel.indices, (i) => String(labels.get(i))) };
    }),
    frames: summarize(frames),
    persons,
    keypointKinds: kinds,
    ...(opts.check ? { problems } : {}),
  };
}

function personCount(shape: readonly number[] | undefined, compressed: boolean, ann: Annotation | null): string {
  if (!shape) return 'unknown';
  if (!compressed) return String(shape[0]);
  const inds = ann?.frame_inds;
  if (!inds) return 'unknown';
  let best = 0, run = 0, prev: number | null = null;
  const data = inds.data as ArrayLike<number | bigint>;
  for (let k = 0; k < data.length; k++) {
    const f = Number(data[k]);
    run = f === prev ? run + 1 : 1;
    prev = f;
    best = Math.max(best, run);
  }
  return String(best);
}

function shapePattern(shape: readonly number[], compressed: boolean): string {
  return compressed ? `[A, ${shape.slice(1).join(', ')}] compressed` : `[M, T, ${shape.slice(2).join(', ')}]`;
}

function countBy(indices: readonly number[], key: (i: number) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of [...indices].sort((a, b) => a - b)) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return sortNumericKeys(out);
}

function sortNumericKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => Number(a) - Number(b)));
}

function summarize(values: number[]): Summary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, mean: values.reduce((a, b) => a + b, 0) / values.length, max: sorted[sorted.length - 1] };
}

/** Human-readable report. */
export function formatStats(s: DatasetStats): string {
  const lines: string[] = [];
  lines.push(`file: ${s.file} (${s.format === 'store' ? 'dataset store' : 'PYSKL annotation pickle'})`);
  lines.push(`samples: ${s.samples}${s.noneEntries ? ` (+${s.noneEntries} None entr${s.noneEntries === 1 ? 'y' : 'ies'}, skipped)` : ''}`);
  lines.push(`classes: ${s.classes.distinct} distinct labels${s.classes.minLabel === null ? '' : ` in ${s.classes.minLabel}..${s.classes.maxLabel}`}`);
  if (s.frames) lines.push(`frames per sample: min ${s.frames.min}, median ${s.frames.median}, mean ${s.frames.mean.toFixed(1)}, max ${s.frames.max}`);
  lines.push(`persons per sample: ${Object.entries(s.persons).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  lines.push(`keypoint arrays: ${Object.entries(s.keypointKinds).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  lines.push('splits:');
  const width = Math.max(8, ...s.splits.map((sp) => sp.name.length));
  for (const sp of s.splits) {
    lines.push(`  ${sp.name.padEnd(width)} ${String(sp.samples).padStart(7)} samples, ${Object.keys(sp.perClass).length} classes${sp.unmatched ? `, ${sp.unmatched} listed ids without annotation` : ''}`);
  }
  if (s.splits.length === 0) lines.push('  (none)');
  lines.push(`samples per class (label: all${s.splits.map((sp) => ` | ${sp.name}`).join('')}):`);
  for (const [label, n] of Object.entries(s.perClass)) {
    lines.push(`  ${label.padStart(4)}: ${n}${s.splits.map((sp) => ` | ${sp.perClass[label] ?? 0}`).join('')}`);
  }
  if (s.problems) {
    lines.push(s.problems.length === 0 ? 'check: every sample is valid' : `check: ${s.problems.length} problem(s):`);
    for (const p of s.problems) lines.push(`  ${p}`);
  }
  return lines.join('\n') + '\n';
}
