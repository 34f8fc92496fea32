/**
 * The leak soak shared by test/torch/memory.test.ts (a few hundred steps) and
 * bench/memory_soak.ts (10,000): a temporal conv + batch norm + SGD (Nesterov) training loop, each
 * step in a tidy scope, with the live tensors and the resident memory outside V8's heap measured
 * after warm-up and at the end. V8 legitimately grows its heap reservation under allocation
 * pressure, so memory is counted as RSS minus the physical size of V8's heap spaces.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as torch from '../../src/torch/index.js';
import { SGD } from '../../src/torch/optim/index.js';

const F = torch.F;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Resident memory outside V8's heap, after a full GC and a turn of the event loop (which runs the finalizers). */
export async function nativeRss(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const v8Heap = getHeapSpaceStatistics().reduce((sum, space) => sum + space.physical_space_size, 0);
  return process.memoryUsage().rss - v8Heap;
}

export interface SoakResult {
  /** Losses of the first and the last step (the loop trains: the last is lower). */
  readonly first: number;
  readonly last: number;
  readonly liveAfterWarmup: number;
  readonly liveAtEnd: number;
  readonly rssAfterWarmup: number;
  readonly rssAtEnd: number;
  readonly seconds: number;
}

/** Runs `steps` training steps (the first `warmup` of them before the baseline is taken). */
export async function soak(steps: number, warmup: number): Promise<SoakResult> {
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
  try {
    const t0 = performance.now();
    const first = step();
    for (let i = 1; i < warmup; i++) step();
    const rssAfterWarmup = await nativeRss();
    const liveAfterWarmup = torch.memoryStats().liveTensors;
    let last = first;
    for (let i = warmup; i < steps; i++) last = step();
    const rssAtEnd = await nativeRss();
    const liveAtEnd = torch.memoryStats().liveTensors;
    return { first, last, liveAfterWarmup, liveAtEnd, rssAfterWarmup, rssAtEnd, seconds: (performance.now() - t0) / 1000 };
  } finally {
    opt.dispose();
    for (const t of [weight, bias, runningMean, runningVar, input, target]) t.dispose();
  }
}
