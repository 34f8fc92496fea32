/**
 * CLIP's text tower (`TextCLIP`; OpenAI `clip/model.py`, the original's
 * `skeletonagent/models/clip/model.py`) with the original's parameter names, so that state dicts
 * match key for key:
 *
 *   positional_embedding [ctx, W], text_projection [W, E], logit_scale [],
 *   transformer.resblocks.<r>.{attn.in_proj_weight, attn.in_proj_bias, attn.out_proj.*, ln_1.*,
 *                              mlp.c_fc.*, mlp.c_proj.*, ln_2.*},
 *   token_embedding.weight [vocab, W], ln_final.*
 *
 * (A module's own parameters come before its children in a state dict, which is why the three
 * tensors of the CLIP class itself lead.) `TextClip` is the original's `TextCLIP` wrapper: a
 * child `model`, so that keys read `model_text_dict.ViT-B/32.model.*` inside the backbone.
 */
import { Tensor, tidy, empty, full, arange, nn } from '../torch/index.js';
import { quickGelu } from '../torch/functional.js';

export interface ClipTextConfig {
  vocabSize: number;
  contextLength: number;
  /** Transformer width W. */
  width: number;
  heads: number;
  layers: number;
  /** Output (joint text/image) embedding width E. */
  embedDim: number;
}

/** The text tower of OpenAI's ViT-B/32 CLIP, the one the original loads. */
export const VIT_B_32_TEXT: Readonly<ClipTextConfig> = Object.freeze({
  vocabSize: 49408, contextLength: 77, width: 512, heads: 8, layers: 12, embedDim: 512,
});

/** CLIP's MLP: c_fc (W→4W), QuickGELU, c_proj (4W→W). */
class ClipMlp extends nn.Module {
  readonly cFc: nn.Linear;
  readonly cProj: nn.Linear;
  constructor(width: number) {
    super();
    this.cFc = this.module('c_fc', new nn.Linear(width, 4 * width));
    this.cProj = this.module('c_proj', new nn.Linear(4 * width, width));
  }
  forward(x: Tensor): Tensor {
    return tidy(() => this.cProj.forward(quickGelu(this.cFc.forward(x))));
  }
}

/** Pre-LayerNorm residual block: x + attn(ln_1(x)), then x + mlp(ln_2(x)); x is [L, N, W]. */
export class ResidualAttentionBlock extends nn.Module {
  readonly attn: nn.MultiheadAttention;
  readonly ln1: nn.LayerNorm;
  readonly mlp: ClipMlp;
  readonly ln2: nn.LayerNorm;
  constructor(width: number, heads: number) {
    super();
    this.attn = this.module('attn', new nn.MultiheadAttention(width, heads));
    this.ln1 = this.module('ln_1', new nn.LayerNorm([width]));
    this.mlp = this.module('mlp', new ClipMlp(width));
    this.ln2 = this.module('ln_2', new nn.LayerNorm([width]));
  }
  forward(x: Tensor, attnMask: Tensor): Tensor {
    return tidy(() => {
      const h = x.add(this.attn.forward(this.ln1.forward(x), attnMask));
      return h.add(this.mlp.forward(this.ln2.forward(h)));
    });
  }
}

export class ClipTransformer extends nn.Module {
  readonly resblocks: nn.ModuleList<ResidualAttentionBlock>;
  constructor(width: number, layers: number, heads: number) {
    super();
    this.resblocks = this.module('resblocks', new nn.ModuleList<ResidualAttentionBlock>());
    for (let r = 0; r < layers; r++) this.resblocks.push(new ResidualAttentionBlock(width, heads));
  }
  /** x [L, N, W] (CLIP's LND order) → [L, N, W]. */
  forward(x: Tensor, attnMask: Tensor): Tensor {
    return tidy(() => {
      let h = x;
      for (const block of this.resblocks) h = block.forward(h, attnMask);
      return h;
    });
  }
}

/** Additive causal mask [L, L]: 0 on and below the diagonal, −inf above (CLIP's build_attention_mask). */
export function causalMask(length: number, device?: string): Tensor {
  return tidy(() => full([length, length], -Infinity, { device }).triu(1));
}

/** ln(1/0.07), CLIP's initial (and here unused) logit scale. */
const CLIP_LOGIT_SCALE_INIT = Math.log(1 / 0.07);

export class ClipTextModel extends nn.Module {
  readonly config: Readonly<ClipTextConfig>;
  readonly transformer: ClipTransformer;
  readonly tokenEmbedding: nn.Embedding;
  readonly lnFinal: nn.LayerNorm;

  /** Builds the tower with CLIP's initialisation (`CLIP.initialize_parameters`, text part). */
  constructor(config: ClipTextConfig = VIT_B_32_TEXT) {
    super();
    checkConfig(config);
    this.config = Object.freeze({ ...config });
    const { width: W, layers, heads, vocabSize, contextLength, embedDim } = config;
    this.transformer = this.module('transformer', new ClipTransformer(W, layers, heads));
    this.tokenEmbedding = this.module('token_embedding', new nn.Embedding(vocabSize, W));
    this.param('positional_embedding', empty([contextLength, W]));
    this.lnFinal = this.module('ln_final', new nn.LayerNorm([W]));
    this.param('text_projection', empty([W, embedDim]));
    this.param('logit_scale', full([], CLIP_LOGIT_SCALE_INIT));

    nn.init.normal_(this.tokenEmbedding.weight, 0, 0.02);
    nn.init.normal_(this.positionalEmbedding, 0, 0.01);
    const projStd = W ** -0.5 * (2 * layers) ** -0.5;
    const attnStd = W ** -0.5;
    const fcStd = (2 * W) ** -0.5;
    for (const [name, p] of this.transformer.namedParameters()) {
      if (name.endsWith('attn.in_proj_weight')) nn.init.normal_(p, 0, attnStd);
      else if (name.endsWith('attn.out_proj.weight') || name.endsWith('mlp.c_proj.weight')) nn.init.normal_(p, 0, projStd);
      else if (name.endsWith('mlp.c_fc.weight')) nn.init.normal_(p, 0, fcStd);
    }
    nn.init.normal_(this.textProjection, 0, W ** -0.5);
  }

  get positionalEmbedding(): Tensor { return this.getParam('positional_embedding')!; }
  get textProjection(): Tensor { return this.getParam('text_projection')!; }

  /** token_embedding(tokens) + positional_embedding for the first `length` positions: [B, length, W]. */
  embedTokens(tokens: Tensor, length = this.config.contextLength): Tensor {
    return tidy(() => this.tokenEmbedding.forward(tokens.narrow(1, 0, length)).add(this.positionalEmbedding.narrow(0, 0, length)));
  }

  /**
   * CLIP's `encode_text`: tokens [B, ctx] (int32 or int64) → [B, embedDim], the final-LayerNorm
   * feature at each row's largest token id (the end-of-text token) times text_projection.
   *
   * Only positions up to the last end-of-text token of the batch are computed: under the causal
   * mask no position attends to a later one and every other layer is per-position, so the later
   * (padding) positions cannot change the result. Descriptions are 20-66 tokens long, so this
   * does a third to a half of the full 77-position work.
   */
  encodeText(tokens: Tensor): Tensor {
    const { contextLength } = this.config;
    if (tokens.ndim !== 2 || tokens.shape[1] !== contextLength) {
      throw new RangeError(`encodeText: expected tokens [B, ${contextLength}], got [${tokens.shape.join(', ')}]`);
    }
    return tidy(() => {
      const eot = tokens.argmax(-1);
      const length = Number(maxOf(eot.dataSync() as BigInt64Array)) + 1;
      const x = this.embedTokens(tokens, length).permute(1, 0, 2);
      const h = this.transformer.forward(x, causalMask(length, tokens.device)).permute(1, 0, 2);
      const features = this.lnFinal.forward(h);
      const rows = arange(tokens.shape[0], undefined, 1, { device: tokens.device });
      return features.index([rows, eot]).matmul(this.textProjection);
    });
  }
}

function maxOf(values: BigInt64Array): bigint {
  let m = 0n;
  for (const v of values) if (v > m) m = v;
  return m;
}

function checkConfig(c: ClipTextConfig): void {
  for (const key of ['vocabSize', 'contextLength', 'width', 'heads', 'layers', 'embedDim'] as const) {
    if (!Number.isInteger(c[key]) || c[key] <= 0) throw new RangeError(`CLIP text config: ${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.width % c.heads !== 0) throw new RangeError(`CLIP text config: width ${c.width} is not divisible by heads ${c.heads}`);
}

/** The original's `TextCLIP`: forward(tokens) = model.encode_text(tokens). */
export class TextClip extends nn.Module {
  readonly model: ClipTextModel;
  constructor(model: ClipTextModel) {
    super();
    this.model = this.module('model', model);
  }
  forward(tokens: Tensor): Tensor { return this.model.encodeText(tokens); }
}
