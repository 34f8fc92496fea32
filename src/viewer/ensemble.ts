/**
 * The Results view's ensemble panel: top-1 of each chosen test stream, of the published fusions
 * their modalities allow (J+B, 4M, 6M), of user weights, and of the weights found by a search on
 * validation scores (same streams, same order), reported on the test split.
 */
import { ENSEMBLE_PRESETS, fuseScores, searchWeights } from '../engine/ensemble.js';
import { type ScoreArray, topKAccuracy } from '../engine/metrics.js';
import type { CatalogEntry } from './catalog.js';
import { HttpError } from '../io/http-errors.js';
import { readResultInfo, readResultScores } from './results.js';

export interface EnsembleView {
  readonly numSamples: number;
  readonly streams: { id: string; name: string; modality: string | null; top1: number }[];
  readonly fusions: { name: string; weights: number[]; top1: number }[];
  readonly search: { weights: number[]; valTop1: number; testTop1: number; evaluated: number } | null;
}

const top1 = (labels: readonly number[]) => (s: ScoreArray) => topKAccuracy(s, labels, [1])[0];

function load(entries: readonly CatalogEntry[]): { scores: ScoreArray[]; labels: number[] } {
  const loaded = entries.map((e) => readResultScores(e.path));
  const labels = loaded[0]?.labels ?? [];
  loaded.forEach((l, i) => {
    if (l.labels.length !== labels.length || l.labels.some((v, k) => v !== labels[k])) {
      throw new HttpError(422, `${entries[i].name}: its labels differ from ${entries[0].name}'s (different split or order)`);
    }
    if (l.scores.shape[1] !== loaded[0].scores.shape[1]) throw new HttpError(422, `${entries[i].name}: ${l.scores.shape[1]} classes, ${entries[0].name} ${loaded[0].scores.shape[1]}`);
  });
  return { scores: loaded.map((l) => l.scores), labels };
}

export function ensembleView(test: readonly CatalogEntry[], val: readonly CatalogEntry[], weights: number[] | null): EnsembleView {
  if (test.length === 0) throw new HttpError(422, 'choose at least one test result');
  const { scores, labels } = load(test);
  const acc = top1(labels);
  const modalities = test.map((e) => readResultInfo(e.path, []).modality);
  const streams = test.map((e, i) => ({ id: e.id, name: e.name, modality: modalities[i], top1: acc(scores[i]) }));
  const fusions: EnsembleView['fusions'] = [];
  for (const p of ENSEMBLE_PRESETS) {
    const members = p.streams.map((s) => modalities.indexOf(s));
    if (members.some((m) => m < 0)) continue;
    fusions.push({ name: p.name, weights: [...p.weights], top1: acc(fuseScores(members.map((m) => scores[m]), p.weights)) });
  }
  if (weights) {
    if (weights.length !== test.length || weights.some((w) => !Number.isFinite(w))) throw new HttpError(422, `${weights.length} weights for ${test.length} streams`);
    fusions.push({ name: 'custom', weights, top1: acc(fuseScores(scores, weights)) });
  }
  let search: EnsembleView['search'] = null;
  if (val.length > 0) {
    if (val.length !== test.length) throw new HttpError(422, `${val.length} validation results for ${test.length} test streams (give them in the same order)`);
    const v = load(val);
    const found = searchWeights(v.scores, top1(v.labels));
    search = { weights: found.weights, valTop1: found.top1, testTop1: acc(fuseScores(scores, found.weights)), evaluated: found.evaluated };
  }
  return { numSamples: labels.length, streams, fusions, search };
}
