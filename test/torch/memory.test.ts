/**
 * A training loop (temporal conv + batch norm + SGD with Nesterov momentum, each step in a tidy
 * scope) must not leak: no tensor left in the native table, and a flat resident set size after
 * warm-up. V8 legitimately grows its heap reservation under allocation pressure, so the check is
 * on the memory outside V8's heap: RSS minus the physical size of V8's heap spaces.
 *
 * A tensor left behind shows in the native table after a single step, and a leak of native
 * memory per step of 16 KiB or more (a tensor's worth here) shows in a few hundred steps; the
 * long soak that bounds slower leaks (10,000 steps) is `node dist/bench/memory_soak.js`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as torch from '../../src/torch/index.js';
import { SGD } from '../../src/torch/optim/index.js';

const F = torch.F;
const WARMUP_STEPS = 50;
const STEPS = 400;
/** Allocator and V8 noise; a leak of 16 KiB per step would show as ~5.5 MiB. */
const RSS_SLACK_BYTES = 4 << 20;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Resident memory outside V8's heap, after a full GC and a turn of the event loop (which runs the finalizers). */
async function nativeRss(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const v8Heap = getHeapSpaceStatistics().reduce((sum, space) => sum + space.physical_space_size, 0);
  return process.memoryUsage().rss - v8Heap;
}

test(`${STEPS} conv + SGD steps: no tensor leaks and a flat RSS outside V8's heap`, async (t) => {
  torch.manualSeed(0);
  const weight = torch.tidy(() => torch.keep(torch.randn([4, 2, 3, 1]).mul(0.1)).requiresGrad_());
  const bias = torch.keep(torch.zeros([4], { requiresGrad: true }));
  const runningMean = torch.keep(torch.zeros([4]));
  const runningVar = torch.keep(torch.ones([4]));
  const input = torch.keep(torch.randn([2, 2, 8, 3]));
  const target = torch.keep(torch.randn([2, 4, 8, 3]));
  const opt = new SGD([weight, bias], { lr: 0.01, momentum: 0.9, weightDecay: 5e-4, nesterov: true });

  const step = (): number => torch.tidy(() => {
    const y = F.conv2d(input, weight, bias, { padding: [2, 0], dilation: [2, 1] });
    const z = F.batchNorm(y, runningMean, runningVar, null, null, true).relu();
    const loss = F.mseLoss(z, target);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss.item();
  });

  const first = step();
  for (let i = 1; i < WARMUP_STEPS; i++) step();
  const rssAfterWarmup = await nativeRss();
  const liveAfterWarmup = torch.memoryStats().liveTensors;
  let last = first;
  for (let i = WARMUP_STEPS; i < STEPS; i++) last = step();
  const rssAtEnd = await nativeRss();

  assert.ok(last < first, `the loss decreases (${first} → ${last}), so the loop really trains`);
  assert.equal(torch.memoryStats().liveTensors, liveAfterWarmup, 'no tensor left behind by a step');
  const growth = rssAtEnd - rssAfterWarmup;
  t.diagnostic(`RSS outside V8's heap: ${(rssAfterWarmup / 2 ** 20).toFixed(1)} MiB after warm-up, ${(rssAtEnd / 2 ** 20).toFixed(1)} MiB after ${STEPS} steps`);
  assert.ok(growth < RSS_SLACK_BYTES, `RSS outside V8's heap grew by ${(growth / 2 ** 20).toFixed(2)} MiB over ${STEPS - WARMUP_STEPS} steps`);
  opt.dispose();
  for (const t of [weight, bias, runningMean, runningVar, input, target]) t.dispose();
});
