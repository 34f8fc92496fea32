/** torch.F on small hand-computed cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';
import { assertTensor, vals } from './values.js';

const F = torch.F;
const F32 = { rtol: 1e-6, atol: 1e-6 };
const t = (values: number[], shape?: number[]): Tensor => torch.tensor(values, shape ?? [values.length]);
const long = (values: number[]): Tensor => torch.tensor(values, { dtype: 'int64' });
/** 1..n as float32 in the given shape. */
const seq = (...shape: number[]): Tensor => torch.arange(1, shape.reduce((a, b) => a * b, 1) + 1, 1, { dtype: 'float32' }).reshape(...shape);

interface Row { name: string; run: () => Tensor; shape: number[]; values: number[]; tol?: { atol?: number; rtol?: number } }

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const ln = Math.log;

const ROWS: Row[] = [
  // ---- convolution ----
  { name: 'conv2d 2×2 ones', run: () => F.conv2d(seq(1, 1, 3, 3), torch.ones([1, 1, 2, 2])), shape: [1, 1, 2, 2], values: [12, 16, 24, 28] },
  { name: 'conv2d with bias', run: () => F.conv2d(seq(1, 1, 3, 3), torch.ones([1, 1, 2, 2]), t([1])), shape: [1, 1, 2, 2], values: [13, 17, 25, 29] },
  { name: 'conv2d padding 1, stride 2', run: () => F.conv2d(seq(1, 1, 3, 3), torch.ones([1, 1, 2, 2]), null, { padding: 1, stride: 2 }), shape: [1, 1, 2, 2], values: [1, 5, 11, 28] },
  // temporal 3×1, dilation 2, padding 2: out[t] = x[t-2] − x[t+2] (zero padded)
  { name: 'conv2d 3×1 dilation 2 (temporal branch)', run: () => F.conv2d(seq(1, 1, 5, 1), t([1, 0, -1], [1, 1, 3, 1]), null, { padding: [2, 0], dilation: [2, 1] }), shape: [1, 1, 5, 1], values: [-3, -4, -4, 2, 3] },
  { name: 'conv2d 3×1 stride 2 over time', run: () => F.conv2d(seq(1, 1, 5, 1), t([1, 1, 1], [1, 1, 3, 1]), null, { padding: [1, 0], stride: [2, 1] }), shape: [1, 1, 3, 1], values: [3, 9, 9] },
  { name: 'conv2d 1×1 mixes channels', run: () => F.conv2d(seq(1, 2, 1, 2), t([1, 10, -1, 1], [2, 2, 1, 1])), shape: [1, 2, 1, 2], values: [31, 42, 2, 2] },
  { name: 'conv2d groups 2', run: () => F.conv2d(seq(1, 2, 1, 2), t([2, 3], [2, 1, 1, 1]), null, { groups: 2 }), shape: [1, 2, 1, 2], values: [2, 4, 9, 12] },
  // ---- linear and normalisation ----
  { name: 'linear', run: () => F.linear(t([1, 2], [1, 2]), t([1, 1, 2, -1, 0, 3], [3, 2]), t([0, 1, 2])), shape: [1, 3], values: [3, 1, 8] },
  { name: 'linear without bias, batched', run: () => F.linear(seq(2, 1, 2), t([1, -1], [1, 2])), shape: [2, 1, 1], values: [-1, -1] },
  {
    name: 'batchNorm eval: (x − mean)/√(var + eps)·w + b',
    run: () => F.batchNorm(t([1, 2, 3, 6], [2, 2]), t([1, 2]), t([4, 1]), t([2, 1]), t([0, 10]), false),
    shape: [2, 2], values: [0, 10, 2 * 2 / Math.sqrt(4 + 1e-5), 10 + 4 / Math.sqrt(1 + 1e-5)], tol: F32,
  },
  {
    name: 'batchNorm train: batch statistics (biased variance)',
    run: () => F.batchNorm(t([1, 2, 3, 6], [2, 2]), null, null, null, null, true),
    shape: [2, 2], values: [-1 / Math.sqrt(1 + 1e-5), -2 / Math.sqrt(4 + 1e-5), 1 / Math.sqrt(1 + 1e-5), 2 / Math.sqrt(4 + 1e-5)], tol: F32,
  },
  {
    name: 'batchNorm over [N, C, L]',
    run: () => F.batchNorm(seq(1, 2, 2), null, null, null, null, true),
    shape: [1, 2, 2], values: [-1, 1, -1, 1].map((x) => x * 0.5 / Math.sqrt(0.25 + 1e-5)), tol: F32,
  },
  { name: 'layerNorm', run: () => F.layerNorm(t([1, 2, 3], [1, 3]), [3]), shape: [1, 3], values: [-1, 0, 1].map((x) => x / Math.sqrt(2 / 3 + 1e-5)), tol: F32 },
  { name: 'layerNorm with affine', run: () => F.layerNorm(t([1, 3], [1, 2]), [2], t([2, 3]), t([1, 1])), shape: [1, 2], values: [1 - 2 / Math.sqrt(1 + 1e-5), 1 + 3 / Math.sqrt(1 + 1e-5)], tol: F32 },
  { name: 'embedding', run: () => F.embedding(t([0, 0, 1, 1, 2, 4], [3, 2]), long([2, 0, 2])), shape: [3, 2], values: [2, 4, 0, 0, 2, 4] },
  // ---- pooling and resizing ----
  { name: 'maxPool2d 2×2', run: () => F.maxPool2d(seq(1, 1, 4, 4), 2), shape: [1, 1, 2, 2], values: [6, 8, 14, 16] },
  { name: 'maxPool2d 3×1 over time, padding 1 (max branch)', run: () => F.maxPool2d(t([1, 3, 2, 0], [1, 1, 4, 1]), [3, 1], { stride: [1, 1], padding: [1, 0] }), shape: [1, 1, 4, 1], values: [3, 3, 3, 2] },
  { name: 'maxPool2d 3×1 stride 2', run: () => F.maxPool2d(t([1, 3, 2, 0, 5], [1, 1, 5, 1]), [3, 1], { stride: [2, 1], padding: [1, 0] }), shape: [1, 1, 3, 1], values: [3, 3, 5] },
  { name: 'maxPool2d ceil mode', run: () => F.maxPool2d(seq(1, 1, 3, 3), 2, { ceilMode: true }), shape: [1, 1, 2, 2], values: [5, 6, 8, 9] },
  { name: 'avgPool2d', run: () => F.avgPool2d(seq(1, 1, 4, 4), 2), shape: [1, 1, 2, 2], values: [3.5, 5.5, 11.5, 13.5] },
  { name: 'adaptiveAvgPool2d to 1×1', run: () => F.adaptiveAvgPool2d(seq(1, 2, 2, 2), 1), shape: [1, 2, 1, 1], values: [2.5, 6.5] },
  { name: 'interpolateNearest size', run: () => F.interpolateNearest(seq(1, 1, 2, 2), { size: [4, 4] }), shape: [1, 1, 4, 4], values: [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4] },
  { name: 'interpolateNearest scale factor', run: () => F.interpolateNearest(seq(1, 1, 2, 1), { scaleFactor: [2, 1] }), shape: [1, 1, 4, 1], values: [1, 1, 2, 2] },
  { name: 'pad last dim', run: () => F.pad(t([1, 2]), [1, 2]), shape: [5], values: [0, 1, 2, 0, 0] },
  { name: 'pad two dims with a value', run: () => F.pad(t([1], [1, 1]), [0, 1, 1, 0], 9), shape: [2, 2], values: [9, 9, 1, 9] },
  // ---- activations ----
  { name: 'relu', run: () => F.relu(t([-1, 0, 2])), shape: [3], values: [0, 0, 2] },
  { name: 'gelu (erf)', run: () => F.gelu(t([-1, 0, 1])), shape: [3], values: [-0.15865525393145707, 0, 0.8413447460685429], tol: F32 },
  { name: 'gelu (tanh)', run: () => F.gelu(t([1]), 'tanh'), shape: [1], values: [0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (1 + 0.044715)))], tol: F32 },
  { name: 'quickGelu = x·σ(1.702x)', run: () => F.quickGelu(t([-1, 0, 2])), shape: [3], values: [-sigmoid(-1.702), 0, 2 * sigmoid(3.404)], tol: F32 },
  { name: 'softmax', run: () => F.softmax(t([0, ln(3), 0, 0], [2, 2]), 1), shape: [2, 2], values: [0.25, 0.75, 0.5, 0.5], tol: F32 },
  { name: 'logSoftmax', run: () => F.logSoftmax(t([0, ln(3)]), 0), shape: [2], values: [ln(0.25), ln(0.75)], tol: F32 },
  { name: 'dropout in eval mode is the identity', run: () => F.dropout(t([1, 2]), 0.5, false), shape: [2], values: [1, 2] },
  { name: 'dropout p=1 zeroes everything', run: () => F.dropout(t([1, 2]), 1, true), shape: [2], values: [0, 0] },
  // ---- losses ----
  { name: 'crossEntropy, class index', run: () => F.crossEntropy(t([0, ln(3)], [1, 2]), long([1])), shape: [], values: [-ln(0.75)], tol: F32 },
  { name: 'crossEntropy, mean over rows', run: () => F.crossEntropy(t([0, ln(3), 0, ln(3)], [2, 2]), long([1, 0])), shape: [], values: [(-ln(0.75) - ln(0.25)) / 2], tol: F32 },
  { name: 'crossEntropy, sum', run: () => F.crossEntropy(t([0, ln(3), 0, ln(3)], [2, 2]), long([1, 0]), { reduction: 'sum' }), shape: [], values: [-ln(0.75) - ln(0.25)], tol: F32 },
  { name: 'crossEntropy, none', run: () => F.crossEntropy(t([0, ln(3), 0, ln(3)], [2, 2]), long([1, 0]), { reduction: 'none' }), shape: [2], values: [-ln(0.75), -ln(0.25)], tol: F32 },
  { name: 'crossEntropy, ignoreIndex', run: () => F.crossEntropy(t([0, ln(3), 0, ln(3)], [2, 2]), long([1, -1]), { ignoreIndex: -1 }), shape: [], values: [-ln(0.75)], tol: F32 },
  {
    name: 'crossEntropy, label smoothing 0.2',
    run: () => F.crossEntropy(t([0, ln(3)], [1, 2]), long([1]), { labelSmoothing: 0.2 }),
    shape: [], values: [0.8 * -ln(0.75) + 0.2 * -(ln(0.25) + ln(0.75)) / 2], tol: F32,
  },
  { name: 'crossEntropy, probability targets', run: () => F.crossEntropy(t([0, ln(3)], [1, 2]), t([0.5, 0.5], [1, 2])), shape: [], values: [-(ln(0.25) + ln(0.75)) / 2], tol: F32 },
  { name: 'nllLoss', run: () => F.nllLoss(t([-1, -2, -3, -4], [2, 2]), long([1, 0])), shape: [], values: [2.5] },
  { name: 'nllLoss sum', run: () => F.nllLoss(t([-1, -2, -3, -4], [2, 2]), long([1, 0]), 'sum'), shape: [], values: [5] },
  ...((): Row[] => {
    const input = () => t([ln(0.5), ln(0.5)], [1, 2]);
    const target = () => t([0.25, 0.75], [1, 2]);
    const point = [0.25 * (ln(0.25) - ln(0.5)), 0.75 * (ln(0.75) - ln(0.5))];
    const sum = point[0] + point[1];
    return [
      { name: 'klDiv none', run: () => F.klDiv(input(), target(), 'none'), shape: [1, 2], values: point, tol: F32 },
      { name: 'klDiv sum', run: () => F.klDiv(input(), target(), 'sum'), shape: [], values: [sum], tol: F32 },
      { name: 'klDiv mean (over elements)', run: () => F.klDiv(input(), target()), shape: [], values: [sum / 2], tol: F32 },
      { name: 'klDiv batchmean (over rows)', run: () => F.klDiv(input(), target(), 'batchmean'), shape: [], values: [sum], tol: F32 },
    ];
  })(),
  { name: 'mseLoss mean', run: () => F.mseLoss(t([1, 2]), t([3, 2])), shape: [], values: [2] },
  { name: 'mseLoss sum', run: () => F.mseLoss(t([1, 2]), t([3, 2]), 'sum'), shape: [], values: [4] },
  { name: 'mseLoss none', run: () => F.mseLoss(t([1, 2]), t([3, 2]), 'none'), shape: [2], values: [4, 0] },
  // ---- similarity and attention ----
  { name: 'cosineSimilarity', run: () => F.cosineSimilarity(t([1, 0, 3, 4], [2, 2]), t([1, 1, 3, 4], [2, 2])), shape: [2], values: [Math.SQRT1_2, 1], tol: F32 },
  { name: 'normalize', run: () => F.normalize(t([3, 4, 0, 0], [2, 2])), shape: [2, 2], values: [0.6, 0.8, 0, 0], tol: F32 },
  { name: 'normalize along dim 0 with p=1', run: () => F.normalize(t([1, 3], [2, 1]), 1, 0), shape: [2, 1], values: [0.25, 0.75], tol: F32 },
  ...((): Row[] => {
    const q = () => t([1, 0], [1, 1, 2]);
    const k = () => t([1, 0, 0, 1], [1, 2, 2]);
    const v = () => t([1, 2, 3, 4], [1, 2, 2]);
    const w0 = Math.exp(Math.SQRT1_2) / (Math.exp(Math.SQRT1_2) + 1);
    return [
      { name: 'scaledDotProductAttention', run: () => F.scaledDotProductAttention(q(), k(), v()), shape: [1, 1, 2], values: [w0 + 3 * (1 - w0), 2 * w0 + 4 * (1 - w0)], tol: F32 },
      { name: 'scaledDotProductAttention with an additive mask', run: () => F.scaledDotProductAttention(q(), k(), v(), t([0, -Infinity], [1, 2])), shape: [1, 1, 2], values: [1, 2], tol: F32 },
    ];
  })(),
];

for (const row of ROWS) {
  test(`F.${row.name}`, () => {
    torch.tidy(() => assertTensor(row.run(), row.shape, row.values, row.name, row.tol));
  });
}

test('F.batchNorm in training mode updates the running statistics with momentum and the unbiased variance', () => {
  torch.tidy(() => {
    const mean = torch.zeros([2]);
    const variance = torch.ones([2]);
    F.batchNorm(t([1, 2, 3, 6], [2, 2]), mean, variance, null, null, true, 0.1);
    // batch means [2, 4], unbiased variances [2, 8]
    assertTensor(mean, [2], [0.2, 0.4], 'running_mean', F32);
    assertTensor(variance, [2], [1.1, 1.7], 'running_var', F32);
    F.batchNorm(t([1, 2, 3, 6], [2, 2]), mean, variance, null, null, false);
    assertTensor(mean, [2], [0.2, 0.4], 'eval mode leaves running_mean alone', F32);
  });
});

test('F.dropout in training scales kept values by 1/(1−p)', () => {
  torch.tidy(() => {
    torch.manualSeed(3);
    const out = vals(F.dropout(torch.ones([1000]), 0.25, true));
    assert.ok(out.every((x) => x === 0 || Math.abs(x - 4 / 3) < 1e-6));
    const kept = out.filter((x) => x !== 0).length;
    assert.ok(kept > 690 && kept < 810, `kept ${kept} of 1000`);
  });
});
