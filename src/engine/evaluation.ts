/**
 * Evaluation over a split, the one validation (1 clip per sample) and testing (the test
 * pipeline's clips) share: 'prob' scores averaged over clips, in split order, and the metrics.
 */
import { tensor, tidy } from '../torch/index.js';
import type { Recognizer } from '../model/recognizer.js';
import type { BatchLoader } from './loader.js';
import { evaluateScores, type Evaluation } from './metrics.js';
import { Progress } from './progress.js';
import type { DataParallel } from './data-parallel.js';

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

export interface EvaluateOptions {
  /** Runs before each batch's forward (where the original's test step calls the Questioner's check_state). */
  beforeBatch?: () => Promise<void>;
  /** Multi-process: the loader holds this rank's shard; the scores of all ranks are gathered. */
  parallel?: DataParallel;
}

/** Scores every sample of the loader's split (this rank's shard, then gathered, when parallel). */
export async function evaluate(scorer: BatchScorer, loader: BatchLoader, label: string, o: EvaluateOptions = {}): Promise<EvaluationResult> {
  const C = scorer.numClasses;
  const rows = loader.samplesPerEpoch;
  let scores: Float32Array = new Float32Array(rows * C);
  const progress = new Progress({ label, total: rows, unit: 'sample', quiet: o.parallel ? !o.parallel.isMain : false });
  let row = 0;
  for await (const batch of loader.epoch(0)) {
    await o.beforeBatch?.();
    const probs = await scorer.score(batch.keypoint, batch.shape);
    if (probs.length !== batch.labels.length * C) throw new RangeError(`${label}: the scorer returned ${probs.length} scores for ${batch.labels.length} samples × ${C} classes`);
    scores.set(probs, row * C);
    row += batch.labels.length;
    progress.tick(batch.labels.length);
  }
  if (o.parallel) scores = await o.parallel.gatherRows(scores, C, loader.length);
  const evaluation = evaluateScores({ dtype: 'float32', shape: [loader.length, C], data: scores }, Int32Array.from(loader.labels));
  return { evaluation, scores, numClasses: C };
}
