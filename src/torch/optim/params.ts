/**
 * What optimisers and gradient utilities accept as parameters: plain tensors (`module.parameters()`),
 * `[name, tensor]` pairs (`module.namedParameters()`) or `{name, tensor}` entries. Order matters:
 * it defines the parameter indices of an optimiser state dict, as in PyTorch.
 */
import { Tensor } from '../tensor.js';

export type ParamEntry = Tensor | readonly [string, Tensor] | { readonly name?: string; readonly tensor: Tensor };
export type ParamSource = Iterable<ParamEntry>;

/** The parameter tensors in order; a tensor listed twice is an error (PyTorch rejects it too). */
export function paramTensors(params: ParamSource, where: string): Tensor[] {
  const out: Tensor[] = [];
  const seen = new Map<number, string>();
  for (const entry of params) {
    const [name, tensor] = entry instanceof Tensor ? [undefined, entry] : isPair(entry) ? entry : [entry.name, entry.tensor];
    const label = name ?? `parameter ${out.length}`;
    if (!(tensor instanceof Tensor)) throw new TypeError(`${where}: ${label} is not a Tensor`);
    const first = seen.get(tensor.id);
    if (first !== undefined) throw new Error(`${where}: ${label} is the same tensor as ${first}; list each parameter once`);
    seen.set(tensor.id, label);
    out.push(tensor);
  }
  return out;
}

function isPair(entry: ParamEntry): entry is readonly [string, Tensor] {
  return Array.isArray(entry);
}
