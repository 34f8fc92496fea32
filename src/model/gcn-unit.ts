/**
 * The dynamic-topology graph convolution (`gcn_unit`,
 * skeletonagent/models/gcns/utils/gcn_utils.py): a learnable shared graph A plus two per-sample
 * terms computed from the input, a channel-wise tanh "inter" term scaled by alpha[0] and a softmax
 * "intra" term scaled by beta[0].
 *
 * The forward computes the original's function with less work (parameters are unchanged):
 *  - `conv1` and `conv2` read the same x: one convolution with their weights concatenated,
 *    split afterwards; likewise `pre` and `down` in the contiguous layout (in channels-last
 *    their outputs would be channel slices, and batch norm's backward on a channels-last slice
 *    is much slower than on a whole tensor, docs/performance.md);
 *  - the per-channel adjacency product runs as a grouped convolution (graph-matmul.ts);
 *  - BN outputs are activated and summed in place (autograd needs neither of them).
 *  - in channels-last, conv1/conv2 run on mean_t(x) instead of x (equal in exact arithmetic, t
 *    times fewer FLOPs; the training step 14.3 → 12.8 s). The contiguous layout keeps the
 *    original's order: there the different rounding, amplified by the ReLU/max-pool routing of
 *    the backward, pushed the strict parity checks past their bands (alpha's gradient on
 *    ntu60_xsub_j train_linear 10.3 %, band 10 %). memory-format.test.ts shows in float64 that
 *    both compute the same gradients.
 */
import { Tensor, tidy, cat, einsum, zeros, F, nn } from '../torch/index.js';
import { graphMatmul } from './graph-matmul.js';

export const NUM_SUBSETS = 8;

export class GcnUnit extends nn.Module {
  readonly mid: number;
  readonly pre: nn.Sequential;
  readonly conv1: nn.Conv2d;
  readonly conv2: nn.Conv2d;
  readonly post: nn.Conv2d;
  readonly down: nn.Sequential | null;
  readonly bn: nn.BatchNorm2d;

  constructor(readonly inChannels: number, readonly outChannels: number, A: Tensor) {
    super();
    const K = A.shape[0];
    if (K !== NUM_SUBSETS) throw new RangeError(`graph unit: expected ${NUM_SUBSETS} graph subsets, got A of shape [${A.shape.join(', ')}]`);
    this.mid = Math.trunc(0.125 * outChannels);
    const inner = K * this.mid;
    // Registration order = the original's state-dict order.
    this.param('A', A);
    this.param('alpha', zeros([K]));
    this.param('beta', zeros([K]));
    this.pre = this.module('pre', new nn.Sequential([new nn.Conv2d(inChannels, inner, 1), new nn.BatchNorm2d(inner), new nn.ReLU()]));
    this.post = this.module('post', new nn.Conv2d(inner, outChannels, 1));
    this.conv1 = this.module('conv1', new nn.Conv2d(inChannels, inner, 1));
    this.conv2 = this.module('conv2', new nn.Conv2d(inChannels, inner, 1));
    this.down = inChannels !== outChannels
      ? this.module('down', new nn.Sequential([new nn.Conv2d(inChannels, outChannels, 1), new nn.BatchNorm2d(outChannels)]))
      : null;
    this.bn = this.module('bn', new nn.BatchNorm2d(outChannels));
  }

  get A(): Tensor { return this.getParam('A')!; }
  get alpha(): Tensor { return this.getParam('alpha')!; }
  get beta(): Tensor { return this.getParam('beta')!; }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const [n, , , v] = x.shape;
      const K = NUM_SUBSETS;
      const m = this.mid;
      const inner = K * m;
      const preConv = this.pre.items[0] as nn.Conv2d;
      const preBn = this.pre.items[1] as nn.BatchNorm2d;

      let pre: Tensor;
      let res: Tensor;
      if (this.down && !x.isChannelsLast()) {
        const downConv = this.down.items[0] as nn.Conv2d;
        const [p, d] = F.conv2d(x, cat([preConv.weight, downConv.weight]), cat([preConv.bias!, downConv.bias!])).split([inner, this.outChannels], 1);
        pre = p;
        res = (this.down.items[1] as nn.BatchNorm2d).forward(d);
      } else {
        pre = preConv.forward(x);
        res = this.down ? this.down.forward(x) : x;
      }
      const P = preBn.forward(pre).relu_(); // [n, K·m, t, V]
      // conv1 and conv2 in one convolution; they are only used through their mean over time.
      const w12 = cat([this.conv1.weight, this.conv2.weight]);
      const b12 = cat([this.conv1.bias!, this.conv2.bias!]);
      const q = x.isChannelsLast() ? F.conv2d(x.mean(2, true), w12, b12).view(n, 2 * inner, v) : F.conv2d(x, w12, b12).mean(2); // [n, 2·K·m, V]
      const q12 = q.reshape(n, 2, K, m, v);
      const q1 = q12.select(1, 0); // [n, K, m, V]
      const q2 = q12.select(1, 1);
      // inter[n,k,c,i,j] = tanh(q1[...,i] - q2[...,j]) * alpha[0]
      const inter = q1.unsqueeze(-1).sub(q2.unsqueeze(-2)).tanh().mul(this.alpha.select(0, 0));
      // intra[n,k,i,j] = softmax_i(sum_c q1[c,i] q2[c,j]) * beta[0]
      const intra = einsum('nkci,nkcj->nkij', q1, q2).softmax(2).mul(this.beta.select(0, 0));
      const adj = inter.add_(intra.unsqueeze(2)).add_(this.A.view(1, K, 1, v, v)); // [n,K,m,V,V]
      // Y[n,k,c,t,j] = sum_i P[n,k,c,t,i] adj[n,k,c,i,j]
      const y = graphMatmul(P, adj.view(n, inner, v, v));
      return this.bn.forward(this.post.forward(y)).add_(res).relu_();
    });
  }
}
