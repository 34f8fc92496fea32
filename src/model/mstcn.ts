/**
 * The multi-scale temporal unit (model.md §5–§6): six branches over the input with an extra
 * "global" joint column (the mean over joints), mixed back per joint through add_coeff.
 */
import { Tensor, tidy, cat, zeros, nn } from '../torch/index.js';

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

export class MultiScaleTemporalUnit extends nn.Module {
  readonly branches: nn.ModuleList<nn.Module & nn.Forward>;
  readonly transform: nn.Sequential;
  readonly bn: nn.BatchNorm2d;

  constructor(inChannels: number, outChannels: number, stride = 1) {
    super();
    const mid = Math.trunc(outChannels / TCN_BRANCHES.length);
    const rem = outChannels - mid * (TCN_BRANCHES.length - 1);
    this.param('add_coeff', zeros([ADD_COEFF_LENGTH]));
    this.branches = this.module('branches', new nn.ModuleList<nn.Module & nn.Forward>());
    TCN_BRANCHES.forEach((b, i) => {
      const w = i === 0 ? rem : mid;
      if (b.kind === '1x1') {
        this.branches.push(new nn.Conv2d(inChannels, w, 1, { stride: [stride, 1] }));
        return;
      }
      const tail = b.kind === 'conv'
        ? new TemporalConv(w, w, { kernel: 3, stride, dilation: b.dilation, norm: false })
        : new nn.MaxPool2d([b.kernel, 1], { stride: [stride, 1], padding: [1, 0] });
      this.branches.push(new nn.Sequential([new nn.Conv2d(inChannels, w, 1), new nn.BatchNorm2d(w), new nn.ReLU(), tail]));
    });
    this.transform = this.module('transform', new nn.Sequential([new nn.BatchNorm2d(outChannels), new nn.ReLU(), new nn.Conv2d(outChannels, outChannels, 1)]));
    this.bn = this.module('bn', new nn.BatchNorm2d(outChannels));
  }

  get addCoeff(): Tensor { return this.getParam('add_coeff')!; }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const v = x.shape[3];
      const xg = cat([x, x.mean(-1, true)], -1); // [n, C, t, V+1]
      const b = cat(this.branches.items.map((br) => br.forward(xg)), 1);
      const local = b.narrow(3, 0, v);
      const glob = b.narrow(3, v, 1); // [n, out, t', 1]
      const feat = local.add(glob.mul(this.addCoeff.narrow(0, 0, v)));
      return this.bn.forward(this.transform.forward(feat));
    });
  }
}
