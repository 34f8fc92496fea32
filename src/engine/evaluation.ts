/**
 * Evaluation over a split, the one validation (1 clip per sample) and testing (the test
 * pipeline's clips) share: 'prob' scores averaged over clips, in split order, and the metrics.
 */
import { tensor, tidy } from '../torch/index.js';
import type { Recognizer } from '../model/recognizer.js';
import type { BatchLoader } from './loader.js';
import { evaluateScores, type Evaluation } from './metrics.js';
import { Progress } from './progress.js';

/** What scores a batch of network inputs [B, clips, M, T, V, C]: 'prob' scores [B, classes]. */
export interface BatchScorer {
  readonly numClasses: number;
  score(keypoint: Float32Array, shape: readonly number[]): Promise<Float32Array>;
}

/** The libtorch model as a BatchScorer (eval mode). */
export function torchScorer(model: Recognizer, device: string): BatchScorer {
  model.eval();
  return {
    numClasses: model.numClasses,
    score: async (keypoint, shape) => tidy(() => model.predict(tensor(keypoint, [...shape], { device }), 'prob').toFloat32Array()),
  };
}

export interface EvaluationResult {
  evaluation: Evaluation;
  /** float32 [samples, classes], row-major. */
  scores: Float32Array;
  numClasses: number;
}

/**
 * Scores every sample of the loader's split in eval mode. `beforeBatch` runs before each batch's
 * forward (where the original's test step calls the Questioner's check_state).
 */
export async function evaluate(scorer: BatchScorer, loader: BatchLoader, label: string, beforeBatch?: () => Promise<void>): Promise<EvaluationResult> {
  const C = scorer.numClasses;
  const scores = new Float32Array(loader.length * C);
  const labels = new Int32Array(loader.length);
  const progress = new Progress({ label, total: loader.length, unit: 'sample' });
  let row = 0;
  for await (const batch of loader.epoch(0)) {
    await beforeBatch?.();
    const probs = await scorer.score(batch.keypoint, batch.shape);
    if (probs.length !== batch.labels.length * C) throw new RangeError(`${label}: the scorer returned ${probs.length} scores for ${batch.labels.length} samples × ${C} classes`);
    scores.set(probs, row * C);
    labels.set(batch.labels, row);
    row += batch.labels.length;
    progress.tick(batch.labels.length);
  }
  const evaluation = evaluateScores({ dtype: 'float32', shape: [loader.length, C], data: scores }, labels);
  return { evaluation, scores, numClasses: C };
}
