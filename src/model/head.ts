/**
 * SimpleHead (skeletonagent/models/heads/simple_head.py): pool over (T', V) and persons, then
 * fc_cls.
 */
import { Tensor, tidy, nn } from '../torch/index.js';

export class SimpleHead extends nn.Module {
  readonly fc: nn.Linear;
  constructor(readonly numClasses: number, inChannels = 384, initStd = 0.01) {
    super();
    this.fc = this.module('fc_cls', new nn.Linear(inChannels, numClasses));
    nn.init.normal_(this.fc.weight, 0, initStd);
    nn.init.constant_(this.fc.bias!, 0);
  }
  /** features [N, M, C, T', V] → logits [N, Cls]. */
  forward(features: Tensor): Tensor {
    return tidy(() => this.fc.forward(features.mean([3, 4]).mean(1)));
  }
}
