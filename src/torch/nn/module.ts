/**
 * Module trees with PyTorch's naming and ordering, so that state dicts match the original's key
 * for key: a module's own parameters (registration order), then its buffers, then each child's
 * entries under `<child>.` in registration order.
 */
import { Tensor } from '../tensor.js';
import { keep } from '../scope.js';
import { noGrad } from '../autograd.js';

interface BufferSlot { tensor: Tensor | null; persistent: boolean }

export interface LoadResult {
  missing: string[];
  unexpected: string[];
  /** Keys present on both sides with different shapes: "key: checkpoint [a, b] vs model [c, d]". */
  mismatched: string[];
}

export class StateDictError extends Error {
  constructor(readonly result: LoadResult, where: string) {
    const parts: string[] = [];
    const list = (title: string, keys: string[]) => {
      if (keys.length) parts.push(`  ${title} (${keys.length}):\n${keys.slice(0, 20).map((k) => `    ${k}`).join('\n')}${keys.length > 20 ? `\n    ... and ${keys.length - 20} more` : ''}`);
    };
    list('missing keys', result.missing);
    list('unexpected keys', result.unexpected);
    list('shape mismatches', result.mismatched);
    super(`${where}: state dict does not match the model\n${parts.join('\n')}`);
    this.name = 'StateDictError';
  }
}

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffers = new Map<string, BufferSlot>();
  private readonly children = new Map<string, Module>();

  /** Registers a learnable tensor (kept out of tidy scopes; requires grad unless told not to). */
  protected registerParameter(name: string, t: Tensor | null, requiresGrad = true): Tensor | null {
    if (t) {
      keep(t);
      if (t.requiresGrad !== requiresGrad) t.requiresGrad = requiresGrad;
    }
    this.params.set(name, t);
    return t;
  }

  protected param(name: string, t: Tensor, requiresGrad = true): Tensor {
    this.registerParameter(name, t, requiresGrad);
    return t;
  }

  /** Registers state that is saved (when persistent) but not trained, like running statistics. */
  protected buffer(name: string, t: Tensor, persistent = true): Tensor {
    keep(t);
    this.buffers.set(name, { tensor: t, persistent });
    return t;
  }

  protected module<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** The current tensor of a parameter (after loadStateDict or to()). */
  protected getParam(name: string): Tensor | null { return this.params.get(name) ?? null; }
  protected getBuffer(name: string): Tensor | null { return this.buffers.get(name)?.tensor ?? null; }
  protected setBuffer(name: string, t: Tensor): void {
    const slot = this.buffers.get(name);
    if (!slot) throw new Error(`no buffer '${name}'`);
    keep(t);
    slot.tensor = t;
  }

  namedChildren(): IterableIterator<[string, Module]> { return this.children.entries(); }

  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.children) yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  *namedParameters(prefix = ''): Generator<[string, Tensor]> {
    for (const [moduleName, m] of this.namedModules(prefix)) {
      for (const [name, t] of m.params) if (t) yield [moduleName ? `${moduleName}.${name}` : name, t];
    }
  }

  parameters(): Tensor[] { return [...this.namedParameters()].map(([, t]) => t); }

  *namedBuffers(prefix = ''): Generator<[string, Tensor]> {
    for (const [moduleName, m] of this.namedModules(prefix)) {
      for (const [name, b] of m.buffers) if (b.tensor) yield [moduleName ? `${moduleName}.${name}` : name, b.tensor];
    }
  }

  /** Parameters and persistent buffers in PyTorch's state_dict order (the live tensors, not copies). */
  stateDict(prefix = ''): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.collectState(prefix, out);
    return out;
  }

  private collectState(prefix: string, out: Map<string, Tensor>): void {
    for (const [name, t] of this.params) if (t) out.set(prefix + name, t);
    for (const [name, b] of this.buffers) if (b.tensor && b.persistent) out.set(prefix + name, b.tensor);
    for (const [name, child] of this.children) child.collectState(`${prefix}${name}.`, out);
  }

  /**
   * Copies values from `sd` into this module's tensors (dtype converted, device kept).
   * strict (default): any missing, unexpected or mis-shaped key is an error listing all of them;
   * otherwise matching keys are loaded and the lists are returned.
   */
  loadStateDict(sd: ReadonlyMap<string, Tensor>, opts: { strict?: boolean; where?: string } = {}): LoadResult {
    const own = this.stateDict();
    const result: LoadResult = { missing: [], unexpected: [], mismatched: [] };
    for (const key of own.keys()) if (!sd.has(key)) result.missing.push(key);
    for (const key of sd.keys()) if (!own.has(key)) result.unexpected.push(key);
    for (const [key, target] of own) {
      const src = sd.get(key);
      if (src && !sameShape(src.shape, target.shape)) {
        result.mismatched.push(`${key}: checkpoint [${src.shape.join(', ')}] vs model [${target.shape.join(', ')}]`);
      }
    }
    const failed = result.missing.length + result.unexpected.length + result.mismatched.length > 0;
    if (failed && (opts.strict ?? true)) throw new StateDictError(result, opts.where ?? 'loadStateDict');
    noGrad(() => {
      for (const [key, target] of own) {
        const src = sd.get(key);
        if (src && sameShape(src.shape, target.shape)) target.copy_(src);
      }
    });
    return result;
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this { return this.train(false); }

  /** Moves every parameter and buffer to a device or dtype (floating tensors only for dtypes). */
  to(target: string): this {
    const isDevice = target === 'cpu' || target.startsWith('cuda');
    noGrad(() => {
      for (const [, m] of this.namedModules()) {
        for (const [name, t] of m.params) {
          if (!t || (!isDevice && !isFloatingDtype(t))) continue;
          const moved = t.to(target);
          moved.requiresGrad = t.requiresGrad;
          t.dispose();
          m.params.set(name, keep(moved));
        }
        for (const [, slot] of m.buffers) {
          const t = slot.tensor;
          if (!t || (!isDevice && !isFloatingDtype(t))) continue;
          slot.tensor = keep(t.to(target));
          t.dispose();
        }
      }
    });
    return this;
  }

  /** Frees every parameter and buffer. The module is unusable afterwards. */
  dispose(): void {
    for (const [, t] of this.namedParameters()) t.dispose();
    for (const [, t] of this.namedBuffers()) t.dispose();
  }

  /** Number of parameter elements (trainable only, or all). */
  parameterCount(trainableOnly = true): number {
    let n = 0;
    for (const [, t] of this.namedParameters()) if (!trainableOnly || t.requiresGrad) n += t.numel;
    return n;
  }
}

function isFloatingDtype(t: Tensor): boolean {
  const d = t.dtype;
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** An ordered list of modules, named "0", "1", ... as torch.nn.ModuleList / Sequential. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.push(m);
  }
  push(m: M): void {
    this.module(String(this.items.length), m);
    this.items.push(m);
  }
  get length(): number { return this.items.length; }
  at(i: number): M { return this.items[i]; }
  [Symbol.iterator](): Iterator<M> { return this.items[Symbol.iterator](); }
}

/** Modules under string keys (torch.nn.ModuleDict), e.g. linear_head["ViT-B/32"]. */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly entries = new Map<string, M>();
  constructor(modules: Record<string, M> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }
  set(key: string, m: M): void {
    this.module(key, m);
    this.entries.set(key, m);
  }
  get(key: string): M {
    const m = this.entries.get(key);
    if (!m) throw new Error(`ModuleDict has no key '${key}' (has: ${[...this.entries.keys()].join(', ')})`);
    return m;
  }
  has(key: string): boolean { return this.entries.has(key); }
}

/** Anything with a one-tensor forward. */
export interface Forward {
  forward(x: Tensor): Tensor;
}

/** Modules applied in order, named "0", "1", ... as torch.nn.Sequential. */
export class Sequential extends ModuleList<Module & Forward> {
  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.items) {
      const next = m.forward(y);
      if (y !== x && next !== y) y.dispose();
      y = next;
    }
    return y;
  }
}
