/** Gradient-norm clipping, as torch.nn.utils.clip_grad_norm_ (PyTorch 1.13). */
import { noGrad } from '../autograd.js';
import { stack } from '../creation.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { paramTensors, type ParamSource } from './params.js';

/**
 * Scales all gradients in place so that their joint `normType`-norm is at most `maxNorm`
 * (coefficient maxNorm / (norm + 1e-6), clamped to 1; `Infinity` is the max-abs norm).
 * Parameters without a gradient are ignored. Returns the total norm before clipping.
 */
export function clipGradNorm(params: ParamSource, maxNorm: number, normType = 2): number {
  if (!(maxNorm >= 0)) throw new RangeError(`clipGradNorm: maxNorm must be >= 0, got ${maxNorm}`);
  const grads = paramTensors(params, 'clipGradNorm').map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;
  try {
    return noGrad(() => tidy(() => {
      const norms = grads.map((g) => (normType === Infinity ? g.abs().max() : g.norm(normType)));
      const total = normType === Infinity
        ? (norms.length === 1 ? norms[0] : stack(norms).max())
        : stack(norms).norm(normType);
      // Python's `maxNorm / tensor` is reciprocal then multiply; kept for identical rounding.
      const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
      for (const g of grads) g.mul_(coef);
      return total.item();
    }));
  } finally {
    for (const g of grads) g.dispose();
  }
}
