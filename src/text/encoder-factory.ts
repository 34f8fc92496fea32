/** Builds a TextEncoder from a configuration spec (see encoder.ts for the kinds). */
import { ClipTokenizer } from './tokenizer.js';
import { loadClipTextModel } from './clip-weights.js';
import { type TextEncoder } from './encoder.js';
import { TrainableClipEncoder, FrozenClipEncoder } from './encoder-clip.js';
import { BuiltinTextEncoder } from './encoder-builtin.js';
import { wordTokens } from './word-tokens.js';
import { FileTextEncoder } from './encoder-file.js';

export const TEXT_ENCODER_KINDS = ['clip', 'clip-frozen', 'builtin', 'file'] as const;
export type TextEncoderKind = (typeof TEXT_ENCODER_KINDS)[number];

/** The builtin encoder's width when the spec gives none: CLIP ViT-B/32's, which the backbone defaults to. */
const DEFAULT_BUILTIN_DIM = 512;

export interface TextEncoderSpec {
  kind: TextEncoderKind;
  /** clip, clip-frozen: CLIP text weights, a state dict file or an authors' best_*.pth checkpoint. */
  weights?: string;
  /** clip, clip-frozen: CLIP's BPE vocabulary (bpe_simple_vocab_16e6.txt.gz); builtin: optional (words are hashed without it). */
  vocab?: string;
  /** An already loaded tokenizer, used instead of reading `vocab`. */
  tokenizer?: ClipTokenizer;
  /** file: the [classes, dim] .npy embeddings. */
  file?: string;
  /** The alignment width the model expects: checked against weights and files; builtin's width (default 512). */
  dim?: number;
  /** clip kinds: attention heads when the weights do not say (default width / 64). */
  heads?: number;
  /** clip kinds: the text encoder's key inside an authors' checkpoint (default 'ViT-B/32'). */
  textKey?: string;
  /** builtin: add the trainable linear layer. */
  trainable?: boolean;
  /** builtin: seed of the random projection. */
  seed?: number;
  /** Device of the encoder's tensors (default cpu). */
  device?: string;
}

export function createTextEncoder(spec: TextEncoderSpec): TextEncoder {
  switch (spec.kind) {
    case 'clip':
    case 'clip-frozen': {
      const tokenizer = tokenizerFor(spec);
      if (!spec.weights) throw new Error(`text encoder '${spec.kind}' needs CLIP weights: a CLIP ViT-B/32 state dict (.pt/.pth) or an authors' best_top1_acc_epoch_<E>.pth checkpoint`);
      const { model } = loadClipTextModel(spec.weights, { heads: spec.heads, textKey: spec.textKey });
      try {
        checkDim(spec, model.config.embedDim, `${spec.weights} (CLIP text projection width)`);
        if (tokenizer.vocabSize !== model.config.vocabSize) {
          throw new Error(`${spec.weights}: CLIP token embedding has ${model.config.vocabSize} rows but the vocabulary ${spec.vocab ?? ''} has ${tokenizer.vocabSize} tokens`);
        }
      } catch (err) {
        model.dispose();
        throw err;
      }
      if (spec.device && spec.device !== 'cpu') model.to(spec.device);
      return spec.kind === 'clip' ? new TrainableClipEncoder(model, tokenizer) : new FrozenClipEncoder(model, tokenizer);
    }
    case 'builtin':
      // BPE tokens when CLIP's vocabulary is at hand; words otherwise (nothing to download).
      return new BuiltinTextEncoder(spec.tokenizer ?? (spec.vocab ? tokenizerFor(spec) : wordTokens), { dim: spec.dim ?? DEFAULT_BUILTIN_DIM, trainable: spec.trainable, seed: spec.seed, device: spec.device });
    case 'file': {
      if (!spec.file) throw new Error("text encoder 'file' needs the path of a [classes, dim] .npy file of embeddings");
      const encoder = new FileTextEncoder(spec.file, { device: spec.device });
      try {
        checkDim(spec, encoder.dim, `${spec.file} (embedding width)`);
      } catch (err) {
        encoder.dispose();
        throw err;
      }
      return encoder;
    }
    default:
      throw new Error(`unknown text encoder kind '${(spec as { kind: unknown }).kind}' (expected one of ${TEXT_ENCODER_KINDS.join(', ')})`);
  }
}

function tokenizerFor(spec: TextEncoderSpec): ClipTokenizer {
  if (spec.tokenizer) return spec.tokenizer;
  if (!spec.vocab) throw new Error(`text encoder '${spec.kind}' needs CLIP's BPE vocabulary file (bpe_simple_vocab_16e6.txt.gz); none was given`);
  return ClipTokenizer.fromFile(spec.vocab);
}

function checkDim(spec: TextEncoderSpec, actual: number, what: string): void {
  if (spec.dim !== undefined && spec.dim !== actual) {
    throw new Error(`${what} is ${actual}, but the model's alignment branch expects ${spec.dim}`);
  }
}
