/**
 * The multi-scale temporal unit (`mstcn_unit` / `base_tcn`,
 * skeletonagent/models/gcns/utils/tcn_utils.py): six branches over the input with an extra "global"
 * joint column (the mean over joints), mixed back per joint through add_coeff.
 *
 * The forward computes the original's function with fewer operator calls and passes over memory
 * (parameters are unchanged): the 1×1 entry convolutions of branches 0–4 read the same input,
 * so they run as one convolution with their weights concatenated (with branch 5's unstrided
 * 1×1 in the contiguous layout; in channels-last the entry BN input would then be a channel
 * slice, whose backward is much slower, docs/performance.md); the five entry BatchNorms run as
 * one call on the concatenated channels (running statistics are written back to each branch's
 * buffers); the four dilated temporal convolutions run as one grouped convolution; channel
 * blocks are taken with split (whose backward is one concatenation); ReLUs run in place.
 */
import { Tensor, tidy, cat, zeros, noGrad, F, nn } from '../torch/index.js';

/** A temporal convolution (k×1) with "same" padding for its dilation, then BN (or none). */
export class TemporalConv extends nn.Module {
  readonly conv: nn.Conv2d;
  readonly bn: nn.BatchNorm2d | null;
  constructor(inChannels: number, outChannels: number, o: { kernel?: number; stride?: number; dilation?: number; norm?: boolean } = {}) {
    super();
    const k = o.kernel ?? 9;
    const d = o.dilation ?? 1;
    const pad = Math.trunc((k + (k - 1) * (d - 1) - 1) / 2);
    this.conv = this.module('conv', new nn.Conv2d(inChannels, outChannels, [k, 1], { padding: [pad, 0], stride: [o.stride ?? 1, 1], dilation: [d, 1] }));
    this.bn = (o.norm ?? true) ? this.module('bn', new nn.BatchNorm2d(outChannels)) : null;
  }
  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    if (!this.bn) return y;
    const z = this.bn.forward(y);
    y.dispose();
    return z;
  }
}

/** The branch list of every config: (3,1), (3,2), (3,3), (3,4), ('max',3), '1x1'. */
export const TCN_BRANCHES = [
  { kind: 'conv', dilation: 1 }, { kind: 'conv', dilation: 2 }, { kind: 'conv', dilation: 3 }, { kind: 'conv', dilation: 4 },
  { kind: 'max', kernel: 3 }, { kind: '1x1' },
] as const;

/** add_coeff always has 25 entries (the constructor default), whatever the layout's joint count. */
const ADD_COEFF_LENGTH = 25;

/**
 * Several BatchNorm2d modules applied to consecutive channel blocks of x as one batch_norm call.
 * Training mode updates a concatenated copy of the running statistics, then writes each block
 * back to its module (and counts the batch), so the buffers end as separate calls leave them.
 */
export function concatBatchNorm(x: Tensor, bns: readonly nn.BatchNorm2d[]): Tensor {
  return tidy(() => {
    const first = bns[0];
    const weight = cat(bns.map((b) => b.weight));
    const bias = cat(bns.map((b) => b.bias));
    const runningMean = cat(bns.map((b) => b.runningMean));
    const runningVar = cat(bns.map((b) => b.runningVar));
    const training = first.training;
    const y = F.batchNorm(x, runningMean, runningVar, weight, bias, training, first.momentum, first.eps);
    if (training) {
      noGrad(() => {
        let offset = 0;
        for (const b of bns) {
          b.runningMean.copy_(runningMean.narrow(0, offset, b.numFeatures));
          b.runningVar.copy_(runningVar.narrow(0, offset, b.numFeatures));
          for (const [name, t] of b.namedBuffers()) if (name === 'num_batches_tracked') t.add_(1);
          offset += b.numFeatures;
        }
      });
    }
    return y;
  });
}

interface EntryBranch { conv: nn.Conv2d; bn: nn.BatchNorm2d; tail: nn.Module & nn.Forward; width: number }

/**
 * The dilated (3×1) temporal convolutions of equal-width branches as one grouped convolution:
 * each branch's 3 taps at dilation d are placed at offsets −d, 0, +d of a 9-tap kernel (zeros
 * elsewhere, built at call time from the branch parameters, so gradients reach them), which
 * with padding 4 gives the same outputs. Three times the multiply-adds of the separate
 * convolutions, but one oneDNN call on 4·w channels instead of four on w: faster in practice.
 */
function groupedDilatedConv(x: Tensor, convs: readonly nn.Conv2d[], stride: number): Tensor {
  return tidy(() => {
    const reach = Math.max(...convs.map((c) => c.dilation[0]));
    const weights = convs.map((c) => {
      const [o, i] = c.weight.shape;
      const d = c.dilation[0];
      const gap = (len: number) => zeros([o, i, len, 1]);
      const taps = c.weight.split(1, 2);
      const pieces = [gap(reach - d), taps[0], gap(d - 1), taps[1], gap(d - 1), taps[2], gap(reach - d)];
      return cat(pieces.filter((p) => p.shape[2] > 0), 2);
    });
    return F.conv2d(x, cat(weights), cat(convs.map((c) => c.bias!)), { stride: [stride, 1], padding: [reach, 0], groups: convs.length });
  });
}

export class MultiScaleTemporalUnit extends nn.Module {
  readonly branches: nn.ModuleList<nn.Module & nn.Forward>;
  readonly transform: nn.Sequential;
  readonly bn: nn.BatchNorm2d;
  /** Branches 0–4: 1×1 conv → BN → ReLU → temporal conv or max-pool. */
  private readonly entry: EntryBranch[] = [];
  /** Branch 5: a strided 1×1 conv. */
  private readonly pointwise: nn.Conv2d;

  constructor(inChannels: number, outChannels: number, readonly stride = 1) {
    super();
    const mid = Math.trunc(outChannels / TCN_BRANCHES.length);
    const rem = outChannels - mid * (TCN_BRANCHES.length - 1);
    this.param('add_coeff', zeros([ADD_COEFF_LENGTH]));
    this.branches = this.module('branches', new nn.ModuleList<nn.Module & nn.Forward>());
    let pointwise: nn.Conv2d | null = null;
    TCN_BRANCHES.forEach((b, i) => {
      const w = i === 0 ? rem : mid;
      if (b.kind === '1x1') {
        pointwise = new nn.Conv2d(inChannels, w, 1, { stride: [stride, 1] });
        this.branches.push(pointwise);
        return;
      }
      const conv = new nn.Conv2d(inChannels, w, 1);
      const bn = new nn.BatchNorm2d(w);
      const tail = b.kind === 'conv'
        ? new TemporalConv(w, w, { kernel: 3, stride, dilation: b.dilation, norm: false })
        : new nn.MaxPool2d([b.kernel, 1], { stride: [stride, 1], padding: [1, 0] });
      this.branches.push(new nn.Sequential([conv, bn, new nn.ReLU(), tail]));
      this.entry.push({ conv, bn, tail, width: w });
    });
    this.pointwise = pointwise!;
    this.transform = this.module('transform', new nn.Sequential([new nn.BatchNorm2d(outChannels), new nn.ReLU(), new nn.Conv2d(outChannels, outChannels, 1)]));
    this.bn = this.module('bn', new nn.BatchNorm2d(outChannels));
  }

  get addCoeff(): Tensor { return this.getParam('add_coeff')!; }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const v = x.shape[3];
      // The mean column in x's memory format, so that the concatenation keeps it (channels-last).
      const globalColumn = x.mean(-1, true).contiguous(x.isChannelsLast() ? 'channels_last' : 'contiguous');
      const xg = cat([x, globalColumn], -1); // [n, C, t, V+1]
      // One 1×1 convolution for the entry convs of branches 0–4, and branch 5 when unstrided and
      // contiguous.
      const fusePointwise = this.stride === 1 && !x.isChannelsLast();
      const entryConvs = this.entry.map((e) => e.conv);
      const convs = fusePointwise ? [...entryConvs, this.pointwise] : entryConvs;
      const z = F.conv2d(xg, cat(convs.map((c) => c.weight)), cat(convs.map((c) => c.bias!)));
      const widths = this.entry.map((e) => e.width);
      const entryWidth = widths.reduce((a, b) => a + b, 0);
      const [zEntry, zPointwise] = fusePointwise ? z.split([entryWidth, this.pointwise.outChannels], 1) : [z, this.pointwise.forward(xg)];
      const h = concatBatchNorm(zEntry, this.entry.map((e) => e.bn)).relu_();
      // split, not narrow: its backward is one concatenation instead of a zero-filled
      // full-size gradient per slice.
      const outs = [...this.branchTails(h, widths), zPointwise];
      const [local, glob] = cat(outs, 1).split([v, 1], 3); // [n, out, t', V], [n, out, t', 1]
      const feat = local.add(glob.mul(this.addCoeff.narrow(0, 0, v)));
      const [tBn, , tConv] = this.transform.items as [nn.BatchNorm2d, nn.ReLU, nn.Conv2d];
      return this.bn.forward(tConv.forward(tBn.forward(feat).relu_()));
    });
  }

  /** The temporal convs and the max-pool of branches 0–4 on their channel blocks of h. */
  private branchTails(h: Tensor, widths: number[]): Tensor[] {
    const temporal = this.entry.filter((e) => e.tail instanceof TemporalConv);
    const groupable = temporal.every((e, i) => e.width === temporal[0].width && this.entry[i] === e);
    if (!groupable) return h.split(widths, 1).map((part, i) => this.entry[i].tail.forward(part));
    const temporalWidth = temporal.reduce((a, e) => a + e.width, 0);
    const [ht, rest] = h.split([temporalWidth, h.shape[1] - temporalWidth], 1);
    const others = this.entry.filter((e) => !(e.tail instanceof TemporalConv));
    const outs = [groupedDilatedConv(ht, temporal.map((e) => (e.tail as TemporalConv).conv), this.stride)];
    rest.split(others.map((e) => e.width), 1).forEach((part, i) => outs.push(others[i].tail.forward(part)));
    return outs;
  }
}
