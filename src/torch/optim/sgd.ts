/**
 * Stochastic gradient descent with momentum, dampening, Nesterov and weight decay: the update of
 * torch.optim.SGD in PyTorch 1.13 (single-tensor path), operator for operator, so results match
 * PyTorch bit for bit on the same libtorch. Its state dict has PyTorch's layout, so training
 * resumes from mmcv checkpoints and checkpoints written here load in PyTorch.
 */
import { noGrad } from '../autograd.js';
import { keep } from '../scope.js';
import { Tensor } from '../tensor.js';
import { isFloating } from '../dtype.js';
import { paramTensors, type ParamSource } from './params.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

/** The hyperparameters of the (single) parameter group; `lr` is what a scheduler changes. */
export interface SGDParamGroup {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  /** The learning rate the schedule starts from (mmcv's LR hooks set it once, `setdefault`). */
  initialLr?: number;
  readonly params: readonly Tensor[];
}

/** Per-parameter state, keyed by the parameter's index: PyTorch's `{'momentum_buffer': t}`. */
export interface SGDParamState {
  /** null when momentum is 0 (PyTorch stores None then). */
  momentum_buffer: Tensor | null;
}

/** One parameter group in PyTorch 1.13's state-dict layout (key order as PyTorch writes it). */
export interface SGDGroupState {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  maximize: boolean;
  foreach: boolean | null;
  differentiable: boolean;
  initial_lr?: number;
  params: number[];
}

/** `optimizer.state_dict()`: tensors in `state` belong to the optimizer; do not dispose them. */
export interface SGDStateDict {
  state: Map<number, SGDParamState>;
  param_groups: SGDGroupState[];
}

function checkHyperparameters(h: Omit<SGDParamGroup, 'params'>, where: string): void {
  const nonNegative: [string, number][] = [['lr', h.lr], ['momentum', h.momentum], ['weight decay', h.weightDecay]];
  for (const [name, value] of nonNegative) {
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${where}: invalid ${name} ${value} (expected a finite number >= 0)`);
  }
  if (!Number.isFinite(h.dampening)) throw new RangeError(`${where}: invalid dampening ${h.dampening}`);
  if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
    throw new RangeError(`${where}: Nesterov momentum requires a momentum and zero dampening (momentum ${h.momentum}, dampening ${h.dampening})`);
  }
}

export class SGD {
  /** One group, as the original trains (no parameter-wise settings); an array for PyTorch parity. */
  readonly paramGroups: [SGDParamGroup];
  /** Parameter index → state; absent until the parameter first gets a gradient. */
  private readonly state = new Map<number, SGDParamState>();

  constructor(params: ParamSource, options: SGDOptions) {
    const group: SGDParamGroup = {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
      params: paramTensors(params, 'SGD'),
    };
    checkHyperparameters(group, 'SGD');
    if (group.params.length === 0) throw new RangeError('SGD: got an empty parameter list');
    this.paramGroups = [group];
  }

  /** Updates every parameter that has a gradient, in place and without recording autograd. */
  step(): void {
    const g = this.paramGroups[0];
    noGrad(() => {
      g.params.forEach((param, index) => {
        const grad = param.grad;
        if (grad === null) return;
        this.updateOne(param, index, grad, g);
      });
    });
  }

  private updateOne(param: Tensor, index: number, grad: Tensor, g: SGDParamGroup): void {
    const temporaries: Tensor[] = [grad];
    const track = (t: Tensor): Tensor => { temporaries.push(t); return t; };
    try {
      let dp = g.maximize ? track(grad.neg()) : grad;
      if (g.weightDecay !== 0) dp = track(dp.add(param, g.weightDecay));
      const entry = this.state.get(index) ?? { momentum_buffer: null };
      this.state.set(index, entry);
      if (g.momentum !== 0) {
        let buf = entry.momentum_buffer;
        if (buf === null) {
          buf = keep(dp.clone());
          entry.momentum_buffer = buf;
        } else {
          buf.mul_(g.momentum).add_(dp, 1 - g.dampening);
        }
        dp = g.nesterov ? track(dp.add(buf, g.momentum)) : buf;
      }
      param.add_(dp, -g.lr);
    } finally {
      for (const t of temporaries) t.dispose();
    }
  }

  /**
   * Clears the gradients. `setToNone` (the default here, and PyTorch's from 2.0) drops them;
   * false zeroes them in place as PyTorch 1.13's default did, which differs only for parameters
   * that miss a gradient after having had one (a zero gradient still decays and moves them).
   */
  zeroGrad(setToNone = true): void {
    for (const p of this.paramGroups[0].params) {
      if (setToNone) { p.grad = null; continue; }
      const grad = p.grad;
      if (grad) { grad.zero_(); grad.dispose(); }
    }
  }

  /** PyTorch's `optimizer.state_dict()` layout (the tensors are the live buffers, not copies). */
  stateDict(): SGDStateDict {
    const g = this.paramGroups[0];
    const group: SGDGroupState = {
      lr: g.lr, momentum: g.momentum, dampening: g.dampening, weight_decay: g.weightDecay,
      nesterov: g.nesterov, maximize: g.maximize, foreach: null, differentiable: false,
      ...(g.initialLr === undefined ? {} : { initial_lr: g.initialLr }),
      params: g.params.map((_, i) => i),
    };
    // Insertion order (the order parameters first got a gradient), as PyTorch's state dict.
    const state = new Map([...this.state].map(([index, entry]): [number, SGDParamState] => [index, { momentum_buffer: entry.momentum_buffer }]));
    return { state, param_groups: [group] };
  }

  /**
   * Restores hyperparameters and momentum buffers from a state dict of PyTorch's layout, as
   * `optimizer.load_state_dict`: saved parameter indices map to this optimizer's parameters by
   * position; buffers are copied and cast to their parameter's dtype and device.
   */
  loadStateDict(sd: SGDStateDict): void {
    const where = 'SGD.loadStateDict';
    if (sd.param_groups.length !== 1) {
      throw new Error(`${where}: the state dict has ${sd.param_groups.length} parameter groups; this optimizer has 1`);
    }
    const saved = sd.param_groups[0];
    const group = this.paramGroups[0];
    if (saved.params.length !== group.params.length) {
      throw new Error(`${where}: the saved parameter group has ${saved.params.length} parameters; this optimizer has ${group.params.length}`);
    }
    if (saved.foreach === true || saved.differentiable === true) {
      throw new Error(`${where}: foreach/differentiable SGD is not supported (saved foreach=${saved.foreach}, differentiable=${saved.differentiable})`);
    }
    const hyper = {
      lr: saved.lr, momentum: saved.momentum, dampening: saved.dampening, weightDecay: saved.weight_decay,
      nesterov: saved.nesterov, maximize: saved.maximize, initialLr: saved.initial_lr,
    };
    checkHyperparameters(hyper, where);
    const position = new Map(saved.params.map((savedIndex, i) => [savedIndex, i]));
    const buffers = new Map<number, SGDParamState>();
    try {
      for (const [savedIndex, entry] of sd.state) {
        const i = position.get(savedIndex);
        if (i === undefined) throw new Error(`${where}: state for parameter ${savedIndex}, which no parameter group lists`);
        buffers.set(i, { momentum_buffer: entry.momentum_buffer && castLike(entry.momentum_buffer, group.params[i], `${where}: momentum_buffer of parameter ${savedIndex}`) });
      }
    } catch (err) {
      for (const e of buffers.values()) e.momentum_buffer?.dispose();
      throw err;
    }
    this.disposeState();
    for (const [i, entry] of buffers) this.state.set(i, entry);
    Object.assign(group, hyper);
    if (hyper.initialLr === undefined) delete group.initialLr;
  }

  /** Frees the momentum buffers. */
  dispose(): void { this.disposeState(); }

  private disposeState(): void {
    for (const entry of this.state.values()) entry.momentum_buffer?.dispose();
    this.state.clear();
  }
}

/** A kept copy of `value` with `param`'s shape checked and, for floating params, its dtype and device. */
function castLike(value: Tensor, param: Tensor, what: string): Tensor {
  const vs = value.shape, ps = param.shape;
  if (vs.length !== ps.length || vs.some((d, i) => d !== ps[i])) {
    throw new Error(`${what}: shape [${vs.join(', ')}] does not match the parameter's [${ps.join(', ')}]`);
  }
  return noGrad(() => {
    const typed = isFloating(param.dtype) && value.dtype !== param.dtype ? value.to(param.dtype) : value.clone();
    if (typed.device === param.device) return keep(typed);
    const moved = typed.to(param.device);
    typed.dispose();
    return keep(moved);
  });
}
