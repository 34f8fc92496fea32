import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { SGD, cosineAnnealingLr, iterationsPerEpoch, CosineAnnealingScheduler } from '../../src/torch/optim/index.js';
import { needPythonTorch, runPythonJson } from './python-torch.js';

test('cosine schedule: lr0 at iteration 0, lr0/2 at the middle, 0 at the end', () => {
  assert.equal(cosineAnnealingLr(0.025, 0, 1000), 0.025);
  assert.ok(Math.abs(cosineAnnealingLr(0.025, 500, 1000) - 0.0125) < 1e-17);
  assert.equal(cosineAnnealingLr(0.025, 1000, 1000), 0);
  assert.ok(Math.abs(cosineAnnealingLr(0.1, 250, 1000) - 0.05 * (1 + Math.SQRT1_2)) < 1e-16);
  assert.ok(Math.abs(cosineAnnealingLr(0.1, 1000, 1000, 0.001) - 0.001) < 1e-18);
});

// V8's Math.cos (fdlibm) and glibc's cos differ by one ulp for some arguments; near the end of
// the schedule cos + 1 cancels, so the lr may differ by a few ulps (≈1e-18 absolute); the
// expression is otherwise the same.
test('cosine schedule equals mmcv annealing_cos in Python within a few ulps', { skip: needPythonTorch() }, () => {
  const total = 150 * iterationsPerEpoch(40091, 16); // NTU-60 xsub: 150 epochs of 2506 iterations
  const its = Array.from({ length: 400 }, (_, i) => Math.floor((i * total) / 399));
  const expected = runPythonJson<number[]>(`
from math import cos, pi
def annealing_cos(start, end, factor, weight=1):
    cos_out = cos(pi * factor) + 1
    return end + 0.5 * weight * (start - end) * cos_out
cfg = json.load(sys.stdin)
print(json.dumps([annealing_cos(0.025, 0, it / cfg['total']) for it in cfg['its']]))
`, { total, its });
  its.forEach((it, i) => {
    const got = cosineAnnealingLr(0.025, it, total);
    assert.ok(Math.abs(got - expected[i]) <= 1e-13 * Math.abs(expected[i]), `iteration ${it}: ${got} vs Python ${expected[i]}`);
  });
});

test('iterationsPerEpoch keeps the last incomplete batch', () => {
  assert.equal(iterationsPerEpoch(40091, 16), 2506);
  assert.equal(iterationsPerEpoch(32, 16), 2);
  assert.equal(iterationsPerEpoch(0, 16), 0);
  assert.throws(() => iterationsPerEpoch(10, 0), /batchSize > 0/);
});

test('cosine schedule rejects bad iteration counts', () => {
  assert.throws(() => cosineAnnealingLr(0.1, -1, 10), /iteration must be an integer >= 0, got -1/);
  assert.throws(() => cosineAnnealingLr(0.1, 1.5, 10), /iteration/);
  assert.throws(() => cosineAnnealingLr(0.1, 0, 0), /totalIterations must be a positive integer, got 0/);
});

test('scheduler sets initialLr once and drives the optimizer lr per iteration', () => {
  const p = torch.zeros([2], { requiresGrad: true });
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
  const sched = new CosineAnnealingScheduler(opt, 100);
  assert.equal(opt.paramGroups[0].initialLr, 0.1);
  assert.deepEqual(sched.apply(50), [cosineAnnealingLr(0.1, 50, 100)]);
  assert.equal(opt.paramGroups[0].lr, cosineAnnealingLr(0.1, 50, 100));
  assert.equal(opt.stateDict().param_groups[0].initial_lr, 0.1);
  // a resumed optimizer keeps its saved initial_lr even though its current lr is lower
  const again = new CosineAnnealingScheduler(opt, 100);
  assert.deepEqual(again.lrAt(0), [0.1]);
  assert.throws(() => new CosineAnnealingScheduler(opt, 0), /CosineAnnealingScheduler: totalIterations must be a positive integer/);
  opt.dispose();
});
