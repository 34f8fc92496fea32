/**
 * Finite-difference gradient check in float64, like torch.autograd.gradcheck but through one
 * random projection: for a fixed random cotangent v, the analytic gradient of L(x) = Σ v·f(x)
 * (one backward pass) must equal the central difference (L(x + εeᵢ) − L(x − εeᵢ)) / 2ε for every
 * element i of every input that requires grad. A wrong Jacobian entry survives this only if v
 * happens to cancel it, which a continuous random v makes vanishingly unlikely.
 */
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the cotangent values. */
  seed?: number;
}

type Outputs = Tensor | readonly Tensor[];

/** Deterministic values in [-1, 1) (a 32-bit LCG: reproducible, no libtorch RNG involved). */
function cotangent(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function asList(o: Outputs): readonly Tensor[] {
  return o instanceof torch.Tensor ? [o] : o;
}

/** Σ_k Σ_i v_k[i] · out_k[i], in float64 on the JS side. */
function project(outputs: readonly Tensor[], vs: readonly Float64Array[]): number {
  let total = 0;
  outputs.forEach((o, k) => {
    const values = o.toFloat64Array();
    for (let i = 0; i < values.length; i++) total += vs[k][i] * values[i];
  });
  return total;
}

/**
 * Throws an error naming the input, element, analytic and numeric values on the first
 * disagreement beyond `atol + rtol·|numeric|`. Inputs that require grad must be float64;
 * the others (indices, masks) are passed through unchanged.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Outputs, inputs: readonly Tensor[], opts: GradcheckOptions = {}): void {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const checked = inputs.map((t, i) => ({ t, i })).filter(({ t }) => t.requiresGrad);
  if (checked.length === 0) throw new Error('gradcheck: no input requires grad');
  for (const { t, i } of checked) {
    if (t.dtype !== 'float64') throw new Error(`gradcheck: input ${i} is ${t.dtype}; use float64 for finite differences`);
    t.grad = null;
  }

  // Analytic: one backward pass of L = Σ v·f(x).
  const { vs, analytic } = torch.tidy(() => {
    const outputs = asList(fn(...inputs));
    const vs = outputs.map((o, k) => cotangent(o.numel, (opts.seed ?? 12345) + k));
    const terms = outputs.map((o, k) => o.mul(torch.tensor(vs[k], o.shape, { dtype: 'float64' })).sum());
    terms.reduce((a, b) => a.add(b)).backward();
    const analytic = checked.map(({ t }) => {
      const g = t.grad;
      return g ? g.toFloat64Array() : new Float64Array(t.numel); // no path from this input: zero
    });
    return { vs, analytic };
  });
  for (const { t } of checked) t.grad = null;

  // Numeric: central differences, one element at a time, on detached copies.
  const base = inputs.map((t) => (t.requiresGrad ? t.toFloat64Array() : null));
  const evaluate = (): number => torch.noGrad(() => torch.tidy(() => {
    const args = inputs.map((t, i) => (base[i] ? torch.tensor(base[i]!, t.shape, { dtype: 'float64' }) : t));
    return project(asList(fn(...args)), vs);
  }));
  checked.forEach(({ i }, c) => {
    const x = base[i]!;
    for (let e = 0; e < x.length; e++) {
      const saved = x[e];
      x[e] = saved + eps;
      const plus = evaluate();
      x[e] = saved - eps;
      const minus = evaluate();
      x[e] = saved;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[c][e];
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradcheck: input ${i} element ${e}: analytic ${a} vs numeric ${numeric} (atol ${atol}, rtol ${rtol})`);
      }
    }
  });
}
