/**
 * The learning-rate schedule of the original's configs: cosine annealing by iteration (mmcv 1.5's
 * CosineAnnealingLrUpdaterHook with by_epoch=False), no warm-up, minimum 0 by default.
 */

/**
 * mmcv's `annealing_cos(baseLr, minLr, iteration / totalIterations)`, in its operation order so
 * the value equals the original's double bit for bit:
 * `minLr + 0.5 · (baseLr − minLr) · (cos(π · it / total) + 1)`.
 * `iteration` is the 0-based global iteration at the start of the step; `totalIterations` is
 * epochs × iterations per epoch.
 */
export function cosineAnnealingLr(baseLr: number, iteration: number, totalIterations: number, minLr = 0): number {
  checkTotalIterations(totalIterations, 'cosineAnnealingLr');
  if (!(Number.isInteger(iteration) && iteration >= 0)) throw new RangeError(`cosineAnnealingLr: iteration must be an integer >= 0, got ${iteration}`);
  const cosOut = Math.cos(Math.PI * (iteration / totalIterations)) + 1;
  return minLr + 0.5 * (baseLr - minLr) * cosOut;
}

function checkTotalIterations(totalIterations: number, where: string): void {
  if (!(Number.isInteger(totalIterations) && totalIterations > 0)) throw new RangeError(`${where}: totalIterations must be a positive integer, got ${totalIterations}`);
}

/** Iterations per epoch of a loader that keeps the last incomplete batch: ceil(samples / batch). */
export function iterationsPerEpoch(samples: number, batchSize: number): number {
  if (!(Number.isInteger(samples) && samples >= 0 && Number.isInteger(batchSize) && batchSize > 0)) {
    throw new RangeError(`iterationsPerEpoch: expected integers samples >= 0 and batchSize > 0, got ${samples} and ${batchSize}`);
  }
  return Math.ceil(samples / batchSize);
}

/** What the scheduler needs of an optimiser: parameter groups with a mutable learning rate. */
export interface ScheduledOptimizer {
  readonly paramGroups: readonly { lr: number; initialLr?: number }[];
}

/**
 * Applies the cosine schedule to an optimiser before each iteration, as mmcv's hook does: the
 * base learning rate of each group is its `initialLr`, set once from its current `lr` unless it
 * is already there (a resumed optimiser keeps the one in its state dict).
 */
export class CosineAnnealingScheduler {
  constructor(
    private readonly optimizer: ScheduledOptimizer,
    readonly totalIterations: number,
    readonly minLr = 0,
  ) {
    checkTotalIterations(totalIterations, 'CosineAnnealingScheduler');
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
  }

  /** The learning rate of each group at `iteration`. */
  lrAt(iteration: number): number[] {
    return this.optimizer.paramGroups.map((g) => cosineAnnealingLr(g.initialLr ?? g.lr, iteration, this.totalIterations, this.minLr));
  }

  /** Sets every group's `lr` for the iteration about to run; returns the rates set. */
  apply(iteration: number): number[] {
    const rates = this.lrAt(iteration);
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = rates[i]; });
    return rates;
  }
}
