/**
 * CLIP text-tower weights from `torch.save` files, in the two layouts that hold them:
 *
 * | layout                 | where the text keys are                                            |
 * |------------------------|--------------------------------------------------------------------|
 * | `skeletonagent`        | the authors' evaluation-hook checkpoints (`best_top1_acc_*.pth`):  |
 * |                        | `state_dict` → `backbone.model_text_dict.<textKey>.model.*`        |
 * | `clip`                 | a plain CLIP state dict (OpenAI's weights saved with               |
 * |                        | `torch.save(model.state_dict())`, or `{meta, state_dict}` as the   |
 * |                        | tiny test tower): top-level `token_embedding.weight`, ...;         |
 * |                        | `visual.*` and CLIP's scalar entries are ignored                   |
 *
 * OpenAI's released `ViT-B-32.pt` is a TorchScript archive; it must be re-saved as a state dict
 * first (`torch.save(torch.jit.load(p).state_dict(), out)`), and readPth says so.
 */
import type { PthTensor } from '../io/pth.js';
import { isPyDict, type PyValue } from '../io/pickle/index.js';
import { Tensor, fromNdArray, noGrad } from '../torch/index.js';
import { readCheckpointFile } from '../torch/checkpoint.js';
import { ClipTextModel, type ClipTextConfig } from './clip-model.js';
import { TEXT_ENCODER_PREFIX } from './encoder.js';

export type ClipWeightsLayout = 'skeletonagent' | 'clip';

export interface ClipTextWeights {
  /** Tensors under ClipTextModel's own key names (dtype as stored: OpenAI's are float16). */
  stateDict: Map<string, Tensor>;
  /** Dimensions read from the tensor shapes (heads from the options, the file's meta, or W/64). */
  config: ClipTextConfig;
  layout: ClipWeightsLayout;
}

export interface ClipWeightsOptions {
  /** ModuleDict key of the text encoder in the authors' checkpoints. Default 'ViT-B/32'. */
  textKey?: string;
  /** Attention heads; cannot be read from shapes. Default: the file's meta, else width / 64 (CLIP's rule). */
  heads?: number;
}

/** Entries of a plain CLIP state dict that are not text-tower parameters. */
const CLIP_NON_TEXT_KEYS = new Set(['input_resolution', 'context_length', 'vocab_size']);
const CLIP_HEAD_WIDTH = 64;

/** Reads the text-tower tensors and dimensions from a checkpoint or CLIP state dict. */
export function readClipTextWeights(path: string, o: ClipWeightsOptions = {}): ClipTextWeights {
  const textKey = o.textKey ?? 'ViT-B/32';
  const file = readCheckpointFile(path);
  // A DDP wrapper's `module.` prefix is dropped, as the original's loading code does.
  const entries = new Map([...file.stateDict].map(([k, t]) => [k.startsWith('module.') ? k.slice('module.'.length) : k, t]));

  const authorsPrefix = `${TEXT_ENCODER_PREFIX}${textKey}.model.`;
  const keys = [...entries.keys()];
  let layout: ClipWeightsLayout;
  let selected: [string, PthTensor][];
  if (keys.some((k) => k.startsWith(authorsPrefix))) {
    layout = 'skeletonagent';
    selected = [...entries].filter(([k]) => k.startsWith(authorsPrefix)).map(([k, v]) => [k.slice(authorsPrefix.length), v]);
  } else if (entries.has('token_embedding.weight')) {
    layout = 'clip';
    selected = [...entries].filter(([k]) => !k.startsWith('visual.') && !CLIP_NON_TEXT_KEYS.has(k));
  } else if (keys.some((k) => k.startsWith('backbone.'))) {
    const others = [...new Set(keys.filter((k) => k.startsWith(TEXT_ENCODER_PREFIX)).map((k) => k.slice(TEXT_ENCODER_PREFIX.length).split('.')[0]))];
    throw new Error(others.length
      ? `${path}: no text encoder under '${authorsPrefix}*' (the checkpoint has model_text_dict keys ${others.map((k) => `'${k}'`).join(', ')}; set the text key)`
      : `${path}: this checkpoint has no CLIP text encoder (per-epoch epoch_<E>.pth files never do); use a best_top1_acc_epoch_<E>.pth file or a CLIP state dict`);
  } else {
    throw new Error(`${path}: no CLIP text-encoder weights found (expected 'token_embedding.weight' or '${authorsPrefix}*' keys)`);
  }

  const shapes = new Map(selected.map(([k, t]) => [k, t.array.shape]));
  const config = configFromShapes(shapes, o.heads ?? metaHeads(file.meta), path);
  const stateDict = new Map<string, Tensor>();
  for (const [k, t] of selected) stateDict.set(k, fromNdArray(t.array));
  return { stateDict, config, layout };
}

/** A ClipTextModel built to the file's dimensions with its weights loaded (strictly). */
export function loadClipTextModel(path: string, o: ClipWeightsOptions = {}): { model: ClipTextModel; layout: ClipWeightsLayout } {
  const weights = readClipTextWeights(path, o);
  try {
    const model = new ClipTextModel(weights.config);
    model.loadStateDict(weights.stateDict, { where: `${path} (CLIP text encoder, ${weights.layout} layout)` });
    return { model, layout: weights.layout };
  } finally {
    noGrad(() => { for (const t of weights.stateDict.values()) t.dispose(); });
  }
}

function metaHeads(meta: PyValue): number | undefined {
  if (!isPyDict(meta) || !isPyDict(meta.hyper_parameters)) return undefined;
  const h = meta.hyper_parameters.transformer_heads;
  return typeof h === 'number' ? h : undefined;
}

/** CLIP's `build_model` rules, text part. */
function configFromShapes(shapes: ReadonlyMap<string, readonly number[]>, heads: number | undefined, path: string): ClipTextConfig {
  const shape = (key: string, rank: number): readonly number[] => {
    const s = shapes.get(key);
    if (!s) throw new Error(`${path}: CLIP text encoder key '${key}' is missing`);
    if (s.length !== rank) throw new Error(`${path}: '${key}' should have ${rank} dims, has [${s.join(', ')}]`);
    return s;
  };
  const [vocabSize, width] = shape('token_embedding.weight', 2);
  const [contextLength] = shape('positional_embedding', 2);
  const [, embedDim] = shape('text_projection', 2);
  const layers = new Set([...shapes.keys()].map((k) => /^transformer\.resblocks\.(\d+)\./.exec(k)?.[1]).filter((r) => r !== undefined)).size;
  if (heads === undefined) {
    if (width % CLIP_HEAD_WIDTH !== 0) throw new Error(`${path}: cannot infer the attention heads of width ${width}; give them explicitly`);
    heads = width / CLIP_HEAD_WIDTH;
  }
  return { vocabSize, contextLength, width, heads, layers, embedDim };
}
