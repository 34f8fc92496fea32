/** Creating tensors, dtype round trips (float16, bool, int64), multi-tensor functions, runtime settings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { toHalf } from '../../src/io/float16.js';
import { assertTensor, vals } from './values.js';

test('tensor() from nested arrays, typed arrays, numbers; dtype inference and options', () => {
  torch.tidy(() => {
    assertTensor(torch.tensor([[1, 2], [3, 4]]), [2, 2], [1, 2, 3, 4], 'nested');
    assert.equal(torch.tensor([1, 2]).dtype, 'float32');
    assert.equal(torch.tensor(Float64Array.from([1])).dtype, 'float64');
    assert.equal(torch.tensor(Int32Array.from([1])).dtype, 'int32');
    assert.equal(torch.tensor(Int16Array.from([1])).dtype, 'int16');
    assert.equal(torch.tensor(Int8Array.from([1])).dtype, 'int8');
    assert.equal(torch.tensor(Uint8Array.from([1])).dtype, 'uint8');
    assert.equal(torch.tensor(BigInt64Array.from([1n])).dtype, 'int64');
    assertTensor(torch.tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]), [3, 2], [1, 2, 3, 4, 5, 6], 'typed + shape');
    assertTensor(torch.tensor(2.5), [], [2.5], 'single number (0-d)');
    assertTensor(torch.tensor([[true, false]], { dtype: 'bool' }), [1, 2], [1, 0], 'booleans');
    assertTensor(torch.tensor([1, 2], { dtype: 'int64' }), [2], [1, 2], 'numbers as int64');
    assertTensor(torch.tensor([1, -2], { dtype: 'int8' }), [2], [1, -2], 'numbers as int8');
    const g = torch.tensor([1, 2], { requiresGrad: true });
    assert.equal(g.requiresGrad, true);
    assert.equal(torch.tensor([]).numel, 0);
  });
});

test('tensor() rejects ragged arrays, wrong element types and size mismatches, naming the problem', () => {
  assert.throws(() => torch.tensor([[1, 2], [3]]), /tensor\(\): ragged nested array at depth 1 \(expected length 2, got 1\)/);
  assert.throws(() => torch.tensor([[1], 2] as unknown as number[]), /ragged/);
  assert.throws(() => torch.tensor(['a'] as unknown as number[]), /expected numbers or nested arrays, got string/);
  assert.throws(() => torch.tensor(Float32Array.from([1, 2, 3]), [2, 2]), /tensor\(\): shape \[2, 2\] needs 4 values, got 3/);
  assert.throws(() => torch.tensor(Float32Array.from([1]), { dtype: 'int64' }), /data is Float32Array but dtype int64 was requested/);
  assert.throws(() => torch.tensor([1], { dtype: 'float16' }), /cannot build float16 from numbers directly/);
  assert.throws(() => torch.tensor(new Uint32Array(1)), /cannot infer a dtype from Uint32Array/);
  assert.throws(() => torch.zeros([2], { dtype: 'complex64' as torch.DType }), /unknown dtype 'complex64'/);
});

test('float16 round trip: raw half bits in, the same bits out; values convert exactly', () => {
  torch.tidy(() => {
    const bits = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000]); // 1, -2, 65504, 2^-24, inf, -0
    const h = torch.fromNdArray({ dtype: 'float16', shape: [6], data: bits });
    assert.equal(h.dtype, 'float16');
    assert.deepEqual(Array.from(h.dataSync() as Uint16Array), Array.from(bits));
    assert.deepEqual(vals(h), [1, -2, 65504, 2 ** -24, Infinity, -0]);
    const fromFloat = torch.tensor([0.1, 1 / 3, 70000]).to('float16');
    assert.deepEqual(Array.from(fromFloat.dataSync() as Uint16Array), [toHalf(0.1), toHalf(1 / 3), toHalf(70000)], 'libtorch rounds as io/float16.ts');
    const nd = torch.fromNdArray({ dtype: 'float16', shape: [2], data: Uint16Array.from([0x3800, 0x4200]) });
    assert.deepEqual(vals(nd), [0.5, 3]);
    assert.deepEqual(nd.toNdArray(), { dtype: 'float16', shape: [2], data: Uint16Array.from([0x3800, 0x4200]) });
    assertTensor(h.slice(0, 0, 2).add(h.slice(0, 0, 2)), [2], [2, -4], 'float16 arithmetic');
  });
});

test('tensor(Uint16Array of half bits, { dtype: float16 })', () => {
  const h = torch.tensor(Uint16Array.from([0x3c00]), { dtype: 'float16' });
  assert.deepEqual(vals(h), [1]);
});

test('bool and int64 round trips (int64 beyond 2^53 kept exactly)', () => {
  torch.tidy(() => {
    const b = torch.fromNdArray({ dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) });
    assert.equal(b.dtype, 'bool');
    assert.deepEqual(b.toNdArray(), { dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) });
    const big = BigInt64Array.from([2n ** 62n + 3n, -(2n ** 63n), 2n ** 53n + 1n]);
    const l = torch.fromNdArray({ dtype: 'int64', shape: [3], data: big });
    assert.deepEqual(Array.from(l.dataSync() as BigInt64Array), Array.from(big));
    assert.deepEqual(Array.from(l.add(1).dataSync() as BigInt64Array), [2n ** 62n + 4n, -(2n ** 63n) + 1n, 2n ** 53n + 2n], 'integer arithmetic stays exact');
    assert.throws(() => torch.fromNdArray({ dtype: 'uint32', shape: [1], data: Uint32Array.from([1]) }), /uint32 has no libtorch counterpart/);
  });
});

test('filled and random creation functions', () => {
  torch.tidy(() => {
    assertTensor(torch.zeros([2, 2]), [2, 2], [0, 0, 0, 0], 'zeros');
    assertTensor(torch.ones([3], { dtype: 'int64' }), [3], [1, 1, 1], 'ones int64');
    assert.equal(torch.ones([3], { dtype: 'int64' }).dtype, 'int64');
    assertTensor(torch.full([2], 0.5), [2], [0.5, 0.5], 'full');
    assertTensor(torch.full([2], 3, { dtype: 'float64' }), [2], [3, 3], 'full with an integral value in float64');
    assert.deepEqual(torch.empty([2, 0, 3]).shape, [2, 0, 3]);
    assertTensor(torch.eye(2), [2, 2], [1, 0, 0, 1], 'eye');
    assertTensor(torch.arange(4), [4], [0, 1, 2, 3], 'arange(end)');
    assert.equal(torch.arange(4).dtype, 'int64');
    assertTensor(torch.arange(1, 2, 0.25, { dtype: 'float32' }), [4], [1, 1.25, 1.5, 1.75], 'arange(start, end, step)');
    assertTensor(torch.linspace(0, 1, 5), [5], [0, 0.25, 0.5, 0.75, 1], 'linspace');
    const like = torch.tensor([[1, 2]], { dtype: 'float64' });
    assertTensor(torch.zerosLike(like), [1, 2], [0, 0], 'zerosLike');
    assertTensor(torch.onesLike(like), [1, 2], [1, 1], 'onesLike');
    assert.equal(torch.onesLike(like).dtype, 'float64');
    assert.deepEqual(torch.emptyLike(like).shape, [1, 2]);

    torch.manualSeed(1);
    const r = torch.rand([10000]);
    assert.ok(r.min().item() >= 0 && r.max().item() < 1 && Math.abs(r.mean().item() - 0.5) < 0.02);
    const n = torch.randn([10000], { dtype: 'float64' });
    assert.equal(n.dtype, 'float64');
    assert.ok(Math.abs(n.mean().item()) < 0.05 && Math.abs(n.std(0).item() - 1) < 0.05);
    const ri = torch.randint(3, 7, [1000]);
    assert.equal(ri.dtype, 'int64');
    assert.ok(ri.min().item() >= 3 && ri.max().item() <= 6);
    const p = torch.randperm(10);
    assert.deepEqual(vals(p.sort().values), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    torch.manualSeed(1);
    assert.ok(torch.rand([10000]).equal(r), 'same seed, same draws');
  });
});

test('cat, stack, einsum, where', () => {
  torch.tidy(() => {
    const a = torch.tensor([[1, 2]]);
    const b = torch.tensor([[3, 4]]);
    assertTensor(torch.cat([a, b]), [2, 2], [1, 2, 3, 4], 'cat dim 0');
    assertTensor(torch.cat([a, b], 1), [1, 4], [1, 2, 3, 4], 'cat dim 1');
    assertTensor(torch.cat([a, b], -1), [1, 4], [1, 2, 3, 4], 'cat dim -1');
    assertTensor(torch.stack([a, b]), [2, 1, 2], [1, 2, 3, 4], 'stack');
    assertTensor(torch.stack([a, b], 2), [1, 2, 2], [1, 3, 2, 4], 'stack dim 2');
    const m = torch.tensor([[1, 2], [3, 4]]);
    assertTensor(torch.einsum('ij,jk->ik', m, m), [2, 2], [7, 10, 15, 22], 'einsum matmul');
    assertTensor(torch.einsum('ii->', m), [], [5], 'einsum trace');
    assertTensor(torch.einsum('ij->ji', m), [2, 2], [1, 3, 2, 4], 'einsum transpose');
    assertTensor(torch.einsum('bi,bi->b', m, m), [2], [5, 25], 'einsum batched dot');
    // the graph unit's aggregation: Y[n,k,c,t,j] = Σ_i P[n,k,c,t,i] · Â[n,k,i,j]
    const P = torch.arange(4, undefined, 1, { dtype: 'float32' }).reshape(1, 1, 1, 2, 2);
    const Ahat = torch.tensor([[0, 1], [1, 1]]).reshape(1, 1, 2, 2);
    assertTensor(torch.einsum('nkctv,nkvw->nkctw', P, Ahat), [1, 1, 1, 2, 2], [1, 1, 3, 5], 'einsum graph aggregation');
    const cond = torch.tensor([1, 0, 1], { dtype: 'bool' });
    assertTensor(torch.where(cond, torch.tensor([1, 2, 3]), torch.tensor([-1, -2, -3])), [3], [1, -2, 3], 'where');
    assertTensor(torch.where(cond, torch.tensor([1, 2, 3]), torch.zeros([1])), [3], [1, 0, 3], 'where broadcast');
  });
});

test('runtime: version, threads, devices, seeds, grad mode, op schemas', () => {
  assert.match(torch.torchVersion(), /^1\.13\./);
  const threads = torch.getNumThreads();
  torch.setNumThreads(1);
  assert.equal(torch.getNumThreads(), 1);
  torch.setNumThreads(threads);
  assert.equal(typeof torch.cuda.isAvailable(), 'boolean');
  assert.equal(torch.cuda.deviceCount() > 0, torch.cuda.isAvailable());
  assert.equal(torch.resolveDevice('cpu'), 'cpu');
  assert.equal(torch.resolveDevice('auto'), torch.cuda.isAvailable() ? 'cuda' : 'cpu');
  if (!torch.cuda.isAvailable()) assert.throws(() => torch.resolveDevice('cuda:0'), /device 'cuda:0' requested but CUDA is not available/);
  assert.equal(torch.torchAvailable(), true);
  assert.equal(torch.isFloating('float16'), true);
  assert.equal(torch.isFloating('bfloat16'), true);
  assert.equal(torch.isFloating('int64'), false);
  assert.equal(torch.isGradEnabled(), true);
  const inside = torch.noGrad(() => [torch.isGradEnabled(), torch.enableGrad(() => torch.isGradEnabled())]);
  assert.deepEqual(inside, [false, true]);
  assert.equal(torch.isGradEnabled(), true);
  assert.throws(() => torch.noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.equal(torch.isGradEnabled(), true, 'grad mode restored after an exception');
  assert.equal(torch.opSchema(torch.op('aten::add', 'Tensor')), 'aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor');
  assert.throws(() => torch.opSchema(torch.op('aten::no_such_op')), /unknown operator aten::no_such_op \(no such schema in this libtorch\)/);
  const cosh = torch.op('aten::cosh');
  assertTensor(torch.callT(cosh, torch.tensor([0]).id), [1], [1], 'callT on any ATen operator');
  const [lo, hi] = torch.callTs(torch.op('aten::aminmax'), torch.tensor([3, -1, 2]).id);
  assert.deepEqual([lo.item(), hi.item()], [-1, 3], 'callTs on a tuple-returning operator');
});
