/**
 * Text encoders for the global semantics-alignment loss (skeletonagent/models/heads/base.py): each
 * training step asks for the embeddings of the current description of every sample's class, `t =
 * [N, dim]`, which the loss aligns with the skeleton features x2. Implementations:
 *
 * | kind          | class (module)                        | trained | follows description updates |
 * |---------------|---------------------------------------|---------|-----------------------------|
 * | `clip`        | TrainableClipEncoder (encoder-clip)   | yes     | yes, re-encoded every step  |
 * | `clip-frozen` | FrozenClipEncoder (encoder-clip)      | no      | yes, cached per description |
 * | `builtin`     | BuiltinTextEncoder (encoder-builtin)  | option  | yes                         |
 * | `file`        | FileTextEncoder (encoder-file)        | no      | no (fixed rows)             |
 *
 * `createTextEncoder` (encoder-factory) builds one from a spec.
 */
import { type Tensor, type nn, tensor } from '../torch/index.js';

/** The backbone's module that holds text encoders by text key (`model_text_dict` in the original). */
export const TEXT_ENCODERS_MODULE = 'model_text_dict';
/** State-dict prefix of every text-encoder key in a recognizer checkpoint. */
export const TEXT_ENCODER_PREFIX = `backbone.${TEXT_ENCODERS_MODULE}.`;

export interface TextEncoder {
  /** Human-readable description, for logs. */
  readonly name: string;
  /** Whether `parameters()` is non-empty (the encoder learns with the model, as the original's CLIP). */
  readonly trainable: boolean;
  /** Embedding width (the backbone's alignment width: 512 for CLIP ViT-B/32). */
  readonly dim: number;
  /** False when descriptions do not influence the embeddings (fixed rows from a file). */
  readonly followsDescriptions: boolean;
  /**
   * The module to install in the backbone (`backbone.setTextEncoder(module)`) so that its
   * parameters are saved, loaded and trained with the model, under the original's key layout
   * for CLIP (`model_text_dict.ViT-B/32.model.*`); null when there is nothing to save.
   * Its parameters are exactly `parameters()`: give them to the optimiser once.
   */
  readonly module: nn.Module | null;
  /**
   * Embeddings [N, dim] (float32), row i for class classIndices[i]; descriptions[c] is the
   * current description of class c (all classes). Differentiable with respect to `parameters()`
   * when the encoder is trainable; never requires grad otherwise. `indices`, when the caller has
   * it, is classIndices as an int64 tensor on the encoder's device (used instead of a new one).
   */
  embed(classIndices: readonly number[] | Int32Array, descriptions: readonly string[], indices?: Tensor): Tensor;
  /** The trainable tensors (empty unless `trainable`). */
  parameters(): Tensor[];
  /**
   * Brings caches up to date with every class's description now (otherwise done lazily by
   * `embed`), e.g. at the start of training or after the Questioner rewrote descriptions.
   */
  refresh?(descriptions: readonly string[]): void;
  /** Frees the encoder's tensors. */
  dispose(): void;
}

/**
 * The distinct classes of a batch in first-seen order, and for each sample the row of its class
 * among them, so that every description is encoded once per step.
 */
export function distinctClasses(classIndices: readonly number[] | Int32Array, numClasses: number): { classes: number[]; rowOf: Int32Array } {
  const classes: number[] = [];
  const seen = new Map<number, number>();
  const rowOf = new Int32Array(classIndices.length);
  classIndices.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new RangeError(`text encoder: class index ${c} (sample ${i}) is outside 0..${numClasses - 1} (${numClasses} descriptions)`);
    }
    let row = seen.get(c);
    if (row === undefined) {
      row = classes.length;
      seen.set(c, row);
      classes.push(c);
    }
    rowOf[i] = row;
  });
  return { classes, rowOf };
}

/** True when rowOf is 0, 1, 2, ...: every sample has a different class, in first-seen order. */
export function isIdentity(rowOf: Int32Array): boolean {
  return rowOf.every((r, i) => r === i);
}

/** The caller's int64 index tensor of `values` when it is on `device`, else a new one. */
export function classIndexTensor(values: ArrayLike<number>, device: string, given?: Tensor): Tensor {
  return given && given.device === device && given.dtype === 'int64' && given.shape.length === 1 && given.shape[0] === values.length ? given : indexTensor(values, device);
}

/** An int64 index tensor [values.length] (class or row indices for indexSelect). */
export function indexTensor(values: ArrayLike<number>, device: string): Tensor {
  return tensor(BigInt64Array.from(Array.from(values), (v) => BigInt(v)), [values.length], { device });
}
