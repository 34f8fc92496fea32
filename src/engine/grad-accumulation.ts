/**
 * Gradient accumulation (`skagent train --accumulate K`): the backward passes of K micro-batches
 * add their gradients into the parameters' `.grad`; the optimiser then steps once on their mean.
 * Each micro-batch's loss is a mean over its B samples, so scaling the sum by 1/K gives the
 * gradient of the mean over all K·B samples: the large batch's gradient whenever the loss of a
 * sample does not depend on the other samples of its batch (docs/distributed.md says when it does).
 */
import { noGrad, tidy } from '../torch/index.js';
import type { SGD } from '../torch/optim/index.js';

export class GradientAccumulator {
  private microBatches = 0;
  private nonFinite = false;

  constructor(readonly sgd: SGD) {}

  /** Records a micro-batch whose backward has run; `loss` is its value. Returns whether it was NaN/inf. */
  added(loss: number): boolean {
    this.microBatches++;
    const bad = !Number.isFinite(loss);
    this.nonFinite ||= bad;
    return bad;
  }

  /** True when a micro-batch since the last step had a NaN/inf loss (so NaN/inf gradients). */
  get hasNonFinite(): boolean { return this.nonFinite; }

  /**
   * Steps on the mean of the held gradients (the sum × 1/K), then clears them. With `skip` (a
   * NaN/inf loss) no step is taken; the caller decides what that means.
   */
  step(skip = this.nonFinite): void {
    if (!skip && this.microBatches > 1) {
      const scale = 1 / this.microBatches;
      tidy(() => noGrad(() => { for (const p of this.sgd.paramGroups[0].params) p.grad?.mul_(scale); }));
    }
    this.microBatches = 0;
    this.nonFinite = false;
    if (!skip) this.sgd.step();
    this.sgd.zeroGrad();
  }
}
