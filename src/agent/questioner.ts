/**
 * The Questioner's bookkeeping (skeletonagent/models/heads/base.py, incl. `check_state`): confusion
 * statistics gathered from training batches, the per-class list of most-confused classes, and the
 * epoch clock that decides when the LLM is asked again.
 *
 * Two modes:
 * - 'reproduce' (default) is the original, quirks included: the reverse count of an error depends
 *   on which classes share the batch (quirk 18); the top-10 list is padded with zero-count classes
 *   of smallest index and may contain the class itself (quirk 19); updates stop after epoch 149
 *   (quirk 20).
 * - 'corrected': every error "true a, predicted b" counts once for a and once for b, whatever the
 *   batch; a class's list holds only other classes with a non-zero count (possibly none, in which
 *   case the class is not updated); no epoch cap.
 */

export type QuestionerMode = 'reproduce' | 'corrected';

export const TOP_CONFUSED = 10;
/** check_state's hard-coded epoch window 1..149 (reproduce mode). */
const LAST_UPDATE_EPOCH = 149;

export class ConfusionStatistics {
  /** counts[a * classes + b]: how often a and b were confused, from a's point of view. */
  readonly counts: Float64Array;

  constructor(readonly classes: number, readonly mode: QuestionerMode = 'reproduce') {
    if (!Number.isInteger(classes) || classes < 1) throw new Error(`number of classes must be a positive integer, got ${classes}`);
    this.counts = new Float64Array(classes * classes);
  }

  /**
   * Statistics equivalent to a whole confusion matrix `matrix[true][pred]` (e.g. `skagent test`'s
   * metrics): count(a, b) = matrix[a][b] + matrix[b][a] for a ≠ b. Batch composition is unknown
   * here, so this is the corrected counting whatever `mode` says; `mode` still chooses the list rule.
   */
  static fromConfusionMatrix(matrix: readonly (readonly number[])[], mode: QuestionerMode = 'reproduce', where = 'confusion matrix'): ConfusionStatistics {
    const n = matrix.length;
    matrix.forEach((row, a) => {
      if (row.length !== n) throw new Error(`${where}: row ${a} has ${row.length} entries, expected ${n} (a square [true][pred] matrix)`);
      row.forEach((v, b) => {
        if (!Number.isFinite(v) || v < 0) throw new Error(`${where}: entry [${a}][${b}] = ${v} is not a non-negative count`);
      });
    });
    const stats = new ConfusionStatistics(n, mode);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) if (a !== b) stats.counts[a * n + b] = matrix[a][b] + matrix[b][a];
    }
    return stats;
  }

  get(a: number, b: number): number {
    return this.counts[a * this.classes + b];
  }

  /** One training batch (its non-mixed half): true labels and predicted classes. */
  addBatch(labels: ArrayLike<number>, predictions: ArrayLike<number>): void {
    if (labels.length !== predictions.length) {
      throw new Error(`confusion statistics: ${labels.length} labels but ${predictions.length} predictions`);
    }
    const n = this.classes;
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i];
      const p = predictions[i];
      if (!(y >= 0 && y < n && p >= 0 && p < n && Number.isInteger(y) && Number.isInteger(p))) {
        throw new Error(`confusion statistics: sample ${i} has label ${y} / prediction ${p}, expected integers in 0..${n - 1}`);
      }
    }
    if (this.mode === 'corrected') {
      for (let i = 0; i < labels.length; i++) {
        if (predictions[i] !== labels[i]) {
          this.counts[labels[i] * n + predictions[i]] += 1;
          this.counts[predictions[i] * n + labels[i]] += 1;
        }
      }
      return;
    }
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i];
      if (predictions[i] !== y) this.counts[y * n + predictions[i]] += 1; // i was mistaken for pred[i]
      for (let j = 0; j < labels.length; j++) {
        if (predictions[j] === y && labels[j] !== y) this.counts[y * n + labels[j]] += 1; // j was mistaken for y[i]
      }
    }
  }

  /** Same, from logits [batch, classes] in row-major order (argmax, first maximum wins). */
  addBatchLogits(labels: ArrayLike<number>, logits: ArrayLike<number>): void {
    const n = this.classes;
    if (logits.length !== labels.length * n) {
      throw new Error(`confusion statistics: logits have ${logits.length} values, expected ${labels.length} x ${n}`);
    }
    const predictions = new Int32Array(labels.length);
    for (let i = 0; i < labels.length; i++) {
      let best = 0;
      for (let c = 1; c < n; c++) if (logits[i * n + c] > logits[i * n + best]) best = c;
      predictions[i] = best;
    }
    this.addBatch(labels, predictions);
  }

  reset(): void {
    this.counts.fill(0);
  }

  /**
   * `update_class_list` for one class: the (up to) `k` most confused classes, ascending by index.
   * Reproduce: stable sort of all classes by count, descending, first k (zero counts and the class
   * itself included). Corrected: other classes with a non-zero count only.
   */
  topConfused(a: number, k = TOP_CONFUSED): number[] {
    const n = this.classes;
    let candidates = Array.from({ length: n }, (_, b) => b);
    if (this.mode === 'corrected') candidates = candidates.filter((b) => b !== a && this.get(a, b) > 0);
    // Array.prototype.sort is stable, like Python's sorted.
    return candidates.sort((x, y) => this.get(a, y) - this.get(a, x)).slice(0, k).sort((x, y) => x - y);
  }

  /** The lists of every class. */
  classLists(k = TOP_CONFUSED): number[][] {
    return Array.from({ length: this.classes }, (_, a) => this.topConfused(a, k));
  }
}

/** What closing an epoch decided. */
export interface EpochClose {
  /** The epoch whose statistics were closed. */
  readonly epoch: number;
  /** Whether the descriptions are to be refined now. */
  readonly update: boolean;
  /** The per-class lists (computed before the statistics were reset). */
  readonly classLists: number[][];
}

/**
 * `check_state` (skeletonagent/models/heads/base.py). Training steps mark the epoch dirty; in
 * reproduce mode the first validation batch afterwards closes it, counting epochs itself (so an
 * epoch trained without validation merges into the next, and a resumed run restarts at 1); an
 * update is due when the epoch is a multiple of `interval` and (reproduce) at most 149. In
 * corrected mode the trainer closes epochs by number.
 */
export class QuestionerClock {
  private dirty = false;
  private epochCounter = 1;

  constructor(readonly stats: ConfusionStatistics, readonly interval: number) {
    if (!Number.isInteger(interval) || interval < 1) throw new Error(`Questioner interval must be a positive integer of epochs, got ${interval}`);
  }

  get mode(): QuestionerMode {
    return this.stats.mode;
  }

  /** A training step ran (statistics are added separately). */
  markTrainingStep(): void {
    this.dirty = true;
  }

  /** The original's hook, called on every validation/test batch. Null unless an epoch closes. */
  onValidationBatch(): EpochClose | null {
    if (!this.dirty) return null;
    return this.close(this.epochCounter++);
  }

  /** Closes `epoch` (1-based) explicitly; the trainer's epoch number replaces the internal counter. */
  closeEpoch(epoch: number): EpochClose {
    this.epochCounter = epoch + 1;
    return this.close(epoch);
  }

  private close(epoch: number): EpochClose {
    const inWindow = this.mode === 'corrected' || epoch <= LAST_UPDATE_EPOCH;
    const update = this.dirty && inWindow && epoch >= 1 && epoch % this.interval === 0;
    const classLists = this.stats.classLists();
    this.dirty = false;
    this.stats.reset();
    return { epoch, update, classLists };
  }
}
