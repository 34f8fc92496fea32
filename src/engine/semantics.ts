/**
 * The semantic side of training: class descriptions, the text encoder that embeds them for the
 * alignment loss, and (optionally) the agent loop that rewrites descriptions from the classes the
 * model confuses (skeletonagent/models/heads/{base,agent}.py). The trainer talks to this interface
 * only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Tensor, type nn, keep, randn, tidy } from '../torch/index.js';
import { loadCheckpoint, saveCheckpoint } from '../torch/checkpoint.js';
import { type TextEncoder, classIndexTensor } from '../text/encoder.js';
import type { AgentLoop, AgentUpdate } from '../agent/loop.js';
import type { RunLogger } from './logger.js';

export interface Semantics {
  describe(): string;
  /** The trainable text encoder's module, to install in the backbone (which the optimiser then trains), or null. */
  readonly textModule: nn.Module | null;
  /** Text embeddings [N, D] of the current descriptions of the given classes (`indices`: the same labels as an int64 tensor on the device, when at hand). */
  embed(labels: Int32Array, indices?: Tensor): Tensor;
  /** A training step's un-mixed labels and classifier logits (the Questioner's statistics). */
  observe(labels: Int32Array, logits: Tensor): void;
  /**
   * After training epoch `epoch` (1-based), validation or not: the corrected agent's timing
   * (refresh when due). Returns what changed (for the logs), or null.
   */
  onEpochEnd(epoch: number, logger: RunLogger): Promise<Record<string, unknown> | null>;
  /**
   * On every validation batch: the original's timing (`--agent reproduce`, `check_state` in
   * skeletonagent/models/heads/base.py): the first validation batch after training closes the
   * Questioner's epoch and refreshes when due, so without validation the descriptions never change.
   * Returns what changed, or null.
   */
  onValidationBatch(logger: RunLogger): Promise<Record<string, unknown> | null>;
  /**
   * The Questioner's confusion counts gathered on this rank since they were last shared (live; a
   * multi-process run sums them into rank 0's), or null without an agent asking an LLM.
   */
  readonly questionerCounts: Float64Array | null;
  /** Takes rank 0's descriptions (a multi-process run's other ranks); the encoder re-embeds changed ones. */
  adoptDescriptions(descriptions: readonly string[]): void;
  /** Persists trainable text-encoder weights for resume (descriptions are saved by the agent). */
  save(workDir: string): void;
  restore(workDir: string): void;
  readonly descriptions: readonly string[];
  dispose(): void;
}

const ENCODER_STATE = 'text_encoder_latest.pth';

export class TextSemantics implements Semantics {
  private current: readonly string[];

  constructor(private readonly encoder: TextEncoder, descriptions: readonly string[], private readonly agent: AgentLoop | null = null) {
    this.current = agent ? agent.descriptions : descriptions;
    encoder.refresh?.(this.current);
  }

  get descriptions(): readonly string[] { return this.current; }

  describe(): string {
    return `${this.encoder.name}${this.encoder.trainable ? ' (trained)' : ' (fixed)'}${this.agent ? `, agent loop (${this.agent.mode} timing)` : ', fixed descriptions'}`;
  }

  get textModule(): nn.Module | null { return this.encoder.trainable ? this.encoder.module : null; }

  embed(labels: Int32Array, indices?: Tensor): Tensor { return this.encoder.embed(labels, this.current, indices); }

  observe(labels: Int32Array, logits: Tensor): void {
    if (this.agent) this.agent.observeTrainingBatch(labels, logits.toFloat32Array());
  }

  get questionerCounts(): Float64Array | null { return this.agent?.confusionCounts ?? null; }

  adoptDescriptions(descriptions: readonly string[]): void {
    if (descriptions.length !== this.current.length) throw new Error(`rank 0 sent ${descriptions.length} descriptions, this rank has ${this.current.length} classes`);
    if (descriptions.every((d, c) => d === this.current[c])) return;
    this.current = [...descriptions];
    this.encoder.refresh?.(this.current);
  }

  async onEpochEnd(epoch: number, logger: RunLogger): Promise<Record<string, unknown> | null> {
    return this.apply(this.agent ? await this.agent.onEpochEnd(epoch) : null, logger);
  }

  async onValidationBatch(logger: RunLogger): Promise<Record<string, unknown> | null> {
    return this.apply(this.agent ? await this.agent.onValidationBatch() : null, logger);
  }

  /** Takes an agent update's descriptions (the encoder re-embeds them) and logs it. */
  private apply(update: AgentUpdate | null, logger: RunLogger): Record<string, unknown> | null {
    if (!update) return null;
    this.current = update.descriptions;
    this.encoder.refresh?.(this.current);
    for (const c of update.updatedClasses) logger.info(`[agent] class ${c}: new description: ${this.current[c]}`);
    for (const f of update.failedClasses) logger.info(`[agent] class ${f.classIndex}: kept the previous description (${f.reason})`);
    // The confusion lists and new descriptions make the agent's history readable later (skagent view).
    return {
      agent_epoch: update.epoch, updated_classes: update.updatedClasses, failed_classes: update.failedClasses.map((f) => f.classIndex),
      confused: update.classLists, descriptions: Object.fromEntries(update.updatedClasses.map((c) => [c, this.current[c]])),
    };
  }

  dispose(): void { this.encoder.dispose(); }

  save(workDir: string): void {
    const m = this.encoder.module;
    if (m && this.encoder.trainable) saveCheckpoint(join(workDir, ENCODER_STATE), { stateDict: m.stateDict() });
  }

  restore(workDir: string): void {
    const m = this.encoder.module;
    const path = join(workDir, ENCODER_STATE);
    if (!m || !this.encoder.trainable || !existsSync(path)) return;
    const ck = loadCheckpoint(path);
    try { m.loadStateDict(ck.stateDict, { where: path }); } finally { for (const t of ck.stateDict.values()) t.dispose(); }
  }
}

/**
 * A fixed random [classes, dim] table as the text side: what the original's cached text
 * embeddings cost per step (a row lookup), for benchmarks. No agent, nothing to save.
 */
export function randomTextTable(numClasses: number, dim = 512, device = 'cpu'): Semantics {
  const table = keep(randn([numClasses, dim]).to(device));
  return {
    describe: () => `fixed random table [${numClasses}, ${dim}]`,
    textModule: null,
    descriptions: [],
    embed: (labels, indices) => tidy(() => table.indexSelect(0, classIndexTensor(labels, device, indices))),
    observe: () => {},
    questionerCounts: null,
    adoptDescriptions: () => {},
    onEpochEnd: async () => null,
    onValidationBatch: async () => null,
    save: () => {},
    restore: () => {},
    dispose: () => table.dispose(),
  };
}
