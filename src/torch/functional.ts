/** Neural-network functions (torch.nn.functional): the building blocks of nn modules and losses. */
import { op } from './ops.js';
import { Tensor, callT, callTs } from './tensor.js';

const OPS = {
  conv2d: op('aten::conv2d'), linear: op('aten::linear'),
  batchNorm: op('aten::batch_norm'), layerNorm: op('aten::layer_norm'), embedding: op('aten::embedding'),
  maxPool2d: op('aten::max_pool2d'), avgPool2d: op('aten::avg_pool2d'), adaptiveAvgPool2d: op('aten::adaptive_avg_pool2d'),
  dropout: op('aten::dropout'), relu: op('aten::relu'), gelu: op('aten::gelu'), sigmoid: op('aten::sigmoid'),
  softmax: op('aten::softmax', 'int'), logSoftmax: op('aten::log_softmax', 'int'),
  crossEntropy: op('aten::cross_entropy_loss'), nllLoss: op('aten::nll_loss_nd'), klDiv: op('aten::kl_div'),
  mseLoss: op('aten::mse_loss'), upsampleNearest2d: op('aten::upsample_nearest2d', 'vec'), pad: op('aten::constant_pad_nd'),
  cosineSimilarity: op('aten::cosine_similarity'), normalize: op('aten::norm', 'ScalarOpt_dim'),
};

type Pair = number | readonly [number, number];
const pair = (v: Pair): number[] => (typeof v === 'number' ? [v, v] : [...v]);

export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, o: { stride?: Pair; padding?: Pair; dilation?: Pair; groups?: number } = {}): Tensor {
  return callT(OPS.conv2d, input.id, weight.id, bias ? bias.id : null, pair(o.stride ?? 1), pair(o.padding ?? 0), pair(o.dilation ?? 1), o.groups ?? 1);
}

export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return callT(OPS.linear, input.id, weight.id, bias ? bias.id : null);
}

/**
 * Batch normalisation over dim 1 (any rank ≥ 2). In training mode the running statistics are
 * updated in place with `momentum` and the unbiased batch variance, as PyTorch does.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null, bias: Tensor | null, training: boolean, momentum = 0.1, eps = 1e-5): Tensor {
  return callT(OPS.batchNorm, input.id, weight?.id ?? null, bias?.id ?? null, runningMean?.id ?? null, runningVar?.id ?? null, training, momentum, eps, true);
}

export function layerNorm(input: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  return callT(OPS.layerNorm, input.id, normalizedShape, weight?.id ?? null, bias?.id ?? null, eps, true);
}

export function embedding(weight: Tensor, indices: Tensor): Tensor {
  return callT(OPS.embedding, weight.id, indices.id, -1, false, false);
}

export function maxPool2d(input: Tensor, kernel: Pair, o: { stride?: Pair; padding?: Pair; dilation?: Pair; ceilMode?: boolean } = {}): Tensor {
  return callT(OPS.maxPool2d, input.id, pair(kernel), pair(o.stride ?? kernel), pair(o.padding ?? 0), pair(o.dilation ?? 1), o.ceilMode ?? false);
}

export function avgPool2d(input: Tensor, kernel: Pair, o: { stride?: Pair; padding?: Pair } = {}): Tensor {
  return callT(OPS.avgPool2d, input.id, pair(kernel), pair(o.stride ?? kernel), pair(o.padding ?? 0), false, true, null);
}

export function adaptiveAvgPool2d(input: Tensor, size: Pair): Tensor { return callT(OPS.adaptiveAvgPool2d, input.id, pair(size)); }

export function dropout(input: Tensor, p: number, training: boolean): Tensor { return callT(OPS.dropout, input.id, p, training); }
export function relu(input: Tensor): Tensor { return callT(OPS.relu, input.id); }
/** GELU, exact (erf) form by default, or 'tanh' approximation. */
export function gelu(input: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor { return callT(OPS.gelu, input.id, approximate); }
/** x * sigmoid(1.702 x): CLIP's QuickGELU. */
export function quickGelu(input: Tensor): Tensor {
  const s = input.mul(1.702);
  const g = callT(OPS.sigmoid, s.id);
  s.dispose();
  const out = input.mul(g);
  g.dispose();
  return out;
}
export function softmax(input: Tensor, dim: number): Tensor { return callT(OPS.softmax, input.id, dim); }
export function logSoftmax(input: Tensor, dim: number): Tensor { return callT(OPS.logSoftmax, input.id, dim); }

export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

/**
 * Cross entropy with class-index targets (int64 [N]) or class-probability targets (float,
 * same shape as input), as F.cross_entropy.
 */
export function crossEntropy(input: Tensor, target: Tensor, o: { reduction?: Reduction; labelSmoothing?: number; ignoreIndex?: number } = {}): Tensor {
  return callT(OPS.crossEntropy, input.id, target.id, null, REDUCTION[o.reduction ?? 'mean'], o.ignoreIndex ?? -100, o.labelSmoothing ?? 0);
}

export function nllLoss(logProbs: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return callT(OPS.nllLoss, logProbs.id, target.id, null, REDUCTION[reduction], -100);
}

/** KL divergence with log-probability input and probability target, as F.kl_div(log_target=False). */
export function klDiv(input: Tensor, target: Tensor, reduction: Reduction | 'batchmean' = 'mean'): Tensor {
  if (reduction === 'batchmean') {
    const s = callT(OPS.klDiv, input.id, target.id, REDUCTION.sum, false);
    const out = s.div(input.shape[0]);
    s.dispose();
    return out;
  }
  return callT(OPS.klDiv, input.id, target.id, REDUCTION[reduction], false);
}

export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return callT(OPS.mseLoss, input.id, target.id, REDUCTION[reduction]);
}

/** Nearest-neighbour resize of the last two dims of a 4-D tensor (F.interpolate mode='nearest'). */
export function interpolateNearest(input: Tensor, o: { size?: readonly [number, number]; scaleFactor?: readonly [number, number] }): Tensor {
  return callT(OPS.upsampleNearest2d, input.id, o.size ? [...o.size] : null, o.scaleFactor ? [...o.scaleFactor] : null);
}

/** Constant padding, F.pad order: last dim first, (left, right, top, bottom, ...). */
export function pad(input: Tensor, padding: readonly number[], value = 0): Tensor {
  return callT(OPS.pad, input.id, padding, value);
}

export function cosineSimilarity(a: Tensor, b: Tensor, dim = 1, eps = 1e-8): Tensor {
  return callT(OPS.cosineSimilarity, a.id, b.id, dim, eps);
}

/** x / max(||x||_p, eps) along dim (F.normalize). */
export function normalize(x: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  const n = callT(OPS.normalize, x.id, { float: p }, [dim], true);
  const c = n.clamp(eps);
  n.dispose();
  const out = x.div(c);
  c.dispose();
  return out;
}

/** Scaled dot-product attention: softmax(q kᵀ / √d + mask) v, on [..., L, d] tensors. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null = null): Tensor {
  const d = q.shape[q.shape.length - 1];
  const kt = k.transpose(-2, -1);
  const scores = q.matmul(kt);
  kt.dispose();
  const scaled = scores.mul(1 / Math.sqrt(d));
  scores.dispose();
  const masked = mask ? scaled.add(mask) : scaled;
  if (mask) scaled.dispose();
  const w = callT(OPS.softmax, masked.id, -1);
  masked.dispose();
  const out = w.matmul(v);
  w.dispose();
  return out;
}

export { callTs };
