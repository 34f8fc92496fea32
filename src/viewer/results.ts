/**
 * A test result folder (engine/results.ts) as the Results view shows it: metrics recomputed from
 * scores.npy and labels.npy (so a folder without metrics.json, or one from another tool, works),
 * per-class accuracy, the most confused pairs, per-sample predictions, and what produced it
 * (config, annotation file and split from metrics.json when present).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readLabelMap } from '../agent/store.js';
import { evaluateScores, predictClasses, type ScoreArray } from '../engine/metrics.js';
import { RESULT_FILES, readLabelsNpy, readScoresNpy } from '../engine/results.js';
import { HttpError } from '../io/http-errors.js';

export interface ResultInfo {
  readonly config: string | null;
  /** Stream modality from the config name's last part (j, b, k, jm, bm, km), when it is one. */
  readonly modality: string | null;
  readonly annotations: string | null;
  readonly split: string | null;
  readonly numClips: number | null;
}

export interface ResultView {
  readonly info: ResultInfo;
  readonly numSamples: number;
  readonly numClasses: number;
  readonly classNames: string[];
  readonly top1: number;
  readonly top5: number;
  readonly meanClassAccuracy: number;
  /** [true][predicted] counts. */
  readonly confusion: number[][];
  readonly labels: number[];
  /** argmax prediction per sample. */
  readonly predictions: number[];
  /** Per class: accuracy (recall) and sample count, sorted ascending by accuracy. */
  readonly perClass: { cls: number; accuracy: number; count: number }[];
  /** Off-diagonal cells, most samples first (at most 20). */
  readonly confusedPairs: { trueClass: number; predicted: number; count: number }[];
  /** Sample ids (frame_dir) in score order, when the annotation file is readable. */
  readonly sampleIds: string[] | null;
  readonly problems: string[];
}

const MODALITIES = new Set(['j', 'b', 'k', 'jm', 'bm', 'km']);

/** What produced a result, from its metrics.json (nulls when absent); unreadable JSON is noted in `problems`. */
export function readResultInfo(dir: string, problems: string[]): ResultInfo {
  const path = join(dir, RESULT_FILES.metrics);
  let doc: Record<string, unknown> = {};
  if (existsSync(path)) {
    try { doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>; } catch { problems.push(`${RESULT_FILES.metrics}: not valid JSON (being written?)`); }
  }
  const str = (k: string) => (typeof doc[k] === 'string' ? (doc[k] as string) : null);
  const config = str('config');
  const last = config?.split('/').pop() ?? null;
  return {
    config, modality: last && MODALITIES.has(last) ? last : null,
    annotations: str('annotations'), split: str('split'),
    numClips: typeof doc.num_clips === 'number' ? doc.num_clips : null,
  };
}

/** Class names from a label map next to the annotation file (labels.txt, label_map.txt), else "class i". */
export function classNamesFor(annotations: string | null, numClasses: number): string[] {
  const fallback = Array.from({ length: numClasses }, (_, i) => `class ${i}`);
  if (!annotations) return fallback;
  for (const name of ['labels.txt', 'label_map.txt']) {
    const p = join(dirname(annotations), name);
    if (!existsSync(p)) continue;
    try {
      const names = readLabelMap(p);
      if (names.length >= numClasses) return names.slice(0, numClasses);
    } catch { /* fall through */ }
  }
  return fallback;
}

export function readResultScores(dir: string): { scores: ScoreArray; labels: number[] } {
  const scores = readScoresNpy(join(dir, RESULT_FILES.scores));
  const labels = readLabelsNpy(join(dir, RESULT_FILES.labels));
  if (labels.length !== scores.shape[0]) throw new HttpError(422, `${dir}: ${labels.length} labels for ${scores.shape[0]} score rows`);
  return { scores, labels };
}

export function readResult(dir: string, sampleIds: (annotations: string, split: string | null) => string[] | null): ResultView {
  const problems: string[] = [];
  const info = readResultInfo(dir, problems);
  const { scores, labels } = readResultScores(dir);
  const e = evaluateScores(scores, labels);
  const perClass = e.confusionMatrix.map((row, cls) => {
    const count = row.reduce((a, b) => a + b, 0);
    return { cls, accuracy: count > 0 ? row[cls] / count : 0, count };
  }).filter((c) => c.count > 0).sort((a, b) => a.accuracy - b.accuracy || a.cls - b.cls);
  const confusedPairs = e.confusionMatrix.flatMap((row, t) => row.map((count, p) => ({ trueClass: t, predicted: p, count })))
    .filter((c) => c.trueClass !== c.predicted && c.count > 0)
    .sort((a, b) => b.count - a.count || a.trueClass - b.trueClass || a.predicted - b.predicted).slice(0, 20);
  let ids: string[] | null = null;
  if (info.annotations) {
    try {
      ids = sampleIds(info.annotations, info.split);
      if (ids && ids.length !== labels.length) {
        problems.push(`${info.annotations} [${info.split}] has ${ids.length} samples, the scores ${labels.length}: sample ids not shown`);
        ids = null;
      }
    } catch (err) {
      problems.push(`sample ids unavailable: ${(err as Error).message}`);
    }
  }
  return {
    info, numSamples: e.numSamples, numClasses: e.numClasses, classNames: classNamesFor(info.annotations, e.numClasses),
    top1: e.top1, top5: e.top5, meanClassAccuracy: e.meanClassAccuracy, confusion: e.confusionMatrix,
    labels, predictions: Array.from(predictClasses(scores)), perClass, confusedPairs, sampleIds: ids, problems,
  };
}
