/**
 * The Tensor: a TypeScript wrapper around one entry of the native tensor table, with the
 * methods a PyTorch user expects. Every method is a thin call into an ATen operator through the
 * dispatcher (autograd included); none re-implements arithmetic.
 */
import { native } from './native.js';
import { op, opId, type OpRef } from './ops.js';
import { type DType, dtypeFromCode, scalarTypeCode, toArrayDType } from './dtype.js';
import { track, untrack, type Disposable } from './scope.js';
import type { NdArray, AnyTypedArray } from '../io/ndarray.js';
import { viewBytes } from '../io/ndarray.js';

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;
export type Device = string;
/** Layouts of a 4-D tensor's memory (c10::MemoryFormat). */
export type MemoryFormat = 'contiguous' | 'channels_last';
const MEMORY_FORMAT_CODES: Record<MemoryFormat, number> = { contiguous: 0, channels_last: 2 };

const A = {
  add: op('aten::add', 'Tensor'), addS: op('aten::add', 'Scalar'), add_: op('aten::add_', 'Tensor'), addS_: op('aten::add_', 'Scalar'),
  sub: op('aten::sub', 'Tensor'), subS: op('aten::sub', 'Scalar'), sub_: op('aten::sub_', 'Tensor'),
  rsub: op('aten::rsub', 'Scalar'),
  mul: op('aten::mul', 'Tensor'), mulS: op('aten::mul', 'Scalar'), mul_: op('aten::mul_', 'Tensor'), mulS_: op('aten::mul_', 'Scalar'),
  div: op('aten::div', 'Tensor'), divS: op('aten::div', 'Scalar'), div_: op('aten::div_', 'Tensor'), divS_: op('aten::div_', 'Scalar'),
  pow: op('aten::pow', 'Tensor_Tensor'), powS: op('aten::pow', 'Tensor_Scalar'),
  neg: op('aten::neg'), exp: op('aten::exp'), log: op('aten::log'), sqrt: op('aten::sqrt'), rsqrt: op('aten::rsqrt'),
  abs: op('aten::abs'), sign: op('aten::sign'), tanh: op('aten::tanh'), sigmoid: op('aten::sigmoid'), relu: op('aten::relu'),
  relu_: op('aten::relu_'), reciprocal: op('aten::reciprocal'), floor: op('aten::floor'), round: op('aten::round'),
  clamp: op('aten::clamp'), clamp_: op('aten::clamp_'),
  addcmul_: op('aten::addcmul_'), addcdiv_: op('aten::addcdiv_'), lerp_: op('aten::lerp_', 'Scalar'),
  eq: op('aten::eq', 'Tensor'), eqS: op('aten::eq', 'Scalar'), ne: op('aten::ne', 'Tensor'), neS: op('aten::ne', 'Scalar'),
  gt: op('aten::gt', 'Tensor'), gtS: op('aten::gt', 'Scalar'), lt: op('aten::lt', 'Tensor'), ltS: op('aten::lt', 'Scalar'),
  ge: op('aten::ge', 'Tensor'), geS: op('aten::ge', 'Scalar'), le: op('aten::le', 'Tensor'), leS: op('aten::le', 'Scalar'),
  logicalNot: op('aten::logical_not'), logicalAnd: op('aten::logical_and'), logicalOr: op('aten::logical_or'),
  isnan: op('aten::isnan'), isfinite: op('aten::isfinite'),
  sum: op('aten::sum'), sumDim: op('aten::sum', 'dim_IntList'), mean: op('aten::mean'), meanDim: op('aten::mean', 'dim'),
  prod: op('aten::prod'), maxAll: op('aten::max'), minAll: op('aten::min'), maxDim: op('aten::max', 'dim'), minDim: op('aten::min', 'dim'),
  amax: op('aten::amax'), amin: op('aten::amin'),
  maximum: op('aten::maximum'), minimum: op('aten::minimum'),
  argmax: op('aten::argmax'), argmin: op('aten::argmin'), any: op('aten::any'), all: op('aten::all'),
  varDim: op('aten::var', 'correction'), stdDim: op('aten::std', 'correction'), norm: op('aten::norm', 'ScalarOpt_dim'),
  cumsum: op('aten::cumsum'), topk: op('aten::topk'), sort: op('aten::sort'),
  softmax: op('aten::softmax', 'int'), logSoftmax: op('aten::log_softmax', 'int'),
  matmul: op('aten::matmul'), mm: op('aten::mm'), bmm: op('aten::bmm'), dot: op('aten::dot'), outer: op('aten::outer'),
  reshape: op('aten::reshape'), view: op('aten::view'), permute: op('aten::permute'), transpose: op('aten::transpose', 'int'),
  contiguous: op('aten::contiguous'), unsqueeze: op('aten::unsqueeze'), squeezeDim: op('aten::squeeze', 'dim'), squeeze: op('aten::squeeze'),
  flatten: op('aten::flatten', 'using_ints'), expand: op('aten::expand'), expandAs: op('aten::expand_as'), repeat: op('aten::repeat'),
  narrow: op('aten::narrow'), slice: op('aten::slice', 'Tensor'), select: op('aten::select', 'int'),
  index: op('aten::index', 'Tensor'), indexPut_: op('aten::index_put_'), indexSelect: op('aten::index_select'),
  gather: op('aten::gather'), scatter: op('aten::scatter', 'src'), scatterValue: op('aten::scatter', 'value'),
  scatterAdd: op('aten::scatter_add'), maskedFill: op('aten::masked_fill', 'Scalar'), maskedFill_: op('aten::masked_fill_', 'Scalar'),
  where: op('aten::where', 'self'), chunk: op('aten::chunk'), split: op('aten::split', 'Tensor'), splitSizes: op('aten::split_with_sizes'),
  flip: op('aten::flip'), roll: op('aten::roll'), tril: op('aten::tril'), triu: op('aten::triu'),
  to: op('aten::to', 'dtype'), toDevice: op('aten::to', 'device'), clone: op('aten::clone'), detach: op('aten::detach'),
  zero_: op('aten::zero_'), fill_: op('aten::fill_', 'Scalar'), copy_: op('aten::copy_'), normal_: op('aten::normal_'),
  uniform_: op('aten::uniform_'), bernoulli_: op('aten::bernoulli_', 'float'),
  isSame: op('aten::equal'), allclose: op('aten::allclose'),
} as const;

function call(ref: OpRef, ...args: unknown[]): unknown {
  return native().callOp(opId(ref), ...args);
}

/** Calls an operator that returns one tensor. */
export function callT(ref: OpRef, ...args: unknown[]): Tensor {
  return new Tensor(native().callOp(opId(ref), ...args) as number);
}

/** Calls an operator that returns several tensors (a tuple or a list). */
export function callTs(ref: OpRef, ...args: unknown[]): Tensor[] {
  return (native().callOp(opId(ref), ...args) as number[]).map((id) => new Tensor(id));
}

/** Calls an in-place operator: the native alias it returns is released, `self` is returned. */
function callInplace(self: Tensor, ref: OpRef, ...args: unknown[]): Tensor {
  native().release(native().callOp(opId(ref), ...args) as number);
  return self;
}

function ids(ts: readonly Tensor[]): number[] {
  return ts.map((t) => t.id);
}

export class Tensor implements Disposable {
  kept = false;
  private shapeCache: number[] | null = null;

  constructor(readonly id: number) {
    track(this);
  }

  // ---- metadata ----
  get shape(): number[] {
    return this.shapeCache ??= native().sizes(this.id);
  }
  get dtype(): DType { return dtypeFromCode(native().scalarType(this.id)); }
  get device(): Device { return native().device(this.id); }
  get ndim(): number { return this.shape.length; }
  get numel(): number { let n = 1; for (const d of this.shape) n *= d; return n; }
  get strides(): number[] { return native().strides(this.id); }
  get isDisposed(): boolean { return !native().isLive(this.id); }
  isContiguous(): boolean { return native().isContiguous(this.id); }
  size(dim: number): number { const s = this.shape; return s[dim < 0 ? dim + s.length : dim]; }

  dispose(): void {
    native().release(this.id);
    untrack(this);
  }

  toString(): string {
    return this.isDisposed ? 'Tensor(disposed)' : `Tensor(${this.dtype}[${this.shape.join(', ')}], ${this.device})`;
  }

  // ---- autograd ----
  get requiresGrad(): boolean { return native().requiresGrad(this.id); }
  set requiresGrad(flag: boolean) { native().setRequiresGrad(this.id, flag); }
  requiresGrad_(flag = true): this { native().setRequiresGrad(this.id, flag); return this; }
  get isLeaf(): boolean { return native().isLeaf(this.id); }
  /** A new reference to `.grad` (dispose it, or use tidy), or null. */
  get grad(): Tensor | null {
    const g = native().grad(this.id);
    return g === null ? null : new Tensor(g);
  }
  set grad(g: Tensor | null) { native().setGrad(this.id, g ? g.id : null); }
  backward(gradient?: Tensor, opts: { retainGraph?: boolean } = {}): void {
    native().backward(this.id, gradient ? gradient.id : null, opts.retainGraph ?? false);
  }
  detach(): Tensor { return callT(A.detach, this.id); }

  // ---- data out ----
  /** Copies the values out as an NdArray (C order; float16 as raw bits; int64 as BigInt64Array). */
  toNdArray(): NdArray {
    const dtype = toArrayDType(this.dtype);
    const buf = native().toArrayBuffer(this.id);
    const shape = this.shape;
    return { dtype, shape: [...shape], data: viewBytes(dtype, new Uint8Array(buf), shape.reduce((a, b) => a * b, 1)) } as NdArray;
  }
  /** The values as a typed array (float32 → Float32Array, int64 → BigInt64Array, ...). */
  dataSync(): AnyTypedArray { return this.toNdArray().data; }
  /** The values converted to float64 numbers (any dtype). */
  toFloat64Array(): Float64Array {
    if (this.dtype === 'float64') return this.dataSync() as Float64Array;
    const t = this.to('float64');
    try { return t.dataSync() as Float64Array; } finally { t.dispose(); }
  }
  toFloat32Array(): Float32Array {
    if (this.dtype === 'float32') return this.dataSync() as Float32Array;
    const t = this.to('float32');
    try { return t.dataSync() as Float32Array; } finally { t.dispose(); }
  }
  item(): number {
    const v = native().item(this.id);
    return typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
  /** Overwrites the values from a typed array of matching byte size (no autograd). */
  copyFromTyped(data: AnyTypedArray): this {
    native().copyFromArrayBuffer(this.id, data.buffer, data.byteOffset, data.byteLength);
    return this;
  }

  // ---- arithmetic (Tensor or scalar operands) ----
  add(other: TensorOrScalar, alpha: Scalar = 1): Tensor {
    return other instanceof Tensor ? callT(A.add, this.id, other.id, alpha) : callT(A.addS, this.id, other, alpha);
  }
  sub(other: TensorOrScalar, alpha: Scalar = 1): Tensor {
    return other instanceof Tensor ? callT(A.sub, this.id, other.id, alpha) : callT(A.subS, this.id, other, alpha);
  }
  /** other - this */
  rsub(other: Scalar): Tensor { return callT(A.rsub, this.id, other); }
  mul(other: TensorOrScalar): Tensor {
    return other instanceof Tensor ? callT(A.mul, this.id, other.id) : callT(A.mulS, this.id, other);
  }
  div(other: TensorOrScalar): Tensor {
    return other instanceof Tensor ? callT(A.div, this.id, other.id) : callT(A.divS, this.id, other);
  }
  pow(exponent: TensorOrScalar): Tensor {
    return exponent instanceof Tensor ? callT(A.pow, this.id, exponent.id) : callT(A.powS, this.id, exponent);
  }
  neg(): Tensor { return callT(A.neg, this.id); }
  exp(): Tensor { return callT(A.exp, this.id); }
  log(): Tensor { return callT(A.log, this.id); }
  sqrt(): Tensor { return callT(A.sqrt, this.id); }
  rsqrt(): Tensor { return callT(A.rsqrt, this.id); }
  abs(): Tensor { return callT(A.abs, this.id); }
  sign(): Tensor { return callT(A.sign, this.id); }
  reciprocal(): Tensor { return callT(A.reciprocal, this.id); }
  floor(): Tensor { return callT(A.floor, this.id); }
  round(): Tensor { return callT(A.round, this.id); }
  tanh(): Tensor { return callT(A.tanh, this.id); }
  sigmoid(): Tensor { return callT(A.sigmoid, this.id); }
  relu(): Tensor { return callT(A.relu, this.id); }
  clamp(min: number | null, max: number | null = null): Tensor { return callT(A.clamp, this.id, min, max); }
  maximum(other: Tensor): Tensor { return callT(A.maximum, this.id, other.id); }
  minimum(other: Tensor): Tensor { return callT(A.minimum, this.id, other.id); }

  // ---- in place (no new tensor; returns this) ----
  add_(other: TensorOrScalar, alpha: Scalar = 1): this {
    return (other instanceof Tensor ? callInplace(this, A.add_, this.id, other.id, alpha) : callInplace(this, A.addS_, this.id, other, alpha)) as this;
  }
  sub_(other: Tensor, alpha: Scalar = 1): this { return callInplace(this, A.sub_, this.id, other.id, alpha) as this; }
  mul_(other: TensorOrScalar): this {
    return (other instanceof Tensor ? callInplace(this, A.mul_, this.id, other.id) : callInplace(this, A.mulS_, this.id, other)) as this;
  }
  div_(other: TensorOrScalar): this {
    return (other instanceof Tensor ? callInplace(this, A.div_, this.id, other.id) : callInplace(this, A.divS_, this.id, other)) as this;
  }
  addcmul_(t1: Tensor, t2: Tensor, value: Scalar = 1): this { return callInplace(this, A.addcmul_, this.id, t1.id, t2.id, value) as this; }
  addcdiv_(t1: Tensor, t2: Tensor, value: Scalar = 1): this { return callInplace(this, A.addcdiv_, this.id, t1.id, t2.id, value) as this; }
  lerp_(end: Tensor, weight: number): this { return callInplace(this, A.lerp_, this.id, end.id, weight) as this; }
  relu_(): this { return callInplace(this, A.relu_, this.id) as this; }
  clamp_(min: number | null, max: number | null = null): this { return callInplace(this, A.clamp_, this.id, min, max) as this; }
  zero_(): this { return callInplace(this, A.zero_, this.id) as this; }
  fill_(value: Scalar): this { return callInplace(this, A.fill_, this.id, value) as this; }
  copy_(src: Tensor): this { return callInplace(this, A.copy_, this.id, src.id, false) as this; }
  normal_(mean = 0, std = 1): this { return callInplace(this, A.normal_, this.id, mean, std) as this; }
  uniform_(from = 0, to = 1): this { return callInplace(this, A.uniform_, this.id, from, to) as this; }
  bernoulli_(p: number): this { return callInplace(this, A.bernoulli_, this.id, p) as this; }
  maskedFill_(mask: Tensor, value: Scalar): this { return callInplace(this, A.maskedFill_, this.id, mask.id, value) as this; }
  indexPut_(indices: readonly (Tensor | null)[], values: Tensor, accumulate = false): this {
    return callInplace(this, A.indexPut_, this.id, indices.map((t) => (t ? t.id : null)), values.id, accumulate) as this;
  }

  // ---- comparison ----
  eq(o: TensorOrScalar): Tensor { return o instanceof Tensor ? callT(A.eq, this.id, o.id) : callT(A.eqS, this.id, o); }
  ne(o: TensorOrScalar): Tensor { return o instanceof Tensor ? callT(A.ne, this.id, o.id) : callT(A.neS, this.id, o); }
  gt(o: TensorOrScalar): Tensor { return o instanceof Tensor ? callT(A.gt, this.id, o.id) : callT(A.gtS, this.id, o); }
  lt(o: TensorOrScalar): Tensor { return o instanceof Tensor ? callT(A.lt, this.id, o.id) : callT(A.ltS, this.id, o); }
  ge(o: TensorOrScalar): Tensor { return o instanceof Tensor ? callT(A.ge, this.id, o.id) : callT(A.geS, this.id, o); }
  le(o: TensorOrScalar): Tensor { return o instanceof Tensor ? callT(A.le, this.id, o.id) : callT(A.leS, this.id, o); }
  logicalNot(): Tensor { return callT(A.logicalNot, this.id); }
  logicalAnd(o: Tensor): Tensor { return callT(A.logicalAnd, this.id, o.id); }
  logicalOr(o: Tensor): Tensor { return callT(A.logicalOr, this.id, o.id); }
  isnan(): Tensor { return callT(A.isnan, this.id); }
  isfinite(): Tensor { return callT(A.isfinite, this.id); }
  /** Same shape and exactly equal values (torch.equal). */
  equal(o: Tensor): boolean { return call(A.isSame, this.id, o.id) as boolean; }
  allclose(o: Tensor, rtol = 1e-5, atol = 1e-8): boolean { return call(A.allclose, this.id, o.id, rtol, atol, false) as boolean; }

  // ---- reductions ----
  /** Sum of all elements, or over `dim` (number or list). */
  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return dim === undefined ? callT(A.sum, this.id) : callT(A.sumDim, this.id, typeof dim === 'number' ? [dim] : dim, keepdim);
  }
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return dim === undefined ? callT(A.mean, this.id) : callT(A.meanDim, this.id, typeof dim === 'number' ? [dim] : dim, keepdim);
  }
  prod(): Tensor { return callT(A.prod, this.id); }
  /** Max of all elements (no dim), or {values, indices} along dim. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return callT(A.maxAll, this.id);
    const [values, indices] = callTs(A.maxDim, this.id, dim, keepdim);
    return { values, indices };
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return callT(A.minAll, this.id);
    const [values, indices] = callTs(A.minDim, this.id, dim, keepdim);
    return { values, indices };
  }
  amax(dim: number | readonly number[], keepdim = false): Tensor { return callT(A.amax, this.id, typeof dim === 'number' ? [dim] : dim, keepdim); }
  amin(dim: number | readonly number[], keepdim = false): Tensor { return callT(A.amin, this.id, typeof dim === 'number' ? [dim] : dim, keepdim); }
  argmax(dim?: number, keepdim = false): Tensor { return callT(A.argmax, this.id, dim ?? null, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return callT(A.argmin, this.id, dim ?? null, keepdim); }
  any(): Tensor { return callT(A.any, this.id); }
  all(): Tensor { return callT(A.all, this.id); }
  /** Variance over dims; `correction` 1 is unbiased (PyTorch's default), 0 biased. */
  var(dim: number | readonly number[], opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return callT(A.varDim, this.id, typeof dim === 'number' ? [dim] : dim, opts.correction ?? 1, opts.keepdim ?? false);
  }
  std(dim: number | readonly number[], opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return callT(A.stdDim, this.id, typeof dim === 'number' ? [dim] : dim, opts.correction ?? 1, opts.keepdim ?? false);
  }
  norm(p = 2, dim?: number | readonly number[], keepdim = false): Tensor {
    return callT(A.norm, this.id, { float: p }, dim === undefined ? [] : typeof dim === 'number' ? [dim] : dim, keepdim);
  }
  cumsum(dim: number): Tensor { return callT(A.cumsum, this.id, dim); }
  topk(k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } {
    const [values, indices] = callTs(A.topk, this.id, k, dim, largest, sorted);
    return { values, indices };
  }
  sort(dim = -1, descending = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = callTs(A.sort, this.id, dim, descending);
    return { values, indices };
  }
  softmax(dim: number): Tensor { return callT(A.softmax, this.id, dim); }
  logSoftmax(dim: number): Tensor { return callT(A.logSoftmax, this.id, dim); }

  // ---- linear algebra ----
  matmul(o: Tensor): Tensor { return callT(A.matmul, this.id, o.id); }
  mm(o: Tensor): Tensor { return callT(A.mm, this.id, o.id); }
  bmm(o: Tensor): Tensor { return callT(A.bmm, this.id, o.id); }
  dot(o: Tensor): Tensor { return callT(A.dot, this.id, o.id); }
  outer(o: Tensor): Tensor { return callT(A.outer, this.id, o.id); }

  // ---- shape and layout ----
  reshape(...shape: number[]): Tensor { return callT(A.reshape, this.id, shape); }
  view(...shape: number[]): Tensor { return callT(A.view, this.id, shape); }
  permute(...dims: number[]): Tensor { return callT(A.permute, this.id, dims); }
  transpose(d0: number, d1: number): Tensor { return callT(A.transpose, this.id, d0, d1); }
  get T(): Tensor { return this.transpose(0, 1); }
  /** A contiguous copy (or this tensor's data when already so), in the given memory format. */
  contiguous(memoryFormat: MemoryFormat = 'contiguous'): Tensor { return callT(A.contiguous, this.id, MEMORY_FORMAT_CODES[memoryFormat]); }
  /**
   * Whether a 4-D tensor [N, C, H, W] is laid out channels-last (memory order N, H, W, C), as
   * libtorch's CPU convolutions, batch norm and pooling then produce it.
   */
  isChannelsLast(): boolean {
    if (this.ndim !== 4) return false;
    const [, c, h, w] = this.shape;
    const [sn, sc, sh, sw] = this.strides;
    return sc === 1 && (w === 1 || sw === c) && (h === 1 || sh === c * w) && (this.shape[0] === 1 || sn === c * h * w);
  }
  unsqueeze(dim: number): Tensor { return callT(A.unsqueeze, this.id, dim); }
  squeeze(dim?: number): Tensor { return dim === undefined ? callT(A.squeeze, this.id) : callT(A.squeezeDim, this.id, dim); }
  flatten(startDim = 0, endDim = -1): Tensor { return callT(A.flatten, this.id, startDim, endDim); }
  expand(...shape: number[]): Tensor { return callT(A.expand, this.id, shape); }
  expandAs(o: Tensor): Tensor { return callT(A.expandAs, this.id, o.id); }
  repeat(...times: number[]): Tensor { return callT(A.repeat, this.id, times); }
  narrow(dim: number, start: number, length: number): Tensor { return callT(A.narrow, this.id, dim, start, length); }
  /** Python's t[..., start:end:step] along one dim. */
  slice(dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor {
    return callT(A.slice, this.id, dim, start, end, step);
  }
  select(dim: number, index: number): Tensor { return callT(A.select, this.id, dim, index); }
  /** Advanced indexing t[i0, i1, ...] with index tensors (null = full slice). */
  index(indices: readonly (Tensor | null)[]): Tensor { return callT(A.index, this.id, indices.map((t) => (t ? t.id : null))); }
  indexSelect(dim: number, index: Tensor): Tensor { return callT(A.indexSelect, this.id, dim, index.id); }
  gather(dim: number, index: Tensor): Tensor { return callT(A.gather, this.id, dim, index.id, false); }
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor {
    return src instanceof Tensor ? callT(A.scatter, this.id, dim, index.id, src.id) : callT(A.scatterValue, this.id, dim, index.id, src);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return callT(A.scatterAdd, this.id, dim, index.id, src.id); }
  maskedFill(mask: Tensor, value: Scalar): Tensor { return callT(A.maskedFill, this.id, mask.id, value); }
  /** condition ? this : other */
  where(condition: Tensor, other: Tensor): Tensor { return callT(A.where, condition.id, this.id, other.id); }
  chunk(chunks: number, dim = 0): Tensor[] { return callTs(A.chunk, this.id, chunks, dim); }
  split(size: number | readonly number[], dim = 0): Tensor[] {
    return typeof size === 'number' ? callTs(A.split, this.id, size, dim) : callTs(A.splitSizes, this.id, size, dim);
  }
  flip(...dims: number[]): Tensor { return callT(A.flip, this.id, dims); }
  roll(shifts: number | number[], dims: number | number[]): Tensor {
    return callT(A.roll, this.id, typeof shifts === 'number' ? [shifts] : shifts, typeof dims === 'number' ? [dims] : dims);
  }
  tril(diagonal = 0): Tensor { return callT(A.tril, this.id, diagonal); }
  triu(diagonal = 0): Tensor { return callT(A.triu, this.id, diagonal); }

  // ---- conversion ----
  to(dtypeOrDevice: DType | Device): Tensor {
    return isDeviceString(dtypeOrDevice)
      ? callT(A.toDevice, this.id, dtypeOrDevice, this.dtypeCode(), false, false)
      : callT(A.to, this.id, scalarTypeCode(dtypeOrDevice as DType), false, false);
  }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  long(): Tensor { return this.to('int64'); }
  clone(): Tensor { return callT(A.clone, this.id); }
  private dtypeCode(): number { return native().scalarType(this.id); }
}

function isDeviceString(s: string): boolean {
  return s === 'cpu' || s.startsWith('cuda') || s === 'meta';
}

export { ids };
