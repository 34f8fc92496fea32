/**
 * The training forward of RecognizerGCN (`forward_train`,
 * skeletonagent/models/recognizers/recognizergcn.py): mix the batch, run the backbone on [x; x_mix]
 * (BatchNorm statistics over all 2N samples), classify, and compute every loss term.
 */
import { Tensor, tidy, cat, tensor } from '../torch/index.js';
import type { PythonRandom } from '../rng/index.js';
import type { Recognizer } from './recognizer.js';
import { skeletonMix, type MixConfig, type MixResult } from './mixup.js';
import { trainingLosses, type LossTerms, type LossWeights } from './losses.js';

/**
 * A batch's class labels, made once per step: on the host (text rows, the Questioner's
 * statistics) and as an int64 tensor [N] on the model's device (losses, mix-up, text-row lookup).
 */
export interface StepLabels {
  host: Int32Array;
  tensor: Tensor;
}

export function stepLabels(host: Int32Array, device = 'cpu'): StepLabels {
  return { host, tensor: tensor(BigInt64Array.from(host, (v) => BigInt(v)), [host.length], { dtype: 'int64', device }) };
}

export interface TrainForwardOptions {
  mix: MixConfig;
  rng: PythonRandom;
  weights: LossWeights;
  /** Text embeddings [N, D] of the current description of each sample's class. */
  textEmbedding: (labels: StepLabels) => Tensor;
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
}

/** keypoint [N, 1, M, T, V, C] (one clip per sample), labels [N]. */
export function forwardTrain(model: Recognizer, keypoint: Tensor, stepLabels: StepLabels, o: TrainForwardOptions): TrainForwardResult {
  return tidy(() => {
    if (keypoint.ndim !== 6 || keypoint.shape[1] !== 1) {
      throw new RangeError(`training input must be [N, 1, M, T, V, C] (one clip per sample), got [${keypoint.shape.join(', ')}]`);
    }
    const N = keypoint.shape[0];
    const labels = stepLabels.tensor;
    if (labels.shape.length !== 1 || labels.shape[0] !== N || stepLabels.host.length !== N) {
      throw new RangeError(`training labels must be [${N}] (one per sample), got a tensor [${labels.shape.join(', ')}] and ${stepLabels.host.length} host labels`);
    }
    const x = keypoint.select(1, 0);
    const mix = skeletonMix(x, labels, o.mix, o.rng);
    const out = model.forward(cat([x, mix.data], 0));
    const textEmbedding = o.textEmbedding(stepLabels);
    const losses = trainingLosses({
      logits: out.logits, mixLabels: mix.labels, x1: out.x1.narrow(0, 0, N), x2: out.x2.narrow(0, 0, N),
      textEmbedding, logitScale: model.backbone.logitScale, labels, weights: o.weights,
    });
    return { losses, mix, logits: out.logits, x1: out.x1, x2: out.x2, textEmbedding };
  });
}
