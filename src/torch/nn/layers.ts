/** The standard layers, with PyTorch's parameter names, shapes and default initialisation. */
import { Module } from './module.js';
import { Tensor } from '../tensor.js';
import { empty, zeros, ones, tensor } from '../creation.js';
import { noGrad } from '../autograd.js';
import * as F from '../functional.js';
import { defaultBiasInit_, defaultWeightInit_, normal_, xavierUniform_, constant_ } from './init.js';

type Pair = number | readonly [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

export interface Conv2dOptions { stride?: Pair; padding?: Pair; dilation?: Pair; groups?: number; bias?: boolean }

export class Conv2d extends Module {
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  constructor(readonly inChannels: number, readonly outChannels: number, kernel: Pair, o: Conv2dOptions = {}) {
    super();
    const [kh, kw] = pair(kernel);
    this.stride = pair(o.stride ?? 1);
    this.padding = pair(o.padding ?? 0);
    this.dilation = pair(o.dilation ?? 1);
    this.groups = o.groups ?? 1;
    const wShape = [outChannels, inChannels / this.groups, kh, kw];
    this.param('weight', defaultWeightInit_(empty(wShape)));
    this.registerParameter('bias', (o.bias ?? true) ? defaultBiasInit_(empty([outChannels]), wShape) : null);
  }
  get weight(): Tensor { return this.getParam('weight')!; }
  get bias(): Tensor | null { return this.getParam('bias'); }
  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export class Linear extends Module {
  constructor(readonly inFeatures: number, readonly outFeatures: number, o: { bias?: boolean } = {}) {
    super();
    const wShape = [outFeatures, inFeatures];
    this.param('weight', defaultWeightInit_(empty(wShape)));
    this.registerParameter('bias', (o.bias ?? true) ? defaultBiasInit_(empty([outFeatures]), wShape) : null);
  }
  get weight(): Tensor { return this.getParam('weight')!; }
  get bias(): Tensor | null { return this.getParam('bias'); }
  forward(x: Tensor): Tensor { return F.linear(x, this.weight, this.bias); }
}

/**
 * Batch normalisation over dim 1 (BatchNorm1d for [N, C] / [N, C, L], BatchNorm2d for
 * [N, C, H, W]). Training mode uses batch statistics and updates the running ones in place
 * (momentum 0.1, unbiased variance) and counts `num_batches_tracked`.
 */
class BatchNormBase extends Module {
  constructor(readonly numFeatures: number, readonly eps = 1e-5, readonly momentum = 0.1, private readonly expectedRanks: readonly number[]) {
    super();
    this.param('weight', ones([numFeatures]));
    this.param('bias', zeros([numFeatures]));
    this.buffer('running_mean', zeros([numFeatures]));
    this.buffer('running_var', ones([numFeatures]));
    this.buffer('num_batches_tracked', tensor(new BigInt64Array(1), [], { dtype: 'int64' }));
  }
  get weight(): Tensor { return this.getParam('weight')!; }
  get bias(): Tensor { return this.getParam('bias')!; }
  get runningMean(): Tensor { return this.getBuffer('running_mean')!; }
  get runningVar(): Tensor { return this.getBuffer('running_var')!; }
  forward(x: Tensor): Tensor {
    if (!this.expectedRanks.includes(x.ndim)) {
      throw new RangeError(`${this.constructor.name}(${this.numFeatures}): expected a ${this.expectedRanks.join('-D or ')}-D input, got [${x.shape.join(', ')}]`);
    }
    if (this.training) noGrad(() => this.getBuffer('num_batches_tracked')!.add_(1));
    return F.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, this.training, this.momentum, this.eps);
  }
}

export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, eps = 1e-5, momentum = 0.1) { super(numFeatures, eps, momentum, [2, 3]); }
}

export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, eps = 1e-5, momentum = 0.1) { super(numFeatures, eps, momentum, [4]); }
}

export class LayerNorm extends Module {
  constructor(readonly normalizedShape: readonly number[], readonly eps = 1e-5) {
    super();
    this.param('weight', ones(normalizedShape));
    this.param('bias', zeros(normalizedShape));
  }
  forward(x: Tensor): Tensor { return F.layerNorm(x, this.normalizedShape, this.getParam('weight'), this.getParam('bias'), this.eps); }
}

export class Embedding extends Module {
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number) {
    super();
    this.param('weight', normal_(empty([numEmbeddings, embeddingDim])));
  }
  get weight(): Tensor { return this.getParam('weight')!; }
  forward(indices: Tensor): Tensor { return F.embedding(this.weight, indices); }
}

export class ReLU extends Module { forward(x: Tensor): Tensor { return x.relu(); } }

export class MaxPool2d extends Module {
  constructor(readonly kernel: Pair, readonly o: { stride?: Pair; padding?: Pair; dilation?: Pair; ceilMode?: boolean } = {}) { super(); }
  forward(x: Tensor): Tensor { return F.maxPool2d(x, this.kernel, this.o); }
}

/**
 * torch.nn.MultiheadAttention (batch_first=False: [L, N, E]), packed in_proj as PyTorch stores
 * it: in_proj_weight [3E, E], in_proj_bias [3E], out_proj (Linear E→E).
 */
export class MultiheadAttention extends Module {
  readonly headDim: number;
  readonly outProj: Linear;
  constructor(readonly embedDim: number, readonly numHeads: number) {
    super();
    if (embedDim % numHeads !== 0) throw new RangeError(`MultiheadAttention: embed_dim ${embedDim} is not divisible by num_heads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.param('in_proj_weight', xavierUniform_(empty([3 * embedDim, embedDim])));
    this.param('in_proj_bias', constant_(empty([3 * embedDim]), 0));
    this.outProj = this.module('out_proj', new Linear(embedDim, embedDim));
    constant_(this.outProj.bias!, 0);
  }

  /** Self-attention on x [L, N, E] with an additive mask [L, L] (e.g. causal −inf above the diagonal). */
  forward(x: Tensor, attnMask: Tensor | null = null): Tensor {
    const [L, N, E] = x.shape;
    const H = this.numHeads;
    const qkv = F.linear(x, this.getParam('in_proj_weight')!, this.getParam('in_proj_bias'));
    const [q, k, v] = qkv.chunk(3, -1);
    qkv.dispose();
    // [L, N, E] → [N·H, L, d]
    const heads = (t: Tensor) => {
      const r = t.reshape(L, N * H, this.headDim);
      const p = r.transpose(0, 1);
      r.dispose();
      t.dispose();
      return p;
    };
    const [qh, kh, vh] = [heads(q), heads(k), heads(v)];
    const attn = F.scaledDotProductAttention(qh, kh, vh, attnMask);
    qh.dispose(); kh.dispose(); vh.dispose();
    const merged = attn.transpose(0, 1);
    attn.dispose();
    const flat = merged.reshape(L, N, E);
    merged.dispose();
    const out = this.outProj.forward(flat);
    flat.dispose();
    return out;
  }
}
