/**
 * The recogniser's inference graph as ONNX, written from the TypeScript model (src/model/): the
 * backbone's features and the classifier, with the multi-clip 'prob' averaging of the original's
 * test step. The auxiliary outputs x1/x2 are left out (the original discards them at test time).
 *
 * Input `keypoint` [batch, clips, persons, frames, joints, channels]: every clip of every sample
 * runs as one batch. Outputs `logits` [batch, clips, classes] and `scores` [batch, classes] (the
 * softmax averaged over clips). Batch, clips and frames are dynamic; persons too for the K400
 * backbone (the other's data BN normalises per person slot, so the person count is fixed).
 *
 * Eval-mode batch norms are folded into the convolution before them; the ones that follow a
 * concatenation or an addition become one multiply-add. Each module below mirrors the forward
 * of its class in src/model/ (same function; the graph unit's conv1/conv2 run on the time-mean
 * of x, as the channels-last forward does).
 */
import type { Tensor, nn } from '../torch/index.js';
import { nn as NN } from '../torch/index.js';
import type { Recognizer } from '../model/recognizer.js';
import type { Backbone } from '../model/backbone.js';
import type { GcnBlock } from '../model/block.js';
import { GcnUnit, NUM_SUBSETS } from '../model/gcn-unit.js';
import { MultiScaleTemporalUnit, TemporalConv } from '../model/mstcn.js';
import { OnnxGraphBuilder } from './onnx-builder.js';

export const INPUT_NAME = 'keypoint';
export const SCORES_NAME = 'scores';
export const LOGITS_NAME = 'logits';

export interface InferenceGraph {
  /** The serialised ModelProto. */
  bytes: Uint8Array;
  /** Sizes of the input axes; null where dynamic. */
  inputDims: (number | null)[];
}

/** Writes `model` (in eval mode) as an ONNX model with the given metadata_props. */
export function exportInferenceGraph(model: Recognizer, o: { metadata: Record<string, string>; producerVersion: string; inChannels: number }): InferenceGraph {
  const g = new OnnxGraphBuilder();
  const bb = model.backbone;
  const isK400 = bb.variant === 'GCN_Module_LLM_K400';
  const V = bb.numJoints;
  const x = INPUT_NAME;
  const shape = g.op('Shape', [x]);
  const frames = g.op('Slice', [shape, g.ints([3]), g.ints([4])]);
  const leading = g.op('Slice', [shape, g.ints([0]), g.ints([3])]); // [batch, clips, persons]

  let h = isK400 ? embedK400(g, bb, x, frames) : embedJoints(g, bb, x, frames);
  for (const block of bb.blocks) h = gcnBlock(g, block, h, V);

  // SimpleHead: mean over (T', V), then persons; fc_cls.
  const Cf = bb.outChannels;
  const pooled = g.op('ReduceMean', [h], { axes: [2, 3], keepdims: 0 }); // [B·clips·M, Cf]
  const perPerson = g.op('Reshape', [pooled, g.op('Concat', [leading, g.ints([Cf])], { axis: 0 })]);
  const perClip = g.op('ReduceMean', [perPerson], { axes: [2], keepdims: 0 }); // [B, clips, Cf]
  const fc = model.head.fc;
  const logits = g.op('Add', [g.op('MatMul', [perClip, transposed(g, fc.weight)]), g.floats(f32(fc.bias!), [model.numClasses], 'fc_bias')]);
  const scores = g.op('ReduceMean', [g.op('Softmax', [logits], { axis: 2 })], { axes: [1], keepdims: 0 });
  g.output(logits, LOGITS_NAME);
  g.output(scores, SCORES_NAME);

  const persons: number | string = isK400 ? 'persons' : bb.numPerson;
  const inputDims: (number | string)[] = ['batch', 'clips', persons, 'frames', V, o.inChannels];
  const bytes = g.model({
    inputs: [{ name: INPUT_NAME, dims: inputDims }],
    outputs: [{ name: LOGITS_NAME, dims: ['batch', 'clips', model.numClasses] }, { name: SCORES_NAME, dims: ['batch', model.numClasses] }],
    producerVersion: o.producerVersion,
    metadata: o.metadata,
    docString: 'SkeletonAgent recogniser (backbone + classifier); input keypoint [batch, clips, persons, frames, joints, channels]',
  });
  return { bytes, inputDims: inputDims.map((d) => (typeof d === 'number' ? d : null)) };
}

/** GCN_Module_LLM: per-joint Linear + pos_embedding, data BN per (person, joint, channel) → [B·clips·M, C0, T, V]. */
function embedJoints(g: OnnxGraphBuilder, bb: Backbone, x: string, frames: string): string {
  const lin = bb.jointEmbedding!;
  const C0 = bb.baseChannels;
  const V = bb.numJoints;
  const M = bb.numPerson;
  const { scale, shift } = bnAffine(bb.dataBn); // index (m, v, c)
  const bias = f32(lin.bias!);
  const pos = f32(bb.posEmbedding!); // [1, V_max, C0]
  // (x W^T + b + pos[v]) * s + t = (x W^T) * s + ((b + pos[v]) * s + t)
  const offset = new Float32Array(M * V * C0);
  for (let m = 0; m < M; m++) for (let v = 0; v < V; v++) for (let c = 0; c < C0; c++) {
    const i = (m * V + v) * C0 + c;
    offset[i] = (bias[c] + pos[v * C0 + c]) * scale[i] + shift[i];
  }
  const e = g.op('MatMul', [x, transposed(g, lin.weight)]); // [B, clips, M, T, V, C0]
  const y = g.op('Add', [g.op('Mul', [e, g.floats(Float32Array.from(scale), [M, 1, V, C0], 'data_bn_scale')]), g.floats(offset, [M, 1, V, C0], 'data_bn_offset')]);
  const t = g.op('Transpose', [y], { perm: [0, 1, 2, 5, 3, 4] }); // [B, clips, M, C0, T, V]
  return g.op('Reshape', [t, g.op('Concat', [g.ints([-1, C0]), frames, g.ints([V])], { axis: 0 })]);
}

/** GCN_Module_LLM_K400: data BN per (joint, channel) of the raw input → [B·clips·M, C, T, V]. */
function embedK400(g: OnnxGraphBuilder, bb: Backbone, x: string, frames: string): string {
  const V = bb.numJoints;
  const { scale, shift } = bnAffine(bb.dataBn); // index (v, c)
  const C = scale.length / V;
  const y = g.op('Add', [g.op('Mul', [x, g.floats(Float32Array.from(scale), [V, C], 'data_bn_scale')]), g.floats(Float32Array.from(shift), [V, C], 'data_bn_shift')]);
  const t = g.op('Transpose', [y], { perm: [0, 1, 2, 5, 3, 4] });
  return g.op('Reshape', [t, g.op('Concat', [g.ints([-1, C]), frames, g.ints([V])], { axis: 0 })]);
}

function gcnBlock(g: OnnxGraphBuilder, block: GcnBlock, x: string, V: number): string {
  const y = temporalUnit(g, block.tcn, graphUnit(g, block.gcn, x, V), V);
  if (block.residualMode === 'none') return g.op('Relu', [y]);
  const res = block.residualMode === 'identity' ? x : temporalConv(g, block.residual!, x);
  return g.op('Relu', [g.op('Add', [y, res])]);
}

function graphUnit(g: OnnxGraphBuilder, unit: GcnUnit, x: string, V: number): string {
  const K = NUM_SUBSETS;
  const m = unit.mid;
  const [preConv, preBn] = unit.pre.items as [nn.Conv2d, nn.BatchNorm2d];
  const P = g.op('Relu', [conv(g, preConv, x, preBn)]); // [n, K·m, t, V]
  const res = unit.down ? conv(g, unit.down.items[0] as nn.Conv2d, x, unit.down.items[1] as nn.BatchNorm2d) : x;
  // conv1 and conv2 are only used through their mean over time: run them on mean_t(x).
  const w12 = concatF32([unit.conv1.weight, unit.conv2.weight]);
  const b12 = concatF32([unit.conv1.bias!, unit.conv2.bias!]);
  const q = g.op('Conv', [g.op('ReduceMean', [x], { axes: [2], keepdims: 1 }), g.floats(w12, [2 * K * m, unit.inChannels, 1, 1], 'w12'), g.floats(b12, [2 * K * m], 'b12')]);
  const [q1s, q2s] = g.opMulti('Split', [g.op('Reshape', [q, g.ints([0, 2, K, m, V])]), g.ints([1, 1])], 2, { axis: 1 });
  const q1 = g.op('Reshape', [q1s, g.ints([0, K, m, V])]);
  const q2 = g.op('Reshape', [q2s, g.ints([0, K, m, V])]);
  const alpha = f32(unit.alpha)[0];
  const beta = f32(unit.beta)[0];
  // inter[n,k,c,i,j] = tanh(q1[..,i] − q2[..,j]) · alpha[0]
  const diff = g.op('Sub', [g.op('Unsqueeze', [q1, g.ints([4])]), g.op('Unsqueeze', [q2, g.ints([3])])]);
  const inter = g.op('Mul', [g.op('Tanh', [diff]), g.floats([alpha], [], 'alpha')]);
  // intra[n,k,i,j] = softmax_i(Σ_c q1[c,i] q2[c,j]) · beta[0]
  const sim = g.op('MatMul', [g.op('Transpose', [q1], { perm: [0, 1, 3, 2] }), q2]);
  const intra = g.op('Mul', [g.op('Softmax', [sim], { axis: 2 }), g.floats([beta], [], 'beta')]);
  const adj = g.op('Add', [g.op('Add', [inter, g.op('Unsqueeze', [intra, g.ints([2])])]), g.floats(f32(unit.A), [K, 1, V, V], 'A')]);
  // Y[n,k,c,t,j] = Σ_i P[n,k,c,t,i] adj[n,k,c,i,j]
  const Y = g.op('MatMul', [g.op('Reshape', [P, g.ints([0, K, m, -1, V])]), adj]);
  const y = g.op('Reshape', [Y, g.ints([0, K * m, -1, V])]);
  return g.op('Relu', [g.op('Add', [conv(g, unit.post, y, unit.bn), res])]);
}

function temporalUnit(g: OnnxGraphBuilder, unit: MultiScaleTemporalUnit, x: string, V: number): string {
  const s = unit.stride;
  const glob = g.op('ReduceMean', [x], { axes: [3], keepdims: 1 });
  const xg = g.op('Concat', [x, glob], { axis: 3 }); // [n, C, t, V+1]
  const entries = unit.branches.items.filter((b): b is nn.Sequential => b instanceof NN.Sequential);
  const pointwise = unit.branches.items.find((b): b is nn.Conv2d => b instanceof NN.Conv2d)!;
  // The entry 1×1 convs of branches 0–4 (each with its BN folded) as one convolution.
  const folded = entries.map((e) => foldConv(e.items[0] as nn.Conv2d, e.items[1] as nn.BatchNorm2d));
  const widths = folded.map((f) => f.bias.length);
  const inC = pointwise.inChannels;
  const entryOut = g.op('Relu', [g.op('Conv', [xg, g.floats(concatArrays(folded.map((f) => f.weight)), [sum(widths), inC, 1, 1], 'tcn_entry_w'), g.floats(concatArrays(folded.map((f) => f.bias)), [sum(widths)], 'tcn_entry_b')])]);
  const parts = g.opMulti('Split', [entryOut, g.ints(widths)], widths.length, { axis: 1 });
  const outs = entries.map((e, i) => {
    const tail = e.items[3];
    if (tail instanceof TemporalConv) return conv(g, tail.conv, parts[i]);
    if (tail instanceof NN.MaxPool2d) return g.op('MaxPool', [parts[i]], { kernel_shape: [3, 1], strides: [s, 1], pads: [1, 0, 1, 0] });
    throw new TypeError(`onnx export: unexpected temporal branch ${tail.constructor.name}`);
  });
  outs.push(conv(g, pointwise, xg));
  const catOut = g.op('Concat', outs, { axis: 1 }); // [n, out, t', V+1]
  const [local, globCol] = g.opMulti('Split', [catOut, g.ints([V, 1])], 2, { axis: 3 });
  const coeff = f32(unit.addCoeff).slice(0, V);
  const feat = g.op('Add', [local, g.op('Mul', [globCol, g.floats(coeff, [V], 'add_coeff')])]);
  const [tBn, , tConv] = unit.transform.items as [nn.BatchNorm2d, nn.ReLU, nn.Conv2d];
  const { scale, shift } = bnAffine(tBn);
  const C = scale.length;
  const normed = g.op('Relu', [g.op('Add', [g.op('Mul', [feat, g.floats(Float32Array.from(scale), [C, 1, 1], 'bn_scale')]), g.floats(Float32Array.from(shift), [C, 1, 1], 'bn_shift')])]);
  return conv(g, tConv, normed, unit.bn);
}

function temporalConv(g: OnnxGraphBuilder, tc: TemporalConv, x: string): string {
  return conv(g, tc.conv, x, tc.bn ?? undefined);
}

/** Conv2d (with the eval-mode BN after it folded in). */
function conv(g: OnnxGraphBuilder, c: nn.Conv2d, x: string, bn?: nn.BatchNorm2d): string {
  const { weight, bias } = bn ? foldConv(c, bn) : { weight: f32(c.weight), bias: c.bias ? f32(c.bias) : new Float32Array(c.outChannels) };
  const [kh, kw] = c.weight.shape.slice(2);
  return g.op('Conv', [x, g.floats(weight, c.weight.shape, 'conv_w'), g.floats(bias, [c.outChannels], 'conv_b')], {
    kernel_shape: [kh, kw],
    strides: [...c.stride],
    dilations: [...c.dilation],
    pads: [c.padding[0], c.padding[1], c.padding[0], c.padding[1]],
    group: c.groups,
  });
}

/** W' = W · γ/√(σ²+ε) per output channel, b' = (b − μ) · γ/√(σ²+ε) + β (in float64). */
function foldConv(c: nn.Conv2d, bn: nn.BatchNorm2d): { weight: Float32Array; bias: Float32Array } {
  const w = f32(c.weight);
  const b = c.bias ? f32(c.bias) : new Float32Array(c.outChannels);
  const { scale, shift } = bnAffine(bn);
  const per = w.length / c.outChannels;
  const weight = new Float32Array(w.length);
  const bias = new Float32Array(c.outChannels);
  for (let o = 0; o < c.outChannels; o++) {
    for (let k = 0; k < per; k++) weight[o * per + k] = w[o * per + k] * scale[o];
    bias[o] = b[o] * scale[o] + shift[o];
  }
  return { weight, bias };
}

/** Eval-mode BN as y = x · scale + shift (float64). */
function bnAffine(bn: { weight: Tensor; bias: Tensor; runningMean: Tensor; runningVar: Tensor; eps: number }): { scale: Float64Array; shift: Float64Array } {
  const gamma = bn.weight.toFloat64Array();
  const beta = bn.bias.toFloat64Array();
  const mean = bn.runningMean.toFloat64Array();
  const variance = bn.runningVar.toFloat64Array();
  const scale = new Float64Array(gamma.length);
  const shift = new Float64Array(gamma.length);
  for (let i = 0; i < gamma.length; i++) {
    scale[i] = gamma[i] / Math.sqrt(variance[i] + bn.eps);
    shift[i] = beta[i] - mean[i] * scale[i];
  }
  return { scale, shift };
}

function transposed(g: OnnxGraphBuilder, w: Tensor): string {
  const [o, i] = w.shape;
  const src = f32(w);
  const out = new Float32Array(o * i);
  for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) out[c * o + r] = src[r * i + c];
  return g.floats(out, [i, o], 'linear_wt');
}

function f32(t: Tensor): Float32Array {
  return t.toFloat32Array();
}

function concatF32(ts: readonly Tensor[]): Float32Array {
  return concatArrays(ts.map(f32));
}

function concatArrays(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(sum(parts.map((p) => p.length)));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
