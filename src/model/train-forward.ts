/**
 * The training forward of RecognizerGCN (model.md §11.1): mix the batch, run the backbone on
 * [x; x_mix] (BatchNorm statistics over all 2N samples), classify, and compute every loss term.
 */
import { Tensor, tidy, cat } from '../torch/index.js';
import type { PythonRandom } from '../transforms/rng/index.js';
import type { Recognizer } from './recognizer.js';
import { skeletonMix, type MixConfig, type MixResult } from './mixup.js';
import { trainingLosses, topkAccuracy, type LossTerms, type LossWeights } from './losses.js';

export interface TrainForwardOptions {
  mix: MixConfig;
  rng: PythonRandom;
  weights: LossWeights;
  /** Text embeddings [N, D] of the current description of each sample's class. */
  textEmbedding: (labels: Int32Array) => Tensor;
}

export interface TrainForwardResult {
  losses: LossTerms;
  mix: MixResult;
  /** Classifier logits of the 2N rows (original half first). */
  logits: Tensor;
  /** x1 and x2 of the 2N rows. */
  x1: Tensor;
  x2: Tensor;
  textEmbedding: Tensor;
  top1: number;
  top5: number;
}

/** keypoint [N, 1, M, T, V, C] (one clip per sample), labels int64 [N]. */
export function forwardTrain(model: Recognizer, keypoint: Tensor, labels: Tensor, o: TrainForwardOptions): TrainForwardResult {
  return tidy(() => {
    if (keypoint.ndim !== 6 || keypoint.shape[1] !== 1) {
      throw new RangeError(`training input must be [N, 1, M, T, V, C] (one clip per sample), got [${keypoint.shape.join(', ')}]`);
    }
    const N = keypoint.shape[0];
    const x = keypoint.select(1, 0);
    const mix = skeletonMix(x, labels, o.mix, o.rng);
    const out = model.forward(cat([x, mix.data], 0));
    const labelArray = Int32Array.from(labels.dataSync() as BigInt64Array, Number);
    const textEmbedding = o.textEmbedding(labelArray);
    const losses = trainingLosses({
      logits: out.logits, mixLabels: mix.labels, x1: out.x1.narrow(0, 0, N), x2: out.x2.narrow(0, 0, N),
      textEmbedding, logitScale: model.backbone.logitScale, labels, weights: o.weights,
    });
    const z = out.logits.narrow(0, 0, N);
    return { losses, mix, logits: out.logits, x1: out.x1, x2: out.x2, textEmbedding, top1: topkAccuracy(z, labels, 1), top5: topkAccuracy(z, labels, 5) };
  });
}
