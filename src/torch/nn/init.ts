/**
 * Parameter initialisers with PyTorch's formulas, drawing from libtorch's generator (seed with
 * manualSeed), so that the same seed and construction order give PyTorch's values.
 */
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';

/** fan_in / fan_out as torch.nn.init._calculate_fan_in_and_fan_out. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error(`fan in/out need at least 2 dims, got [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

export function uniform_(t: Tensor, low: number, high: number): Tensor { return noGrad(() => t.uniform_(low, high)); }
export function normal_(t: Tensor, mean = 0, std = 1): Tensor { return noGrad(() => t.normal_(mean, std)); }
export function constant_(t: Tensor, value: number): Tensor { return noGrad(() => t.fill_(value)); }

/** kaiming_uniform_(a=√5): PyTorch's default for Conv/Linear weights, U(±1/√fan_in). */
export function defaultWeightInit_(t: Tensor): Tensor {
  const bound = 1 / Math.sqrt(fans(t.shape).fanIn);
  return uniform_(t, -bound, bound);
}

/** The default Conv/Linear bias init: U(±1/√fan_in of the weight). */
export function defaultBiasInit_(bias: Tensor, weightShape: readonly number[]): Tensor {
  const fanIn = fans(weightShape).fanIn;
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform_(bias, -bound, bound);
}

/** kaiming_normal_(mode='fan_out', nonlinearity='relu'): std = √(2 / fan_out). */
export function kaimingNormalFanOut_(t: Tensor): Tensor {
  return normal_(t, 0, Math.sqrt(2 / fans(t.shape).fanOut));
}

export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t.shape);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}
