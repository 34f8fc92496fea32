import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from '../../src/torch/index.js';
import { SGD, type SGDOptions } from '../../src/torch/optim/index.js';
import { loadCheckpoint } from '../../src/torch/checkpoint.js';
import { readNpy } from '../../src/io/npy.js';
import { fixture, needFixtures } from '../fixtures.js';
import { needPythonTorch, runPythonJson } from './python-torch.js';
import { vals } from './values.js';

const SHAPE = [3, 4];

/** Deterministic float32 values (exact in JSON). */
function values(seed: number, n = 12): number[] {
  return Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed * 7.1 + i * 1.3) * 2));
}

function param(seed: number): torch.Tensor {
  return torch.tensor(Float32Array.from(values(seed)), SHAPE, { requiresGrad: true });
}

/** Runs `steps` SGD steps with the given gradients; returns params and buffers after each. */
function runSteps(options: SGDOptions, grads: number[][]): { params: number[][]; buffers: (number[] | null)[] } {
  const p = param(1);
  const opt = new SGD([p], options);
  const params: number[][] = [];
  const buffers: (number[] | null)[] = [];
  for (const g of grads) {
    p.grad = torch.tensor(Float32Array.from(g), SHAPE);
    opt.step();
    params.push(vals(p));
    const buf = opt.stateDict().state.get(0)!.momentum_buffer;
    buffers.push(buf ? vals(buf) : null);
  }
  opt.dispose();
  p.dispose();
  return { params, buffers };
}

const CASES: { name: string; options: SGDOptions }[] = [
  { name: 'plain', options: { lr: 0.1 } },
  { name: 'momentum + dampening', options: { lr: 0.05, momentum: 0.8, dampening: 0.3 } },
  { name: 'momentum + weight decay', options: { lr: 0.025, momentum: 0.9, weightDecay: 5e-4 } },
  { name: 'nesterov + weight decay (training config)', options: { lr: 0.025, momentum: 0.9, weightDecay: 5e-4, nesterov: true } },
  { name: 'maximize + nesterov', options: { lr: 0.01, momentum: 0.5, nesterov: true, maximize: true } },
];

const PY_SGD = `
cfg = json.load(sys.stdin)
out = []
for case in cfg['cases']:
    o = case['options']
    p = torch.tensor(case['param'], dtype=torch.float32).reshape(3, 4).requires_grad_()
    opt = torch.optim.SGD([p], lr=o['lr'], momentum=o.get('momentum', 0), dampening=o.get('dampening', 0),
                          weight_decay=o.get('weightDecay', 0), nesterov=o.get('nesterov', False), maximize=o.get('maximize', False))
    params, buffers = [], []
    for g in case['grads']:
        p.grad = torch.tensor(g, dtype=torch.float32).reshape(3, 4)
        opt.step()
        params.append(p.detach().flatten().tolist())
        b = opt.state[p].get('momentum_buffer')
        buffers.append(None if b is None else b.flatten().tolist())
    out.append({'params': params, 'buffers': buffers})
print(json.dumps(out))
`;

test('SGD matches torch.optim.SGD bit for bit over 3 steps', { skip: needPythonTorch() }, () => {
  const grads = [values(2), values(3), values(4)];
  const expected = runPythonJson<{ params: number[][]; buffers: (number[] | null)[] }[]>(PY_SGD, {
    cases: CASES.map((c) => ({ options: c.options, param: values(1), grads })),
  });
  CASES.forEach((c, i) => {
    const got = runSteps(c.options, grads);
    assert.deepEqual(got.params, expected[i].params, `${c.name}: parameters`);
    assert.deepEqual(got.buffers, expected[i].buffers, `${c.name}: momentum buffers`);
  });
});

test('SGD: first step uses buf = g + wd·p and nesterov p -= lr·(d + m·buf) (hand-computed)', () => {
  const p = torch.tensor([1, -2], { dtype: 'float64', requiresGrad: true });
  const opt = new SGD([p], { lr: 0.5, momentum: 0.9, weightDecay: 0.1, nesterov: true });
  p.grad = torch.tensor([0.5, 0.25], { dtype: 'float64' });
  opt.step();
  // d = g + 0.1 p = [0.6, 0.05]; buf = d; update = d + 0.9 buf = [1.14, 0.095]
  const got = vals(p);
  assert.ok(Math.abs(got[0] - (1 - 0.5 * 1.14)) < 1e-12 && Math.abs(got[1] - (-2 - 0.5 * 0.095)) < 1e-12, `got ${got}`);
  opt.dispose();
});

test('SGD skips parameters without a gradient and creates no state for them', () => {
  const a = param(1);
  const b = param(2);
  const before = vals(b);
  const opt = new SGD([a, b], { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
  a.grad = torch.onesLike(a);
  opt.step();
  assert.deepEqual(vals(b), before);
  assert.deepEqual([...opt.stateDict().state.keys()], [0]);
  opt.dispose();
});

test('SGD with momentum 0 stores a None momentum buffer, as PyTorch', () => {
  const a = param(1);
  const opt = new SGD([a], { lr: 0.1 });
  a.grad = torch.onesLike(a);
  opt.step();
  assert.deepEqual(opt.stateDict().state.get(0), { momentum_buffer: null });
});

test('SGD rejects invalid hyperparameters with PyTorch\'s reasons', () => {
  const p = param(1);
  assert.throws(() => new SGD([p], { lr: -1 }), /SGD: invalid lr -1/);
  assert.throws(() => new SGD([p], { lr: 0.1, momentum: -0.5 }), /invalid momentum/);
  assert.throws(() => new SGD([p], { lr: 0.1, weightDecay: -1 }), /invalid weight decay/);
  assert.throws(() => new SGD([p], { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/);
  assert.throws(() => new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /Nesterov/);
  assert.throws(() => new SGD([p, p], { lr: 0.1 }), /parameter 1 is the same tensor as parameter 0/);
  assert.throws(() => new SGD([], { lr: 0.1 }), /empty parameter list/);
});

test('SGD accepts named parameter entries and [name, tensor] pairs', () => {
  const w = param(1);
  const b = param(2);
  const opt = new SGD([{ name: 'fc.weight', tensor: w }], { lr: 1 });
  w.grad = torch.onesLike(w);
  opt.step();
  assert.deepEqual(vals(w), values(1).map((v) => Math.fround(v - 1)));
  assert.equal(new SGD(new Map([['fc.bias', b]]), { lr: 1 }).paramGroups[0].params[0], b);
  assert.throws(() => new SGD([['x', w], ['y', w]], { lr: 1 }), /y is the same tensor as x/);
  assert.throws(() => new SGD([{ name: 'a', tensor: w }, { name: 'b', tensor: w }], { lr: 1 }), /b is the same tensor as a/);
});

test('zeroGrad drops gradients (setToNone) or zeroes them in place', () => {
  const p = param(1);
  const opt = new SGD([p], { lr: 0.1 });
  p.grad = torch.onesLike(p);
  opt.zeroGrad(false);
  const g = p.grad!;
  assert.deepEqual(vals(g), new Array(12).fill(0));
  g.dispose();
  opt.zeroGrad();
  assert.equal(p.grad, null);
});

test('state dict has PyTorch 1.13 layout and key order', () => {
  const p = param(1);
  const q = param(2);
  const opt = new SGD([p, q], { lr: 0.025, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  q.grad = torch.onesLike(q);
  opt.step();
  const sd = opt.stateDict();
  assert.deepEqual(Object.keys(sd), ['state', 'param_groups']);
  assert.deepEqual(Object.keys(sd.param_groups[0]), ['lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'maximize', 'foreach', 'differentiable', 'params']);
  assert.deepEqual(sd.param_groups[0].params, [0, 1]);
  assert.deepEqual([...sd.state.keys()], [1]);
  opt.paramGroups[0].initialLr = 0.025;
  assert.deepEqual(Object.keys(opt.stateDict().param_groups[0]).slice(-2), ['initial_lr', 'params']);
  opt.dispose();
});

test('loadStateDict resumes: continuing equals an uninterrupted run', () => {
  const options: SGDOptions = { lr: 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: true };
  const grads = [values(5), values(6), values(7)];
  const straight = runSteps(options, grads);

  const p = param(1);
  const first = new SGD([p], options);
  p.grad = torch.tensor(Float32Array.from(grads[0]), SHAPE);
  first.step();
  const saved = first.stateDict();
  saved.param_groups[0].params = [7]; // saved indices map by position, whatever their values
  saved.state = new Map([[7, saved.state.get(0)!]]);
  const resumed = new SGD([p], { lr: 99 });
  resumed.loadStateDict(saved);
  first.dispose(); // the loaded buffers are copies
  assert.equal(resumed.paramGroups[0].lr, 0.05);
  assert.equal(resumed.paramGroups[0].nesterov, true);
  for (const g of grads.slice(1)) {
    p.grad = torch.tensor(Float32Array.from(g), SHAPE);
    resumed.step();
  }
  assert.deepEqual(vals(p), straight.params[2]);
  resumed.dispose();
});

test('loadStateDict casts buffers to the parameter dtype and validates the layout', () => {
  const p = param(1);
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
  const group = { lr: 0.1, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, foreach: null, differentiable: false, params: [0] };
  opt.loadStateDict({ state: new Map([[0, { momentum_buffer: torch.ones(SHAPE, { dtype: 'float64' }) }]]), param_groups: [group] });
  assert.equal(opt.stateDict().state.get(0)!.momentum_buffer!.dtype, 'float32');
  assert.throws(() => opt.loadStateDict({ state: new Map(), param_groups: [group, group] }), /2 parameter groups; this optimizer has 1/);
  assert.throws(() => opt.loadStateDict({ state: new Map(), param_groups: [{ ...group, params: [0, 1] }] }), /2 parameters; this optimizer has 1/);
  assert.throws(() => opt.loadStateDict({ state: new Map([[3, { momentum_buffer: null }]]), param_groups: [group] }), /state for parameter 3, which no parameter group lists/);
  assert.throws(() => opt.loadStateDict({ state: new Map([[0, { momentum_buffer: torch.ones([2]) }]]), param_groups: [group] }), /momentum_buffer of parameter 0: shape \[2\] does not match the parameter's \[3, 4\]/);
  assert.throws(() => opt.loadStateDict({ state: new Map(), param_groups: [{ ...group, nesterov: true, dampening: 0.5 }] }), /Nesterov/);
  // a failed load leaves the optimizer as it was
  assert.equal(opt.stateDict().state.get(0)!.momentum_buffer!.dtype, 'float32');
  opt.dispose();
});

test('momentum buffers survive tidy() around a step; dispose() frees them', () => {
  const p = param(1);
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
  const live = torch.memoryStats().liveTensors;
  torch.tidy(() => {
    p.grad = torch.onesLike(p);
    opt.step();
    p.grad = null;
  });
  assert.equal(torch.memoryStats().liveTensors, live + 1);
  assert.equal(opt.stateDict().state.get(0)!.momentum_buffer!.isDisposed, false);
  opt.dispose();
  assert.equal(torch.memoryStats().liveTensors, live);
});

interface ArrayRef { file: string; shape: number[] }
interface SgdFixture {
  sgd_step: { optimizer: { lr: number; momentum: number; weight_decay: number; nesterov: boolean }; params_after: Record<string, { rows?: string; value: ArrayRef; momentum_buffer: ArrayRef }> };
  grads: Record<string, ArrayRef>;
}

test('one SGD step on the fixture model equals the original training step (parameters and momentum, exact)', { skip: needFixtures() }, () => {
  const manifest = JSON.parse(readFileSync(fixture('models/ntu60_xsub_j/manifest.json'), 'utf8')) as { train: { linear: SgdFixture } };
  const { sgd_step: step, grads } = manifest.train.linear;
  const ck = loadCheckpoint(fixture('models/ntu60_xsub_j/checkpoint.pth'));
  const load = (ref: ArrayRef) => torch.fromNdArray(readNpy(fixture(ref.file)));
  const names = Object.keys(step.params_after);
  assert.equal(names.length, 15);
  for (const name of names) {
    const after = step.params_after[name];
    let p = ck.stateDict.get(name)!;
    if (after.rows) {
      const [start, end] = after.rows.split(':').map(Number);
      p = p.slice(0, start, end).contiguous();
    }
    p.requiresGrad_();
    const opt = new SGD([p], { lr: step.optimizer.lr, momentum: step.optimizer.momentum, weightDecay: step.optimizer.weight_decay, nesterov: step.optimizer.nesterov });
    p.grad = load(grads[name]);
    opt.step();
    assert.ok(p.equal(load(after.value)), `${name}: parameter after the step`);
    assert.ok(opt.stateDict().state.get(0)!.momentum_buffer!.equal(load(after.momentum_buffer)), `${name}: momentum buffer`);
    opt.dispose();
  }
  for (const t of ck.stateDict.values()) t.dispose();
});
