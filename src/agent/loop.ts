/**
 * The agent as the training loop sees it (skeletonagent/models/heads/{base,agent}.py): descriptions
 * and their CLIP token ids for the alignment loss, the critical-joint tensor for the constraint
 * branch, and three hooks:
 *
 *   observeTrainingBatch(labels, logits)   every training step, non-mixed half of the batch
 *   onValidationBatch()                    every validation batch   (reproduce timing)
 *   onEpochEnd(epoch)                      after each training epoch (corrected timing)
 *
 * The two epoch hooks are alternatives chosen by `mode`; the other one is a no-op returning null.
 * Call them on rank 0 only: a multi-process run gives rank 0 every rank's statistics and the other
 * ranks rank 0's descriptions (engine/trainer.ts; the original's other ranks kept their own). Descriptions are read and
 * tokenised once at start and after each update instead of at every iteration (same values: the
 * files change only through this class).
 */
import { join } from 'node:path';
import { type NdArray, ndarray } from '../io/ndarray.js';
import { type ClipTokenizer, TextTooLongError } from '../text/tokenizer.js';
import type { AgentLayout } from './layouts.js';
import type { LlmClient } from './llm.js';
import { ConfusionStatistics, QuestionerClock, type EpochClose, type QuestionerMode } from './questioner.js';
import { type RefineFailure, refineDescriptions } from './refine.js';
import { type SelectorModality, selectorModalityOf, writeCriticalJointFiles } from './selector.js';
import { ConversationStore } from './store.js';

export interface AgentLoopOptions {
  /** Dataset code, e.g. 'nturgbd_60': names the run's text directory and the tensor files. */
  readonly dataset: string;
  readonly layout: AgentLayout;
  /** Label-map order. */
  readonly classNames: readonly string[];
  /** The conversation files the run starts from (shipped or `skagent agent init`); never modified. */
  readonly conversationsDir: string;
  /** The run's work dir: updated conversations go to `<workDir>/<dataset>/`, tensors to `<workDir>/cls_matrix/`. */
  readonly workDir: string;
  readonly tokenizer: ClipTokenizer;
  /**
   * Null: the "semi" version (`RecognizerGCN_Semi`, docs/original.md): fixed descriptions, no
   * statistics, no LLM.
   */
  readonly llm: LlmClient | null;
  /** `interval_epoch`: refine after every `interval` epochs (5; K400 50). */
  readonly interval: number;
  /** Default 'reproduce'. */
  readonly mode?: QuestionerMode;
  /** Continue from `<workDir>/<dataset>/` if it holds every class file (the original restarts from the shipped texts). */
  readonly resume?: boolean;
  readonly log?: (line: string) => void;
}

export interface AgentUpdate {
  /** The epoch whose statistics triggered the update. */
  readonly epoch: number;
  readonly updatedClasses: number[];
  /** Classes that kept their previous description (LLM failure, refusal, bad answer). */
  readonly failedClasses: RefineFailure[];
  /** Per class, the classes it was confused with in the closed epoch (what the LLM was asked about). */
  readonly classLists: readonly (readonly number[])[];
  /** All current descriptions and their tokens [classes, 77], after the update. */
  readonly descriptions: readonly string[];
  readonly tokens: NdArray<'int32'>;
}

export class AgentLoop {
  readonly mode: QuestionerMode;
  private readonly store: ConversationStore;
  private readonly stats: ConfusionStatistics;
  private readonly clock: QuestionerClock;
  private readonly joints: Record<SelectorModality, NdArray<'float64'>>;
  private readonly log: (line: string) => void;
  private current!: { descriptions: string[]; tokens: NdArray<'int32'> };

  constructor(private readonly options: AgentLoopOptions) {
    this.mode = options.mode ?? 'reproduce';
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    const classes = options.classNames.length;
    this.store = new ConversationStore(options.classNames, options.conversationsDir, join(options.workDir, options.dataset));
    if (options.resume && this.store.resumeFromRunDir()) this.log(`[agent] resuming descriptions from ${this.store.currentDir}`);
    const missing = this.store.missing();
    if (missing.length > 0) {
      throw new Error(`${missing.length} conversation file(s) missing, e.g. ${missing[0]} (one file per class of the label map is required)`);
    }
    this.stats = new ConfusionStatistics(classes, this.mode);
    this.clock = new QuestionerClock(this.stats, options.interval);
    this.joints = this.buildJoints();
    this.reloadDescriptions();
  }

  get descriptions(): readonly string[] {
    return this.current.descriptions;
  }

  /** Token ids of every class's description, int32 [classes, 77]. */
  get tokens(): NdArray<'int32'> {
    return this.current.tokens;
  }

  /**
   * The Questioner's confusion counts (live, [classes × classes]); null when no LLM is asked. A
   * multi-process run sums every rank's into rank 0's after each epoch and zeroes the others'.
   */
  get confusionCounts(): Float64Array | null {
    return this.options.llm ? this.stats.counts : null;
  }

  /** Where descriptions are read from now (the source until the first update, then the run's copy). */
  get textDir(): string {
    return this.store.currentDir;
  }

  /** `get_text(label)`: the token rows of a batch's labels, int32 [N, 77]. */
  tokensFor(labels: ArrayLike<number>): NdArray<'int32'> {
    const { data, shape } = this.current.tokens;
    const [classes, width] = shape;
    const out = new Int32Array(labels.length * width);
    for (let i = 0; i < labels.length; i++) {
      const c = labels[i];
      if (!(Number.isInteger(c) && c >= 0 && c < classes)) throw new Error(`label ${c} of sample ${i} is outside 0..${classes - 1}`);
      out.set(data.subarray(c * width, (c + 1) * width), i * width);
    }
    return ndarray('int32', [labels.length, width], out);
  }

  /** The critical-joint tensor float64 [classes, V, V] for a modality (j, b, k, jm, bm, km). */
  criticalJoints(modality: string): NdArray<'float64'> {
    return this.joints[selectorModalityOf(modality)];
  }

  /** A training step's non-mixed half: labels [N] and classifier logits [N, classes] (row-major). */
  observeTrainingBatch(labels: ArrayLike<number>, logits: ArrayLike<number>): void {
    if (!this.options.llm) return;
    this.stats.addBatchLogits(labels, logits);
    this.clock.markTrainingStep();
  }

  /** Reproduce timing: call on every validation batch; the first one after training closes the epoch. */
  async onValidationBatch(): Promise<AgentUpdate | null> {
    if (!this.options.llm || this.mode !== 'reproduce') return null;
    const closed = this.clock.onValidationBatch();
    return closed ? this.afterClose(closed) : null;
  }

  /** Corrected timing: call once after training epoch `epoch` (1-based). */
  async onEpochEnd(epoch: number): Promise<AgentUpdate | null> {
    if (!this.options.llm || this.mode !== 'corrected') return null;
    return this.afterClose(this.clock.closeEpoch(epoch));
  }

  private async afterClose(closed: EpochClose): Promise<AgentUpdate | null> {
    const llm = this.options.llm;
    if (!closed.update || !llm) return null;
    this.log(`[agent] epoch ${closed.epoch}: asking ${llm.model} for new descriptions of ${this.options.classNames.length} classes`);
    const tokenizer = this.options.tokenizer;
    const result = await refineDescriptions({
      store: this.store, classLists: closed.classLists, llm, log: this.log,
      fitsContext: (text) => tokenizer.fits(text),
    });
    this.reloadDescriptions();
    this.log(`[agent] epoch ${closed.epoch}: ${result.updated.length} descriptions updated, ${result.failed.length} kept after failures, ${result.skipped.length} not asked`);
    return {
      epoch: closed.epoch, updatedClasses: result.updated, failedClasses: result.failed, classLists: closed.classLists,
      descriptions: this.current.descriptions, tokens: this.current.tokens,
    };
  }

  private reloadDescriptions(): void {
    const descriptions = this.store.descriptions('error').map((d) => d.text);
    let tokens: NdArray<'int32'>;
    try {
      tokens = this.options.tokenizer.tokenize(descriptions);
    } catch (err) {
      if (!(err instanceof TextTooLongError)) throw err;
      const c = descriptions.indexOf(err.text);
      throw new Error(`${this.store.path(c)}: the final description is ${err.tokenCount} CLIP tokens, more than ${err.contextLength}`);
    }
    this.current = { descriptions, tokens };
  }

  /** The Selector on the starting files, written next to the run as the original's .npy files. */
  private buildJoints(): Record<SelectorModality, NdArray<'float64'>> {
    const texts = this.options.classNames.map((_, c) => this.store.read(c));
    return writeCriticalJointFiles(join(this.options.workDir, 'cls_matrix'), this.options.dataset, this.options.layout, texts);
  }
}
