/** GCN_Block (skeletonagent/models/gcns/module.py): y = ReLU(tcn(gcn(x)) + residual). */
import { Tensor, tidy, nn } from '../torch/index.js';
import { GcnUnit } from './gcn-unit.js';
import { MultiScaleTemporalUnit, TemporalConv } from './mstcn.js';

export class GcnBlock extends nn.Module {
  readonly gcn: GcnUnit;
  readonly tcn: MultiScaleTemporalUnit;
  readonly residual: TemporalConv | null;
  readonly residualMode: 'none' | 'identity' | 'conv';

  constructor(inChannels: number, outChannels: number, A: Tensor, o: { stride?: number; residual?: boolean } = {}) {
    super();
    const stride = o.stride ?? 1;
    this.gcn = this.module('gcn', new GcnUnit(inChannels, outChannels, A));
    this.tcn = this.module('tcn', new MultiScaleTemporalUnit(outChannels, outChannels, stride));
    if (o.residual === false) this.residualMode = 'none';
    else if (inChannels === outChannels && stride === 1) this.residualMode = 'identity';
    else this.residualMode = 'conv';
    this.residual = this.residualMode === 'conv'
      ? this.module('residual', new TemporalConv(inChannels, outChannels, { kernel: 1, stride }))
      : null;
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const y = this.tcn.forward(this.gcn.forward(x));
      // y is a BatchNorm output, which autograd does not keep: sum and activate in place.
      if (this.residualMode === 'none') return y.relu_();
      const res = this.residualMode === 'identity' ? x : this.residual!.forward(x);
      return y.add_(res).relu_();
    });
  }
}
