/**
 * The original's evaluation metrics (`BaseDataset.evaluate`, skeletonagent/datasets/base.py;
 * skeletonagent/core/evaluation.py) on a score matrix [samples, classes] and integer labels, with
 * numpy's exact tie and rounding behaviour:
 *
 * - top-k accuracy ranks each row with `np.argsort` (not stable: see numpy-compat.ts), so the top-1
 *   prediction of a tied row is whatever numpy's sort leaves last, not necessarily the first maximum;
 * - mean class accuracy predicts with `np.argmax` (the first maximum) and averages per-class recall
 *   over the classes that occur in the labels or the predictions.
 *
 * The same top-1 is the original ensemble script's `top1` (tools/ensemble.py).
 */
import type { NdArray } from '../io/ndarray.js';
import { argmaxRow, argsortRow, numpyMean } from './numpy-compat.js';

/** Scores [samples, classes] (clip-averaged probabilities, or any per-class scores). */
export type ScoreArray = NdArray<'float32'> | NdArray<'float64'>;

/** The k values the original reports (`topk=(1, 5)`). */
export const DEFAULT_TOPK: readonly number[] = [1, 5];

export interface ScoreShape {
  readonly samples: number;
  readonly classes: number;
}

/** The [samples, classes] shape of `scores`; throws when it is not 2-D or labels do not match. */
export function scoreShape(scores: ScoreArray, labels?: ArrayLike<number>): ScoreShape {
  if (scores.shape.length !== 2) {
    throw new RangeError(`scores must be 2-D [samples, classes], got shape [${scores.shape.join(', ')}]`);
  }
  const [samples, classes] = scores.shape;
  if (labels !== undefined && labels.length !== samples) {
    throw new RangeError(`${labels.length} labels for ${samples} score rows`);
  }
  return { samples, classes };
}

function row(scores: ScoreArray, classes: number, i: number): Float32Array | Float64Array {
  return scores.data.subarray(i * classes, (i + 1) * classes);
}

function checkLabels(labels: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= classes) {
      throw new RangeError(`label ${l} of sample ${i} is not a class index in [0, ${classes})`);
    }
  }
}

/**
 * `top_k_accuracy`: for each k, the fraction of samples whose label is among the last k indices of
 * the row's ascending argsort. k larger than the class count counts every sample as a hit.
 */
export function topKAccuracy(scores: ScoreArray, labels: ArrayLike<number>, topk: readonly number[] = DEFAULT_TOPK): number[] {
  const { samples, classes } = scoreShape(scores, labels);
  for (const k of topk) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`top-k: k must be a positive integer, got ${k}`);
  }
  const hits = topk.map(() => 0);
  for (let i = 0; i < samples; i++) {
    const position = argsortRow(row(scores, classes, i)).indexOf(labels[i]);
    if (position < 0) continue; // not a class index: never a hit
    // 1 when the label is the last index of the ascending order, i.e. the top-1 prediction.
    const fromTop = classes - position;
    topk.forEach((k, n) => {
      if (fromTop <= k) hits[n]++;
    });
  }
  return hits.map((h) => h / samples);
}

/** `np.argmax(scores, axis=1)`: each row's first maximum. */
export function predictClasses(scores: ScoreArray): Int32Array {
  const { samples, classes } = scoreShape(scores);
  const pred = new Int32Array(samples);
  for (let i = 0; i < samples; i++) pred[i] = argmaxRow(row(scores, classes, i));
  return pred;
}

/**
 * Counts [true class][predicted class] over all `numClasses` classes (the original compacts the
 * matrix to the classes present; the full square is what a reader of the dump wants).
 */
export function confusionMatrix(pred: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number[][] {
  if (pred.length !== labels.length) throw new RangeError(`${pred.length} predictions for ${labels.length} labels`);
  checkLabels(labels, numClasses);
  checkLabels(pred, numClasses);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]][pred[i]]++;
  return matrix;
}

/**
 * `mean_class_accuracy` from a full confusion matrix: recall `hit / count` of every class present in
 * the labels or the predictions (0 for a class only predicted), averaged in ascending class order
 * with numpy's pairwise summation.
 */
export function meanClassAccuracyFromMatrix(matrix: readonly (readonly number[])[]): number {
  const recalls: number[] = [];
  matrix.forEach((counts, c) => {
    let count = 0;
    for (const n of counts) count += n;
    let predicted = 0;
    for (const r of matrix) predicted += r[c];
    if (count > 0) recalls.push(counts[c] / count);
    else if (predicted > 0) recalls.push(0);
  });
  return numpyMean(recalls);
}

export function meanClassAccuracy(scores: ScoreArray, labels: ArrayLike<number>): number {
  const { classes } = scoreShape(scores, labels);
  return meanClassAccuracyFromMatrix(confusionMatrix(predictClasses(scores), labels, classes));
}

/** Everything a test run reports (`BaseDataset.evaluate` with `topk=(1, 5)` and both metrics). */
export interface Evaluation {
  readonly numSamples: number;
  readonly numClasses: number;
  readonly top1: number;
  readonly top5: number;
  readonly meanClassAccuracy: number;
  /** [true class][argmax prediction] counts, numClasses × numClasses. */
  readonly confusionMatrix: number[][];
}

export function evaluateScores(scores: ScoreArray, labels: ArrayLike<number>): Evaluation {
  const { samples, classes } = scoreShape(scores, labels);
  const [top1, top5] = topKAccuracy(scores, labels, [1, 5]);
  const matrix = confusionMatrix(predictClasses(scores), labels, classes);
  return {
    numSamples: samples, numClasses: classes, top1, top5,
    meanClassAccuracy: meanClassAccuracyFromMatrix(matrix), confusionMatrix: matrix,
  };
}
