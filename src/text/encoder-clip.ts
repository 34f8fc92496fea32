/**
 * CLIP text encoders for the alignment loss: trained with the model as the original does
 * (skeletonagent/models/heads/base.py), or frozen with the embeddings cached per class description.
 */
import { Tensor, tensor, tidy, noGrad, keep, zeros } from '../torch/index.js';
import { ClipTextModel, TextClip } from './clip-model.js';
import { ClipTokenizer, TextTooLongError } from './tokenizer.js';
import { type TextEncoder, distinctClasses, classIndexTensor, indexTensor, isIdentity } from './encoder.js';

/** Token rows of the classes' descriptions, re-tokenised only when a description changes. */
class DescriptionTokens {
  private readonly byClass = new Map<number, { text: string; row: Int32Array }>();
  constructor(private readonly tokenizer: ClipTokenizer, readonly contextLength: number) {}

  /** int32 [classes.length, contextLength], row k for class classes[k]. */
  rows(classes: readonly number[], descriptions: readonly string[]): Tensor {
    const out = new Int32Array(classes.length * this.contextLength);
    classes.forEach((c, k) => out.set(this.row(c, descriptions[c]), k * this.contextLength));
    return tensor(out, [classes.length, this.contextLength]);
  }

  private row(c: number, text: string): Int32Array {
    const cached = this.byClass.get(c);
    if (cached && cached.text === text) return cached.row;
    let row: Int32Array;
    try {
      row = this.tokenizer.tokenize(text, { contextLength: this.contextLength }).data;
    } catch (err) {
      if (err instanceof TextTooLongError) {
        throw new Error(`description of class ${c} has ${err.tokenCount} tokens, more than CLIP's ${this.contextLength} (the original fails too): '${text}'`);
      }
      throw err;
    }
    this.byClass.set(c, { text, row });
    return row;
  }
}

/**
 * The original's text encoder: the descriptions of the batch's classes are tokenised and run
 * through CLIP with gradients every step, and CLIP is trained with the model. Each distinct
 * class is encoded once and its row repeated for the samples that share it, which gives the
 * same values and gradients as encoding every sample's copy (CLIP has no dropout or batch
 * statistics).
 */
export class TrainableClipEncoder implements TextEncoder {
  readonly trainable = true;
  readonly followsDescriptions = true;
  readonly dim: number;
  readonly module: TextClip;
  private readonly tokens: DescriptionTokens;

  constructor(readonly model: ClipTextModel, tokenizer: ClipTokenizer, readonly name = 'CLIP text encoder (trained)') {
    this.dim = model.config.embedDim;
    this.module = new TextClip(model);
    this.tokens = new DescriptionTokens(tokenizer, model.config.contextLength);
  }

  embed(classIndices: readonly number[] | Int32Array, descriptions: readonly string[]): Tensor {
    const { classes, rowOf } = distinctClasses(classIndices, descriptions.length);
    return tidy(() => {
      const device = this.model.positionalEmbedding.device;
      const embeddings = this.model.encodeText(this.tokens.rows(classes, descriptions).to(device));
      return isIdentity(rowOf) ? embeddings : embeddings.indexSelect(0, indexTensor(rowOf, device));
    });
  }

  parameters(): Tensor[] { return this.model.parameters(); }
  dispose(): void { this.model.dispose(); }
}

/**
 * CLIP without training: each class's description is encoded once (no gradients) and the
 * [classes, dim] table is looked up every step; a class is re-encoded when its description
 * changes. The model's parameters are switched to requires_grad = false.
 */
export class FrozenClipEncoder implements TextEncoder {
  readonly trainable = false;
  readonly followsDescriptions = true;
  readonly module = null;
  readonly dim: number;
  private readonly tokens: DescriptionTokens;
  /** [classes, dim]; row c encodes encodedText[c]. */
  private table: Tensor | null = null;
  private encodedText: (string | undefined)[] = [];

  /** @param chunkSize descriptions encoded per forward pass when many change at once. */
  constructor(readonly model: ClipTextModel, tokenizer: ClipTokenizer, readonly name = 'CLIP text encoder (frozen, cached)', private readonly chunkSize = 64) {
    this.dim = model.config.embedDim;
    this.tokens = new DescriptionTokens(tokenizer, model.config.contextLength);
    model.eval();
    for (const p of model.parameters()) p.requiresGrad = false;
  }

  embed(classIndices: readonly number[] | Int32Array, descriptions: readonly string[], indices?: Tensor): Tensor {
    const { classes } = distinctClasses(classIndices, descriptions.length);
    const table = this.update(classes, descriptions);
    return tidy(() => table.indexSelect(0, classIndexTensor(classIndices, table.device, indices)));
  }

  refresh(descriptions: readonly string[]): void {
    this.update(descriptions.map((_, c) => c), descriptions);
  }

  /** Re-encodes the given classes whose description differs from the cached one. */
  private update(classes: readonly number[], descriptions: readonly string[]): Tensor {
    const device = this.model.positionalEmbedding.device;
    if (!this.table || this.table.shape[0] !== descriptions.length) {
      this.table?.dispose();
      this.table = keep(zeros([descriptions.length, this.dim], { device }));
      this.encodedText = [];
    }
    const table = this.table;
    const stale = classes.filter((c) => this.encodedText[c] !== descriptions[c]);
    for (let start = 0; start < stale.length; start += this.chunkSize) {
      const chunk = stale.slice(start, start + this.chunkSize);
      noGrad(() => tidy(() => {
        table.indexPut_([indexTensor(chunk, device)], this.model.encodeText(this.tokens.rows(chunk, descriptions).to(device)));
      }));
      for (const c of chunk) this.encodedText[c] = descriptions[c];
    }
    return table;
  }

  parameters(): Tensor[] { return []; }
  dispose(): void {
    this.table?.dispose();
    this.table = null;
    this.model.dispose();
  }
}
