/**
 * Every Tensor method on small hand-computed cases: each row is (name, computation, expected
 * shape, expected values[, tolerance]). Exact unless a tolerance is given (transcendental
 * functions are compared with float32 tolerances).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';
import { assertTensor, vals } from './values.js';

/** [[1, 2, 3], [4, 5, 6]] */
const A = (): Tensor => torch.tensor([[1, 2, 3], [4, 5, 6]]);
const v = (...values: number[]): Tensor => torch.tensor(values);
const long = (values: number[], shape?: number[]): Tensor => torch.tensor(values, shape ?? [values.length], { dtype: 'int64' });
const bool = (values: number[], shape?: number[]): Tensor => torch.tensor(values, shape ?? [values.length], { dtype: 'bool' });
const F32 = { rtol: 1e-6, atol: 1e-7 };

interface Row {
  name: string;
  run: () => Tensor;
  shape: number[];
  values: number[];
  tol?: { atol?: number; rtol?: number };
  dtype?: torch.DType;
}

const ROWS: Row[] = [
  // ---- arithmetic ----
  { name: 'add scalar', run: () => A().add(1), shape: [2, 3], values: [2, 3, 4, 5, 6, 7] },
  { name: 'add tensor with alpha', run: () => A().add(A(), 2), shape: [2, 3], values: [3, 6, 9, 12, 15, 18] },
  { name: 'add broadcast row', run: () => A().add(v(1, -2, 3)), shape: [2, 3], values: [2, 0, 6, 5, 3, 9] },
  { name: 'sub scalar', run: () => A().sub(1), shape: [2, 3], values: [0, 1, 2, 3, 4, 5] },
  { name: 'sub tensor with alpha', run: () => A().sub(v(1, -2, 3), 2), shape: [2, 3], values: [-1, 6, -3, 2, 9, 0] },
  { name: 'rsub', run: () => A().rsub(10), shape: [2, 3], values: [9, 8, 7, 6, 5, 4] },
  { name: 'mul scalar', run: () => A().mul(2), shape: [2, 3], values: [2, 4, 6, 8, 10, 12] },
  { name: 'mul broadcast', run: () => A().mul(v(1, -2, 3)), shape: [2, 3], values: [1, -4, 9, 4, -10, 18] },
  { name: 'div scalar', run: () => A().div(2), shape: [2, 3], values: [0.5, 1, 1.5, 2, 2.5, 3] },
  { name: 'div tensor', run: () => A().div(v(1, -2, 3)), shape: [2, 3], values: [1, -1, 1, 4, -2.5, 2] },
  { name: 'int64 / int64 is true division (float result)', run: () => long([7, -7]).div(long([2, 2])), shape: [2], values: [3.5, -3.5], dtype: 'float32' },
  { name: 'pow scalar', run: () => A().pow(2), shape: [2, 3], values: [1, 4, 9, 16, 25, 36] },
  { name: 'pow tensor', run: () => A().pow(torch.tensor([[0, 1, 2], [1, 0, 0.5]])), shape: [2, 3], values: [1, 2, 9, 4, 1, Math.fround(Math.sqrt(6))], tol: F32 },
  { name: 'neg', run: () => v(1, -2, 0).neg(), shape: [3], values: [-1, 2, -0] },
  { name: 'exp', run: () => v(0, 1).exp(), shape: [2], values: [1, Math.E], tol: F32 },
  { name: 'log', run: () => v(1, Math.E).log(), shape: [2], values: [0, 1], tol: F32 },
  { name: 'sqrt', run: () => v(4, 9).sqrt(), shape: [2], values: [2, 3] },
  { name: 'rsqrt', run: () => v(4, 0.25).rsqrt(), shape: [2], values: [0.5, 2], tol: F32 },
  { name: 'abs', run: () => v(-1.5, 2).abs(), shape: [2], values: [1.5, 2] },
  { name: 'sign', run: () => v(-3, 0, 2).sign(), shape: [3], values: [-1, 0, 1] },
  { name: 'reciprocal', run: () => v(2, -4).reciprocal(), shape: [2], values: [0.5, -0.25] },
  { name: 'floor', run: () => v(1.7, -1.2).floor(), shape: [2], values: [1, -2] },
  { name: 'round (half to even)', run: () => v(0.5, 1.5, 2.5, -0.5).round(), shape: [4], values: [0, 2, 2, -0] },
  { name: 'tanh', run: () => v(0, 1).tanh(), shape: [2], values: [0, Math.tanh(1)], tol: F32 },
  { name: 'sigmoid', run: () => v(0, Math.log(3)).sigmoid(), shape: [2], values: [0.5, 0.75], tol: F32 },
  { name: 'relu', run: () => v(-1, 0, 2).relu(), shape: [3], values: [0, 0, 2] },
  { name: 'clamp both', run: () => v(-2, 0.5, 3).clamp(0, 1), shape: [3], values: [0, 0.5, 1] },
  { name: 'clamp max only', run: () => v(-2, 0.5, 3).clamp(null, 1), shape: [3], values: [-2, 0.5, 1] },
  { name: 'maximum', run: () => v(1, 5, -1).maximum(v(2, 3, -4)), shape: [3], values: [2, 5, -1] },
  { name: 'minimum', run: () => v(1, 5, -1).minimum(v(2, 3, -4)), shape: [3], values: [1, 3, -4] },
  // ---- in place: each returns its receiver ----
  { name: 'add_ scalar', run: () => A().add_(1), shape: [2, 3], values: [2, 3, 4, 5, 6, 7] },
  { name: 'add_ tensor with alpha', run: () => A().add_(A(), -1), shape: [2, 3], values: [0, 0, 0, 0, 0, 0] },
  { name: 'sub_ with alpha', run: () => A().sub_(v(1, 1, 1), 3), shape: [2, 3], values: [-2, -1, 0, 1, 2, 3] },
  { name: 'mul_ scalar', run: () => A().mul_(-1), shape: [2, 3], values: [-1, -2, -3, -4, -5, -6] },
  { name: 'mul_ tensor', run: () => A().mul_(v(0, 1, 2)), shape: [2, 3], values: [0, 2, 6, 0, 5, 12] },
  { name: 'div_ scalar', run: () => A().div_(4), shape: [2, 3], values: [0.25, 0.5, 0.75, 1, 1.25, 1.5] },
  { name: 'div_ tensor', run: () => A().div_(v(1, 2, 3)), shape: [2, 3], values: [1, 1, 1, 4, 2.5, 2] },
  { name: 'addcmul_', run: () => v(1, 1).addcmul_(v(2, 3), v(4, 5), 0.5), shape: [2], values: [5, 8.5] },
  { name: 'addcdiv_', run: () => v(1, 1).addcdiv_(v(2, 3), v(4, 6), 2), shape: [2], values: [2, 2] },
  { name: 'lerp_', run: () => v(0, 10).lerp_(v(4, 2), 0.25), shape: [2], values: [1, 8] },
  { name: 'relu_', run: () => v(-1, 3).relu_(), shape: [2], values: [0, 3] },
  { name: 'clamp_', run: () => v(-1, 3).clamp_(0, 2), shape: [2], values: [0, 2] },
  { name: 'zero_', run: () => A().zero_(), shape: [2, 3], values: [0, 0, 0, 0, 0, 0] },
  { name: 'fill_', run: () => A().fill_(7), shape: [2, 3], values: [7, 7, 7, 7, 7, 7] },
  { name: 'copy_ (broadcast source)', run: () => A().copy_(v(9, 8, 7)), shape: [2, 3], values: [9, 8, 7, 9, 8, 7] },
  { name: 'maskedFill_', run: () => v(1, 2, 3).maskedFill_(bool([1, 0, 1]), -1), shape: [3], values: [-1, 2, -1] },
  { name: 'indexPut_', run: () => torch.zeros([4]).indexPut_([long([1, 3])], v(5, 6)), shape: [4], values: [0, 5, 0, 6] },
  { name: 'indexPut_ accumulate (repeated index)', run: () => torch.zeros([3]).indexPut_([long([1, 1, 2])], v(1, 2, 3), true), shape: [3], values: [0, 3, 3] },
  // ---- comparison (bool results) ----
  { name: 'eq tensor', run: () => v(1, 2, 3).eq(v(1, 0, 3)), shape: [3], values: [1, 0, 1], dtype: 'bool' },
  { name: 'eq scalar', run: () => v(1, 2, 3).eq(2), shape: [3], values: [0, 1, 0], dtype: 'bool' },
  { name: 'ne', run: () => v(1, 2, 3).ne(v(1, 0, 3)), shape: [3], values: [0, 1, 0], dtype: 'bool' },
  { name: 'ne scalar', run: () => v(1, 2, 3).ne(2), shape: [3], values: [1, 0, 1], dtype: 'bool' },
  { name: 'gt / gt scalar', run: () => torch.cat([v(1, 2, 3).gt(v(2, 2, 2)), v(1, 2, 3).gt(1)]), shape: [6], values: [0, 0, 1, 0, 1, 1], dtype: 'bool' },
  { name: 'lt / lt scalar', run: () => torch.cat([v(1, 2, 3).lt(v(2, 2, 2)), v(1, 2, 3).lt(3)]), shape: [6], values: [1, 0, 0, 1, 1, 0], dtype: 'bool' },
  { name: 'ge / ge scalar', run: () => torch.cat([v(1, 2, 3).ge(v(2, 2, 2)), v(1, 2, 3).ge(3)]), shape: [6], values: [0, 1, 1, 0, 0, 1], dtype: 'bool' },
  { name: 'le / le scalar', run: () => torch.cat([v(1, 2, 3).le(v(2, 2, 2)), v(1, 2, 3).le(1)]), shape: [6], values: [1, 1, 0, 1, 0, 0], dtype: 'bool' },
  { name: 'logicalNot', run: () => bool([1, 0]).logicalNot(), shape: [2], values: [0, 1], dtype: 'bool' },
  { name: 'logicalAnd', run: () => bool([1, 1, 0]).logicalAnd(bool([1, 0, 0])), shape: [3], values: [1, 0, 0], dtype: 'bool' },
  { name: 'logicalOr', run: () => bool([1, 1, 0]).logicalOr(bool([1, 0, 0])), shape: [3], values: [1, 1, 0], dtype: 'bool' },
  { name: 'isnan', run: () => v(NaN, Infinity, 1).isnan(), shape: [3], values: [1, 0, 0], dtype: 'bool' },
  { name: 'isfinite', run: () => v(NaN, Infinity, 1).isfinite(), shape: [3], values: [0, 0, 1], dtype: 'bool' },
  // ---- reductions ----
  { name: 'sum all', run: () => A().sum(), shape: [], values: [21] },
  { name: 'sum dim 0', run: () => A().sum(0), shape: [3], values: [5, 7, 9] },
  { name: 'sum dim 1 keepdim', run: () => A().sum(1, true), shape: [2, 1], values: [6, 15] },
  { name: 'sum dims [0, 1]', run: () => A().sum([0, 1]), shape: [], values: [21] },
  { name: 'sum of bool counts (int64)', run: () => bool([1, 0, 1]).sum(), shape: [], values: [2], dtype: 'int64' },
  { name: 'mean all', run: () => A().mean(), shape: [], values: [3.5] },
  { name: 'mean dim -1', run: () => A().mean(-1), shape: [2], values: [2, 5] },
  { name: 'mean dims keepdim', run: () => A().mean([0, 1], true), shape: [1, 1], values: [3.5] },
  { name: 'prod', run: () => A().prod(), shape: [], values: [720] },
  { name: 'max all', run: () => A().max(), shape: [], values: [6] },
  { name: 'max dim: values', run: () => v(3, 7, 1, 2, 0, 9).reshape(2, 3).max(1).values, shape: [2], values: [7, 9] },
  { name: 'max dim: indices', run: () => v(3, 7, 1, 2, 0, 9).reshape(2, 3).max(1).indices, shape: [2], values: [1, 2], dtype: 'int64' },
  { name: 'max dim keepdim', run: () => A().max(0, true).values, shape: [1, 3], values: [4, 5, 6] },
  { name: 'min all', run: () => A().min(), shape: [], values: [1] },
  { name: 'min dim: values', run: () => v(3, 7, 1, 2, 0, 9).reshape(2, 3).min(0).values, shape: [3], values: [2, 0, 1] },
  { name: 'min dim: indices', run: () => v(3, 7, 1, 2, 0, 9).reshape(2, 3).min(0).indices, shape: [3], values: [1, 1, 0], dtype: 'int64' },
  { name: 'amax', run: () => A().amax(0), shape: [3], values: [4, 5, 6] },
  { name: 'amin keepdim', run: () => A().amin(1, true), shape: [2, 1], values: [1, 4] },
  { name: 'argmax all (flattened)', run: () => v(3, 7, 1, 2, 0, 9).reshape(2, 3).argmax(), shape: [], values: [5], dtype: 'int64' },
  { name: 'argmax dim', run: () => v(3, 7, 1, 2, 0, 9).reshape(2, 3).argmax(1), shape: [2], values: [1, 2], dtype: 'int64' },
  { name: 'argmin dim keepdim', run: () => v(3, 7, 1, 2, 0, 9).reshape(2, 3).argmin(0, true), shape: [1, 3], values: [1, 1, 0], dtype: 'int64' },
  { name: 'any', run: () => bool([0, 1, 0]).any(), shape: [], values: [1], dtype: 'bool' },
  { name: 'all', run: () => bool([0, 1, 1]).all(), shape: [], values: [0], dtype: 'bool' },
  { name: 'var unbiased', run: () => A().var(1), shape: [2], values: [1, 1] },
  { name: 'var biased', run: () => A().var(1, { correction: 0 }), shape: [2], values: [2 / 3, 2 / 3], tol: F32 },
  { name: 'std unbiased keepdim', run: () => A().std(0, { keepdim: true }), shape: [1, 3], values: [3, 3, 3].map((x) => x / Math.SQRT2), tol: F32 },
  { name: 'norm 2 (all)', run: () => A().norm(), shape: [], values: [Math.sqrt(91)], tol: F32 },
  { name: 'norm 1', run: () => A().norm(1), shape: [], values: [21] },
  { name: 'norm 2 along dim', run: () => A().norm(2, 1), shape: [2], values: [Math.sqrt(14), Math.sqrt(77)], tol: F32 },
  { name: 'norm inf along dim keepdim', run: () => v(-7, 2, 3, -1).reshape(2, 2).norm(Infinity, 1, true), shape: [2, 1], values: [7, 3] },
  { name: 'cumsum', run: () => A().cumsum(1), shape: [2, 3], values: [1, 3, 6, 4, 9, 15] },
  { name: 'topk values', run: () => v(3, 1, 4, 1, 5).topk(2).values, shape: [2], values: [5, 4] },
  { name: 'topk indices', run: () => v(3, 1, 4, 1, 5).topk(2).indices, shape: [2], values: [4, 2], dtype: 'int64' },
  { name: 'topk smallest', run: () => v(3, 1, 4, 0, 5).topk(2, -1, false).values, shape: [2], values: [0, 1] },
  { name: 'sort values', run: () => v(3, 1, 2).sort().values, shape: [3], values: [1, 2, 3] },
  { name: 'sort indices', run: () => v(3, 1, 2).sort().indices, shape: [3], values: [1, 2, 0], dtype: 'int64' },
  { name: 'sort descending', run: () => v(3, 1, 2).sort(0, true).values, shape: [3], values: [3, 2, 1] },
  { name: 'softmax', run: () => v(0, Math.log(3)).softmax(0), shape: [2], values: [0.25, 0.75], tol: F32 },
  { name: 'logSoftmax', run: () => v(0, Math.log(3)).logSoftmax(0), shape: [2], values: [Math.log(0.25), Math.log(0.75)], tol: F32 },
  // ---- linear algebra ----
  { name: 'matmul A·Aᵀ', run: () => A().matmul(A().T), shape: [2, 2], values: [14, 32, 32, 77] },
  { name: 'matmul vector', run: () => A().matmul(v(1, 0, -1)), shape: [2], values: [-2, -2] },
  { name: 'matmul broadcast batch', run: () => torch.stack([A(), A().mul(2)]).matmul(v(1, 1, 1).reshape(3, 1)), shape: [2, 2, 1], values: [6, 15, 12, 30] },
  { name: 'mm', run: () => A().mm(torch.ones([3, 1])), shape: [2, 1], values: [6, 15] },
  { name: 'bmm', run: () => A().reshape(1, 2, 3).bmm(A().reshape(1, 3, 2)), shape: [1, 2, 2], values: [22, 28, 49, 64] },
  { name: 'dot', run: () => v(1, 2, 3).dot(v(4, 5, 6)), shape: [], values: [32] },
  { name: 'outer', run: () => v(1, 2).outer(v(3, 4)), shape: [2, 2], values: [3, 4, 6, 8] },
  // ---- shape and layout ----
  { name: 'reshape', run: () => A().reshape(3, 2), shape: [3, 2], values: [1, 2, 3, 4, 5, 6] },
  { name: 'reshape with -1', run: () => A().reshape(-1), shape: [6], values: [1, 2, 3, 4, 5, 6] },
  { name: 'view', run: () => A().view(6, 1), shape: [6, 1], values: [1, 2, 3, 4, 5, 6] },
  { name: 'permute', run: () => A().permute(1, 0), shape: [3, 2], values: [1, 4, 2, 5, 3, 6] },
  { name: 'transpose 3-D', run: () => torch.arange(8, undefined, 1, { dtype: 'float32' }).reshape(2, 2, 2).transpose(0, 2), shape: [2, 2, 2], values: [0, 4, 2, 6, 1, 5, 3, 7] },
  { name: 'T', run: () => A().T, shape: [3, 2], values: [1, 4, 2, 5, 3, 6] },
  { name: 'contiguous', run: () => A().T.contiguous(), shape: [3, 2], values: [1, 4, 2, 5, 3, 6] },
  { name: 'unsqueeze', run: () => v(1, 2).unsqueeze(1), shape: [2, 1], values: [1, 2] },
  { name: 'squeeze all', run: () => torch.ones([1, 2, 1]).squeeze(), shape: [2], values: [1, 1] },
  { name: 'squeeze dim', run: () => torch.ones([1, 2, 1]).squeeze(-1), shape: [1, 2], values: [1, 1] },
  { name: 'flatten', run: () => torch.zeros([2, 3, 4]).flatten(1), shape: [2, 12], values: new Array(24).fill(0) },
  { name: 'flatten range', run: () => torch.zeros([2, 3, 4, 5]).flatten(1, 2).sum([0, 2]), shape: [12], values: new Array(12).fill(0) },
  { name: 'expand', run: () => v(1, 2).reshape(2, 1).expand(2, 3), shape: [2, 3], values: [1, 1, 1, 2, 2, 2] },
  { name: 'expandAs', run: () => v(7).expandAs(A()), shape: [2, 3], values: [7, 7, 7, 7, 7, 7] },
  { name: 'repeat', run: () => v(1, 2).repeat(2, 2), shape: [2, 4], values: [1, 2, 1, 2, 1, 2, 1, 2] },
  { name: 'narrow', run: () => A().narrow(1, 1, 2), shape: [2, 2], values: [2, 3, 5, 6] },
  { name: 'slice with step', run: () => A().slice(1, 0, null, 2), shape: [2, 2], values: [1, 3, 4, 6] },
  { name: 'slice with negative start', run: () => A().slice(1, -2), shape: [2, 2], values: [2, 3, 5, 6] },
  { name: 'select', run: () => A().select(0, 1), shape: [3], values: [4, 5, 6] },
  { name: 'select negative index', run: () => A().select(1, -1), shape: [2], values: [3, 6] },
  { name: 'index rows', run: () => A().index([long([1, 0, 1])]), shape: [3, 3], values: [4, 5, 6, 1, 2, 3, 4, 5, 6] },
  { name: 'index columns (null = full slice)', run: () => A().index([null, long([2, 0])]), shape: [2, 2], values: [3, 1, 6, 4] },
  { name: 'index pairs', run: () => A().index([long([0, 1]), long([2, 0])]), shape: [2], values: [3, 4] },
  { name: 'index with a bool mask', run: () => A().index([bool([0, 1])]), shape: [1, 3], values: [4, 5, 6] },
  { name: 'indexSelect', run: () => A().indexSelect(1, long([2, 0])), shape: [2, 2], values: [3, 1, 6, 4] },
  { name: 'gather', run: () => A().gather(1, long([0, 0, 1, 0], [2, 2])), shape: [2, 2], values: [1, 1, 5, 4] },
  { name: 'scatter tensor', run: () => torch.zeros([2, 3]).scatter(1, long([2, 0], [2, 1]), v(7, 8).reshape(2, 1)), shape: [2, 3], values: [0, 0, 7, 8, 0, 0] },
  { name: 'scatter value (one-hot)', run: () => torch.zeros([2, 3]).scatter(1, long([1, 2], [2, 1]), 1), shape: [2, 3], values: [0, 1, 0, 0, 0, 1] },
  { name: 'scatterAdd', run: () => torch.zeros([3]).scatterAdd(0, long([0, 2, 0]), v(1, 2, 3)), shape: [3], values: [4, 0, 2] },
  { name: 'maskedFill (broadcast mask)', run: () => A().maskedFill(bool([1, 0, 1]), 0), shape: [2, 3], values: [0, 2, 0, 0, 5, 0] },
  { name: 'where', run: () => A().where(bool([1, 0, 1]), torch.zeros([2, 3])), shape: [2, 3], values: [1, 0, 3, 4, 0, 6] },
  { name: 'chunk (3 of 3)', run: () => torch.cat(A().chunk(3, 1).map((c) => c.sum(1))), shape: [6], values: [1, 4, 2, 5, 3, 6] },
  { name: 'split by size', run: () => torch.stack(A().split(2, 1).map((c) => c.sum())), shape: [2], values: [12, 9] },
  { name: 'split by sizes', run: () => torch.stack(A().split([1, 2], 1).map((c) => c.sum())), shape: [2], values: [5, 16] },
  { name: 'flip', run: () => A().flip(1), shape: [2, 3], values: [3, 2, 1, 6, 5, 4] },
  { name: 'flip two dims', run: () => A().flip(0, 1), shape: [2, 3], values: [6, 5, 4, 3, 2, 1] },
  { name: 'roll', run: () => A().roll(1, 1), shape: [2, 3], values: [3, 1, 2, 6, 4, 5] },
  { name: 'roll two dims', run: () => A().roll([1, -1], [0, 1]), shape: [2, 3], values: [5, 6, 4, 2, 3, 1] },
  { name: 'tril', run: () => A().tril(), shape: [2, 3], values: [1, 0, 0, 4, 5, 0] },
  { name: 'triu diagonal 1', run: () => A().triu(1), shape: [2, 3], values: [0, 2, 3, 0, 0, 6] },
  // ---- conversion ----
  { name: 'to int64 truncates', run: () => v(1.7, -1.7).to('int64'), shape: [2], values: [1, -1], dtype: 'int64' },
  { name: 'to float16 rounds to nearest even', run: () => v(0.1, 2049).to('float16'), shape: [2], values: [0.0999755859375, 2048], dtype: 'float16' },
  { name: 'to bool', run: () => v(0, -2).to('bool'), shape: [2], values: [0, 1], dtype: 'bool' },
  { name: 'to cpu', run: () => A().to('cpu'), shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
  { name: 'float', run: () => long([3]).float(), shape: [1], values: [3], dtype: 'float32' },
  { name: 'double', run: () => v(0.1).double(), shape: [1], values: [Math.fround(0.1)], dtype: 'float64' },
  { name: 'long', run: () => v(2.9).long(), shape: [1], values: [2], dtype: 'int64' },
  { name: 'clone', run: () => A().clone(), shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
  { name: 'detach', run: () => A().detach(), shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
];

for (const row of ROWS) {
  test(`Tensor.${row.name}`, () => {
    torch.tidy(() => {
      const t = row.run();
      assertTensor(t, row.shape, row.values, row.name, row.tol);
      assert.equal(t.dtype, row.dtype ?? 'float32', `${row.name}: dtype`);
    });
  });
}

test('in-place methods return their receiver and share its storage', () => {
  torch.tidy(() => {
    const t = A();
    assert.equal(t.add_(1), t);
    assert.equal(t.relu_().zero_().fill_(2).mul_(3), t);
    const view = t.select(0, 0);
    view.fill_(0);
    assert.deepEqual(vals(t), [0, 0, 0, 6, 6, 6], 'writes through a view reach the base');
  });
});

test('metadata: shape, ndim, numel, size, strides, contiguity, dtype, device, toString', () => {
  torch.tidy(() => {
    const t = torch.zeros([2, 3, 4]);
    assert.deepEqual(t.shape, [2, 3, 4]);
    assert.equal(t.ndim, 3);
    assert.equal(t.numel, 24);
    assert.equal(t.size(-1), 4);
    assert.equal(t.size(0), 2);
    assert.deepEqual(t.strides, [12, 4, 1]);
    assert.equal(t.isContiguous(), true);
    const tt = t.transpose(0, 2);
    assert.deepEqual(tt.strides, [1, 4, 12]);
    assert.equal(tt.isContiguous(), false);
    assert.equal(t.dtype, 'float32');
    assert.equal(t.device, 'cpu');
    assert.equal(t.toString(), 'Tensor(float32[2, 3, 4], cpu)');
    assert.equal(torch.tensor(5, []).ndim, 0);
    assert.equal(torch.tensor(5, []).numel, 1);
  });
});

test('data out: toNdArray, dataSync, toFloat64Array, toFloat32Array, item, copyFromTyped', () => {
  torch.tidy(() => {
    const t = A();
    const arr = t.toNdArray();
    assert.equal(arr.dtype, 'float32');
    assert.deepEqual(arr.shape, [2, 3]);
    assert.deepEqual(Array.from(arr.data as Float32Array), [1, 2, 3, 4, 5, 6]);
    assert.ok(t.dataSync() instanceof Float32Array);
    assert.deepEqual(Array.from(t.T.dataSync() as Float32Array), [1, 4, 2, 5, 3, 6], 'non-contiguous tensors come out in C order');
    assert.ok(t.toFloat64Array() instanceof Float64Array);
    assert.deepEqual(Array.from(long([3, -4]).toFloat32Array()), [3, -4]);
    assert.equal(v(2.5).item(), 2.5);
    assert.equal(long([7]).item(), 7);
    assert.equal(bool([1]).item(), 1);
    t.copyFromTyped(Float32Array.from([6, 5, 4, 3, 2, 1]));
    assert.deepEqual(vals(t), [6, 5, 4, 3, 2, 1]);
    assert.throws(() => t.copyFromTyped(new Float32Array(2)), /expected 24 bytes, got 8/);
  });
});

test('comparisons as booleans: equal and allclose', () => {
  torch.tidy(() => {
    assert.equal(A().equal(A()), true);
    assert.equal(A().equal(A().add(1e-3)), false);
    assert.equal(A().equal(A().reshape(3, 2)), false, 'same values, different shape');
    assert.equal(A().allclose(A().add(1e-6)), true);
    assert.equal(A().allclose(A().add(1e-3)), false);
    assert.equal(A().allclose(A().add(1e-3), 0, 1e-2), true);
  });
});

test('random in-place fills: normal_, uniform_, bernoulli_ (statistics and reproducibility)', () => {
  torch.tidy(() => {
    torch.manualSeed(7);
    const n = torch.zeros([20000]).normal_(2, 3);
    assert.ok(Math.abs(n.mean().item() - 2) < 0.1 && Math.abs(n.std(0).item() - 3) < 0.1);
    const u = torch.zeros([20000]).uniform_(2, 3);
    assert.ok(u.min().item() >= 2 && u.max().item() < 3 && Math.abs(u.mean().item() - 2.5) < 0.02);
    const b = torch.zeros([20000]).bernoulli_(0.25);
    assert.ok(vals(b.eq(0).logicalOr(b.eq(1)).all()).every((x) => x === 1));
    assert.ok(Math.abs(b.mean().item() - 0.25) < 0.02);
    torch.manualSeed(7);
    assert.ok(torch.zeros([20000]).normal_(2, 3).equal(n), 'manualSeed makes draws reproducible');
  });
});
