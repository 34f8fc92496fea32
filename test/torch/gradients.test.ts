/**
 * Float64 finite-difference checks of the backward pass of every differentiable operation the
 * model and its losses use (and the other differentiable wrappers), through the bridge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';
import { gradcheck } from './gradcheck.js';

const F = torch.F;

torch.manualSeed(2024);

/** A float64 leaf that requires grad, N(0,1) values. */
function x(...shape: number[]): Tensor {
  return torch.randn(shape, { dtype: 'float64', requiresGrad: true });
}

/** Values bounded away from zero (for log, sqrt, division, pow). */
function positive(...shape: number[]): Tensor {
  return torch.noGrad(() => torch.rand(shape, { dtype: 'float64' }).add(0.5)).requiresGrad_();
}

function long(values: number[], shape?: number[]): Tensor {
  return torch.tensor(values, shape ?? [values.length], { dtype: 'int64' });
}

interface Case {
  name: string;
  fn: (...inputs: Tensor[]) => Tensor | Tensor[];
  inputs: () => Tensor[];
}

const CASES: Case[] = [
  // ---- convolutions as in the model: temporal 3×1 with dilation 1–4 (padding d), stride 2, 1×1 ----
  ...[1, 2, 3, 4].map((d): Case => ({
    name: `conv2d 3×1, dilation ${d}, padding ${d}`,
    fn: (i, w, b) => F.conv2d(i, w, b, { padding: [d, 0], dilation: [d, 1] }),
    inputs: () => [x(1, 2, 9, 2), x(2, 2, 3, 1), x(2)],
  })),
  { name: 'conv2d 3×1, stride 2', fn: (i, w, b) => F.conv2d(i, w, b, { stride: [2, 1], padding: [1, 0] }), inputs: () => [x(1, 2, 7, 2), x(2, 2, 3, 1), x(2)] },
  { name: 'conv2d 1×1', fn: (i, w, b) => F.conv2d(i, w, b), inputs: () => [x(2, 3, 2, 2), x(4, 3, 1, 1), x(4)] },
  { name: 'conv2d 1×1, temporal stride 2 (1x1 branch)', fn: (i, w) => F.conv2d(i, w, null, { stride: [2, 1] }), inputs: () => [x(1, 2, 5, 2), x(3, 2, 1, 1)] },
  { name: 'conv2d 3×3 with groups', fn: (i, w) => F.conv2d(i, w, null, { padding: 1, groups: 2 }), inputs: () => [x(1, 4, 3, 3), x(2, 2, 3, 3)] },
  // ---- normalisation ----
  {
    name: 'batch_norm (train mode, batch statistics)',
    fn: (i, w, b) => F.batchNorm(i, torch.zeros([3], { dtype: 'float64' }), torch.ones([3], { dtype: 'float64' }), w, b, true),
    inputs: () => [x(4, 3, 2), x(3), x(3)],
  },
  {
    name: 'batch_norm (eval mode, running statistics)',
    fn: (i, w, b) => F.batchNorm(i, torch.full([3], 0.3, { dtype: 'float64' }), torch.full([3], 2, { dtype: 'float64' }), w, b, false),
    inputs: () => [x(2, 3, 2), x(3), x(3)],
  },
  { name: 'layer_norm with affine', fn: (i, w, b) => F.layerNorm(i, [4], w, b), inputs: () => [x(3, 4), x(4), x(4)] },
  { name: 'layer_norm over two dims', fn: (i) => F.layerNorm(i, [2, 3]), inputs: () => [x(2, 2, 3)] },
  // ---- linear algebra ----
  { name: 'linear', fn: (i, w, b) => F.linear(i, w, b), inputs: () => [x(3, 4), x(2, 4), x(2)] },
  { name: 'einsum nkctv,nkvw->nkctw (graph aggregation)', fn: (a, b) => torch.einsum('nkctv,nkvw->nkctw', a, b), inputs: () => [x(1, 2, 2, 2, 3), x(1, 2, 3, 3)] },
  { name: 'einsum nkci,nkcj->nkij (intra-joint scores)', fn: (a, b) => torch.einsum('nkci,nkcj->nkij', a, b), inputs: () => [x(1, 2, 2, 3), x(1, 2, 2, 3)] },
  { name: 'bmm', fn: (a, b) => a.bmm(b), inputs: () => [x(2, 2, 3), x(2, 3, 2)] },
  { name: 'matmul (broadcast batch)', fn: (a, b) => a.matmul(b), inputs: () => [x(2, 2, 3), x(3, 2)] },
  { name: 'mm', fn: (a, b) => a.mm(b), inputs: () => [x(2, 3), x(3, 2)] },
  // ---- activations ----
  { name: 'softmax', fn: (i) => F.softmax(i, 1), inputs: () => [x(2, 4)] },
  { name: 'softmax over the first joint axis (dim -2)', fn: (i) => i.softmax(-2), inputs: () => [x(2, 3, 3)] },
  { name: 'log_softmax', fn: (i) => F.logSoftmax(i, -1), inputs: () => [x(2, 4)] },
  { name: 'tanh', fn: (i) => i.tanh(), inputs: () => [x(5)] },
  { name: 'relu', fn: (i) => F.relu(i), inputs: () => [x(6)] },
  { name: 'sigmoid', fn: (i) => i.sigmoid(), inputs: () => [x(5)] },
  { name: 'quickGelu', fn: (i) => F.quickGelu(i), inputs: () => [x(6)] },
  { name: 'gelu (erf)', fn: (i) => F.gelu(i), inputs: () => [x(5)] },
  { name: 'gelu (tanh approximation)', fn: (i) => F.gelu(i, 'tanh'), inputs: () => [x(5)] },
  // ---- pooling and resizing ----
  { name: 'max_pool2d over time (3×1, stride 1, padding 1)', fn: (i) => F.maxPool2d(i, [3, 1], { stride: [1, 1], padding: [1, 0] }), inputs: () => [x(1, 2, 6, 2)] },
  { name: 'max_pool2d over time (3×1, stride 2, padding 1)', fn: (i) => F.maxPool2d(i, [3, 1], { stride: [2, 1], padding: [1, 0] }), inputs: () => [x(1, 1, 7, 2)] },
  { name: 'max_pool2d 2×2', fn: (i) => F.maxPool2d(i, 2), inputs: () => [x(1, 1, 4, 4)] },
  { name: 'avg_pool2d', fn: (i) => F.avgPool2d(i, 2), inputs: () => [x(1, 1, 4, 4)] },
  { name: 'adaptive_avg_pool2d', fn: (i) => F.adaptiveAvgPool2d(i, 1), inputs: () => [x(1, 2, 3, 3)] },
  { name: 'interpolate nearest', fn: (i) => F.interpolateNearest(i, { size: [4, 3] }), inputs: () => [x(1, 1, 2, 3)] },
  { name: 'pad', fn: (i) => F.pad(i, [1, 2]), inputs: () => [x(2, 3)] },
  // ---- reductions ----
  { name: 'mean over dims', fn: (i) => i.mean([1, 3]), inputs: () => [x(2, 3, 2, 2)] },
  { name: 'mean (all)', fn: (i) => i.mean(), inputs: () => [x(3, 2)] },
  { name: 'sum keepdim', fn: (i) => i.sum(-1, true), inputs: () => [x(3, 4)] },
  { name: 'sum (all)', fn: (i) => i.sum(), inputs: () => [x(3, 2)] },
  { name: 'var / std', fn: (i) => [i.var(1), i.std(0, { correction: 0 })], inputs: () => [x(3, 4)] },
  { name: 'norm', fn: (i) => i.norm(2, 1), inputs: () => [x(3, 4)] },
  { name: 'amax', fn: (i) => i.amax(1), inputs: () => [x(3, 4)] },
  { name: 'cumsum', fn: (i) => i.cumsum(1), inputs: () => [x(2, 4)] },
  // ---- joining and splitting ----
  { name: 'cat', fn: (a, b) => torch.cat([a, b], 1), inputs: () => [x(2, 2), x(2, 3)] },
  { name: 'stack', fn: (a, b) => torch.stack([a, b], 0), inputs: () => [x(2, 2), x(2, 2)] },
  { name: 'chunk', fn: (a) => a.chunk(3, 1), inputs: () => [x(2, 6)] },
  { name: 'split (size and sizes)', fn: (a) => [...a.split(2, 0), ...a.split([1, 3], 1)], inputs: () => [x(4, 4)] },
  // ---- layout ----
  { name: 'permute / reshape / view', fn: (a) => a.view(4, 3).permute(1, 0).reshape(2, 6), inputs: () => [x(2, 2, 3)] },
  { name: 'transpose / contiguous / flatten', fn: (a) => a.transpose(0, 1).contiguous().flatten(), inputs: () => [x(2, 3)] },
  { name: 'unsqueeze / squeeze / expand / repeat', fn: (a) => a.unsqueeze(0).expand(2, 3).mul(a.squeeze().repeat(2).reshape(2, 3)), inputs: () => [x(3)] },
  { name: 'flip / roll', fn: (a) => a.flip(1).roll(1, 0), inputs: () => [x(3, 2)] },
  { name: 'tril / triu', fn: (a) => [a.tril(), a.triu(1)], inputs: () => [x(3, 3)] },
  // ---- indexing ----
  { name: 'select / narrow / slice with step', fn: (a) => [a.select(0, 1), a.narrow(1, 1, 2), a.slice(1, 0, null, 2)], inputs: () => [x(3, 4)] },
  { name: 'index with a tensor (repeated rows)', fn: (a) => a.index([long([2, 0, 2])]), inputs: () => [x(3, 2)] },
  { name: 'index on the second dim', fn: (a) => a.index([null, long([1, 1, 0])]), inputs: () => [x(2, 3)] },
  { name: 'index_select', fn: (a) => a.indexSelect(1, long([2, 0])), inputs: () => [x(2, 3)] },
  { name: 'gather', fn: (a) => a.gather(1, long([0, 2, 1, 1], [2, 2])), inputs: () => [x(2, 3)] },
  { name: 'scatter (self and src)', fn: (a, s) => a.scatter(1, long([2, 0], [2, 1]), s), inputs: () => [x(2, 3), x(2, 1)] },
  { name: 'scatter_add', fn: (a, s) => a.scatterAdd(1, long([0, 0, 2, 1], [2, 2]), s), inputs: () => [x(2, 3), x(2, 2)] },
  { name: 'masked_fill', fn: (a) => a.maskedFill(torch.tensor([1, 0, 1, 0], [2, 2], { dtype: 'bool' }), 0), inputs: () => [x(2, 2)] },
  { name: 'where', fn: (a, b) => torch.where(torch.tensor([1, 0, 0, 1], [2, 2], { dtype: 'bool' }), a, b), inputs: () => [x(2, 2), x(2, 2)] },
  { name: 'embedding', fn: (w) => F.embedding(w, long([2, 0, 2, 1], [2, 2])), inputs: () => [x(3, 2)] },
  // ---- elementwise arithmetic ----
  { name: 'add / sub with alpha, broadcasting', fn: (a, b) => a.add(b, 2).sub(b.mul(0.5), 3), inputs: () => [x(2, 3), x(3)] },
  { name: 'mul / div', fn: (a, b) => a.mul(b).div(b.add(3)), inputs: () => [x(2, 3), positive(2, 3)] },
  { name: 'pow (scalar and tensor exponents)', fn: (a, b) => [a.pow(3), a.pow(b)], inputs: () => [positive(4), x(4)] },
  { name: 'exp / log / sqrt / rsqrt / reciprocal', fn: (a) => [a.exp(), a.log(), a.sqrt(), a.rsqrt(), a.reciprocal()], inputs: () => [positive(4)] },
  { name: 'neg / abs / clamp / maximum / minimum', fn: (a, b) => [a.neg(), a.abs(), a.clamp(-0.5, 0.5), a.maximum(b), a.minimum(b)], inputs: () => [x(6), x(6)] },
  // ---- losses ----
  { name: 'cross_entropy with class indices', fn: (l) => F.crossEntropy(l, long([2, 0, 1])), inputs: () => [x(3, 4)] },
  { name: 'cross_entropy with class indices, sum, label smoothing', fn: (l) => F.crossEntropy(l, long([2, 0]), { reduction: 'sum', labelSmoothing: 0.1 }), inputs: () => [x(2, 3)] },
  {
    name: 'cross_entropy with probability targets (mix-up soft labels)',
    fn: (l, t) => F.crossEntropy(l, t.softmax(1)),
    inputs: () => [x(3, 4), x(3, 4)],
  },
  { name: 'nll_loss', fn: (l) => F.nllLoss(l.logSoftmax(1), long([1, 0])), inputs: () => [x(2, 3)] },
  { name: 'kl_div (sum), input and target', fn: (i, t) => F.klDiv(i.logSoftmax(1), t.softmax(1), 'sum'), inputs: () => [x(3, 4), x(3, 4)] },
  { name: 'kl_div (batchmean / mean / none)', fn: (i, t) => [F.klDiv(i, t, 'batchmean'), F.klDiv(i, t), F.klDiv(i, t, 'none')], inputs: () => [x(2, 3), positive(2, 3)] },
  { name: 'mse_loss', fn: (a, b) => F.mseLoss(a, b), inputs: () => [x(2, 3), x(2, 3)] },
  // ---- attention and similarity ----
  { name: 'scaledDotProductAttention', fn: (q, k, v) => F.scaledDotProductAttention(q, k, v), inputs: () => [x(2, 3, 4), x(2, 5, 4), x(2, 5, 2)] },
  {
    name: 'scaledDotProductAttention with a causal mask',
    fn: (q, k, v) => F.scaledDotProductAttention(q, k, v, torch.full([3, 3], -Infinity, { dtype: 'float64' }).triu(1)),
    inputs: () => [x(1, 3, 2), x(1, 3, 2), x(1, 3, 2)],
  },
  { name: 'normalize', fn: (a) => F.normalize(a, 2, 1), inputs: () => [x(3, 4)] },
  { name: 'cosine_similarity', fn: (a, b) => F.cosineSimilarity(a, b, 1), inputs: () => [x(3, 4), x(3, 4)] },
];

for (const c of CASES) {
  test(`gradcheck: ${c.name}`, () => {
    torch.tidy(() => gradcheck(c.fn, c.inputs()));
  });
}

test('gradcheck itself fails on a wrong gradient', () => {
  // detach() hides part of the dependence: analytic 2x·(stop-grad) ≠ numeric 2x.
  assert.throws(() => torch.tidy(() => gradcheck((a) => a.mul(a.detach()), [x(3)])), /gradcheck: input 0 element 0: analytic .* vs numeric/);
});

test('gradcheck rejects non-float64 inputs', () => {
  assert.throws(() => gradcheck((a) => a.mul(2), [torch.ones([2], { requiresGrad: true })]), /use float64/);
});
