/**
 * `--accumulate K` equals the large batch where it mathematically can: K micro-batches of B
 * through GradientAccumulator (what TrainingStep.update runs) against one batch of K·B, on a
 * small float64 network (Linear → BatchNorm1d → ReLU → Linear, cross entropy, SGD with Nesterov
 * momentum and weight decay) over several optimiser steps. With BatchNorm's statistics frozen
 * (eval mode) every sample's loss is independent of its batch, so the parameters must agree to
 * float64 rounding; with BatchNorm in training mode they must not (each micro-batch is normalised
 * with its own statistics), which is the limit docs/distributed.md states.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { Linear, BatchNorm1d, ReLU, Sequential } from '../../src/torch/nn/index.js';
import { SGD } from '../../src/torch/optim/index.js';
import { crossEntropy } from '../../src/torch/functional.js';
import { GradientAccumulator } from '../../src/engine/grad-accumulation.js';

const skip = torch.torchAvailable() ? false : 'SKIPPED: libtorch bridge not built';
if (skip) console.warn(`\n*** ${skip} ***\n`);

const K = 3;
const B = 4;
const STEPS = 4;
const IN = 6;
const CLASSES = 5;

/** The same float64 network every time (fixed seed), BatchNorm's running statistics made non-trivial. */
function network(bnTraining: boolean): Sequential {
  torch.manualSeed(7);
  const net = new Sequential([new Linear(IN, 8), new BatchNorm1d(8), new ReLU(), new Linear(8, CLASSES)]).to('float64');
  torch.noGrad(() => {
    const bn = net.stateDict();
    bn.get('1.running_mean')!.copy_(torch.tidy(() => torch.randn([8], { dtype: 'float64' })));
    bn.get('1.running_var')!.copy_(torch.tidy(() => torch.rand([8], { dtype: 'float64' }).add(0.5)));
  });
  net.train();
  if (!bnTraining) net.at(1).eval();
  return net;
}

/** Step s's K·B samples and labels (the same for both sides). */
function batch(s: number): { x: torch.Tensor; y: torch.Tensor } {
  torch.manualSeed(100 + s);
  const x = torch.randn([K * B, IN], { dtype: 'float64' });
  const y = torch.tensor(BigInt64Array.from({ length: K * B }, (_, i) => BigInt((7 * s + 3 * i) % CLASSES)), [K * B], { dtype: 'int64' });
  return { x, y };
}

function parameters(net: Sequential): Float64Array[] {
  return net.parameters().map((p) => Float64Array.from(p.toNdArray().data as Float64Array));
}

/**
 * Trains STEPS optimiser steps; each step's K·B samples go through in `split` micro-batches of
 * equal size. `step` is what turns the held gradients into an update.
 */
function trainSteps(bnTraining: boolean, split: number, step: (acc: GradientAccumulator) => void): Float64Array[] {
  const net = network(bnTraining);
  const sgd = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const acc = new GradientAccumulator(sgd);
  try {
    for (let s = 0; s < STEPS; s++) {
      torch.tidy(() => {
        const { x, y } = batch(s);
        const n = (K * B) / split;
        for (let k = 0; k < split; k++) {
          const loss = crossEntropy(net.forward(x.narrow(0, k * n, n)), y.narrow(0, k * n, n));
          loss.backward();
          acc.added(loss.item());
        }
      });
      step(acc);
    }
    return parameters(net);
  } finally {
    sgd.dispose();
    net.dispose();
  }
}

function maxRelDiff(a: Float64Array[], b: Float64Array[]): number {
  let worst = 0;
  a.forEach((p, i) => p.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - b[i][j]) / (1e-6 + Math.abs(b[i][j]))); }));
  return worst;
}

test('K micro-batches through GradientAccumulator equal one batch of K·B (float64, BatchNorm statistics frozen)', { skip }, () => {
  const large = trainSteps(false, 1, (acc) => acc.step());
  const accumulated = trainSteps(false, K, (acc) => acc.step());
  const initial = parameters(network(false));
  assert.ok(maxRelDiff(large, initial) > 1e-2, 'the steps should move the parameters');
  const d = maxRelDiff(accumulated, large);
  assert.ok(d < 1e-12, `accumulated and large-batch parameters differ by ${d} (relative)`);
});

test('the comparison is sensitive: the summed gradients without the 1/K scaling differ from the large batch', { skip }, () => {
  const large = trainSteps(false, 1, (acc) => acc.step());
  const unscaled = trainSteps(false, K, (acc) => { acc.sgd.step(); acc.sgd.zeroGrad(); acc.step(true); });
  assert.ok(maxRelDiff(unscaled, large) > 1e-3);
});

test('with BatchNorm in training mode accumulation is not the large batch (each micro-batch has its own statistics)', { skip }, () => {
  const large = trainSteps(true, 1, (acc) => acc.step());
  const accumulated = trainSteps(true, K, (acc) => acc.step());
  assert.ok(maxRelDiff(accumulated, large) > 1e-6);
});
