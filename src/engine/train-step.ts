/**
 * One training step, the one `skagent train` runs and the benchmarks time
 * (skeletonagent/apis/train.py, MMCV 1.5's runner): mix the batch, forward on [x; x_mix], every
 * loss term, backward, the Questioner's statistics of the un-mixed half, SGD step, gradients zeroed
 * for the next step.
 */
import type { Config } from '../config/index.js';
import { tensor, tidy, type Tensor } from '../torch/index.js';
import { SGD } from '../torch/optim/index.js';
import type { PythonRandom } from '../rng/index.js';
import type { Recognizer } from '../model/recognizer.js';
import type { MixConfig } from '../model/mixup.js';
import type { LossWeights } from '../model/losses.js';
import { forwardTrain, stepLabels, type StepLabels } from '../model/train-forward.js';
import type { Batch } from './loader.js';
import { mixConfigOf } from './build.js';
import type { Semantics } from './semantics.js';
import { topKAccuracy } from './metrics.js';
import { GradientAccumulator } from './grad-accumulation.js';

/** A step's input on the device: keypoint [B, 1, M, T, V, C] and its labels (host and tensor, made once). */
export interface StepInput {
  keypoint: Tensor;
  labels: StepLabels;
}

/** Batch → tensors on the device. */
export function batchTensors(batch: Batch, device: string): StepInput {
  return { keypoint: tensor(batch.keypoint, batch.shape, { device }), labels: stepLabels(batch.labels, device) };
}

/** What a training step needs from a config: mix-up, loss weights and the SGD settings. */
export interface StepSettings {
  mix: MixConfig;
  weights: LossWeights;
  optimizer: { lr: number; momentum: number; weightDecay: number; nesterov: boolean };
}

export function stepSettingsOf(config: Config): StepSettings {
  const head = config.model.cls_head;
  const opt = config.optimizer;
  return {
    mix: mixConfigOf(config),
    weights: { constraint: head.weight_1, align: head.weight_2 },
    optimizer: { lr: opt.lr, momentum: opt.momentum, weightDecay: opt.weight_decay, nesterov: opt.nesterov },
  };
}

export interface StepStats {
  loss: number;
  cls: number;
  constraint: number;
  align: number;
  top1: number;
  top5: number;
  /** The loss was NaN/inf: no update was made. */
  skipped: boolean;
}

export class TrainingStep {
  /** SGD over all the model's parameters, as the trainer (and the original) hands them over; its lr is the caller's to schedule. */
  readonly sgd: SGD;
  private readonly accumulation: GradientAccumulator;

  constructor(private readonly model: Recognizer, private readonly semantics: Semantics, private readonly settings: StepSettings) {
    this.sgd = new SGD(model.parameters(), settings.optimizer);
    this.sgd.paramGroups[0].initialLr = settings.optimizer.lr;
    this.accumulation = new GradientAccumulator(this.sgd);
  }

  /** Runs the step at the optimiser's current learning rate; `rng` draws the mix-up. */
  run(input: StepInput, rng: PythonRandom): StepStats {
    const stats = this.accumulate(input, rng);
    this.update();
    return stats;
  }

  /**
   * Forward and backward of one (micro-)batch; the gradients add up over calls until `update()`
   * (gradient accumulation). `backward` runs the loss's backward instead of `loss.backward()`:
   * data-parallel runs average the gradients over the ranks during the last micro-batch's.
   */
  accumulate(input: StepInput, rng: PythonRandom, backward: (loss: Tensor) => void = (loss) => loss.backward()): StepStats {
    const stats = tidy(() => {
      const r = forwardTrain(this.model, input.keypoint, input.labels, {
        mix: this.settings.mix, rng, weights: this.settings.weights, textEmbedding: (l) => this.semantics.embed(l.host, l.tensor),
      });
      backward(r.losses.total);
      const z = r.logits.narrow(0, 0, input.labels.host.length);
      this.semantics.observe(input.labels.host, z);
      // The original logs top-1/top-5 of the clean logits with the evaluation's top_k_accuracy (numpy).
      const [top1, top5] = topKAccuracy({ dtype: 'float32', shape: [...z.shape], data: z.toFloat32Array() }, input.labels.host, [1, 5]);
      return { loss: r.losses.total.item(), cls: r.losses.cls.item(), constraint: r.losses.constraint.item(), align: r.losses.align.item(), top1, top5 };
    });
    // A NaN/inf loss means NaN/inf gradients: `update` then does not step, and the caller decides.
    const skipped = this.accumulation.added(stats.loss);
    return { ...stats, skipped };
  }

  /** True when a (micro-)batch since the last update had a NaN/inf loss (so NaN/inf gradients). */
  get hasNonFinite(): boolean { return this.accumulation.hasNonFinite; }

  /**
   * SGD step on the mean of the accumulated gradients (engine/grad-accumulation.ts), then zeroed.
   * With `skip` (a NaN/inf loss: NaN/inf gradients) the step is not taken; the caller decides.
   */
  update(skip = this.accumulation.hasNonFinite): void { this.accumulation.step(skip); }

  dispose(): void { this.sgd.dispose(); }
}
