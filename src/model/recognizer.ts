/**
 * RecognizerGCN (skeletonagent/models/recognizers/recognizergcn.py): backbone + head, under the
 * original's state-dict prefixes (`backbone.`, `cls_head.`), with the checkpoint rules of MMCV
 * 1.5's runner (docs/original.md).
 */
import { Tensor, tidy, noGrad, nn } from '../torch/index.js';
import { Backbone, type BackboneOptions, type BackboneOutput } from './backbone.js';
import { SimpleHead } from './head.js';
import { TEXT_ENCODER_PREFIX } from '../text/encoder.js';

export type ClipAveraging = 'prob' | 'score' | null;

export class Recognizer extends nn.Module {
  readonly backbone: Backbone;
  readonly head: SimpleHead;
  constructor(o: BackboneOptions) {
    super();
    this.backbone = this.module('backbone', new Backbone(o));
    this.head = this.module('cls_head', new SimpleHead(o.numClasses, this.backbone.outChannels));
  }

  get numClasses(): number { return this.head.numClasses; }

  /** Backbone + head on x [N, M, T, V, C]: logits [N, Cls] plus the auxiliary outputs. */
  forward(x: Tensor): BackboneOutput & { logits: Tensor } {
    return tidy(() => {
      const out = this.backbone.forward(x);
      return { ...out, logits: this.head.forward(out.features) };
    });
  }

  /**
   * Inference on keypoint [B, clips, M, T, V, C]: per-clip logits averaged as the original's
   * `average_clips` ('prob': softmax then mean over clips). Returns [B, Cls].
   */
  predict(keypoint: Tensor, averaging: ClipAveraging = 'prob'): Tensor {
    return noGrad(() => tidy(() => {
      const [B, nc, ...rest] = keypoint.shape;
      const logits = this.head.forward(this.backbone.forward(keypoint.reshape(B * nc, ...rest)).features).view(B, nc, -1);
      if (averaging === 'prob') return logits.softmax(2).mean(1);
      if (averaging === 'score') return logits.mean(1);
      return logits;
    }));
  }

  /**
   * Loads an original checkpoint's state dict: strips a DDP `module.` prefix, ignores the CLIP
   * text-encoder keys when this model has no text encoder (per-epoch checkpoints never have
   * them), and requires every other key with matching shapes.
   */
  loadCheckpointState(sd: ReadonlyMap<string, Tensor>, where = 'checkpoint'): nn.LoadResult {
    const hasText = [...this.stateDict().keys()].some((k) => k.startsWith(TEXT_ENCODER_PREFIX));
    const filtered = new Map<string, Tensor>();
    for (const [k, t] of sd) {
      const key = k.startsWith('module.') ? k.slice('module.'.length) : k;
      if (!hasText && key.startsWith(TEXT_ENCODER_PREFIX)) continue;
      filtered.set(key, t);
    }
    const sdHasText = [...filtered.keys()].some((k) => k.startsWith(TEXT_ENCODER_PREFIX));
    if (hasText && !sdHasText) {
      // A per-epoch checkpoint for a model with a text encoder: load everything else strictly.
      const own = [...this.stateDict().keys()].filter((k) => !k.startsWith(TEXT_ENCODER_PREFIX));
      const result = this.loadStateDict(filtered, { strict: false, where });
      const missing = result.missing.filter((k) => own.includes(k));
      if (missing.length + result.unexpected.length + result.mismatched.length > 0) {
        throw new nn.StateDictError({ ...result, missing }, where);
      }
      return result;
    }
    return this.loadStateDict(filtered, { strict: true, where });
  }
}
