/**
 * The dynamic-topology graph convolution (model.md §4): a learnable shared graph A plus two
 * per-sample terms computed from the input, a channel-wise tanh "inter" term scaled by alpha[0]
 * and a softmax "intra" term scaled by beta[0].
 */
import { Tensor, tidy, einsum, zeros, nn } from '../torch/index.js';

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
      const [n, , t, v] = x.shape;
      const K = NUM_SUBSETS;
      const m = this.mid;
      const res = this.down ? this.down.forward(x) : x;
      const P = this.pre.forward(x).view(n, K, m, t, v);
      const q1 = this.conv1.forward(x).view(n, K, m, t, v).mean(3); // [n,K,m,V]
      const q2 = this.conv2.forward(x).view(n, K, m, t, v).mean(3);
      // inter[n,k,c,i,j] = tanh(q1[...,i] - q2[...,j]) * alpha[0]
      const inter = q1.unsqueeze(-1).sub(q2.unsqueeze(-2)).tanh().mul(this.alpha.select(0, 0));
      // intra[n,k,i,j] = softmax_i(sum_c q1[c,i] q2[c,j]) * beta[0]
      const intra = einsum('nkci,nkcj->nkij', q1, q2).softmax(2).mul(this.beta.select(0, 0));
      const adj = inter.add(intra.unsqueeze(2)).add(this.A.view(1, K, 1, v, v)); // [n,K,m,V,V]
      // Y[n,k,c,t,j] = sum_i P[n,k,c,t,i] adj[n,k,c,i,j]: a batched matmul over (n,k,c)
      const y = P.view(n * K * m, t, v).bmm(adj.view(n * K * m, v, v)).view(n, K * m, t, v);
      return this.bn.forward(this.post.forward(y)).add(res).relu();
    });
  }
}
