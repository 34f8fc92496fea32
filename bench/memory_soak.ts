/**
 * The long leak soak: 10,000 training steps of a small conv + batch norm + SGD (Nesterov) loop,
 * each in a tidy scope, as test/torch/memory.test.ts runs for a few hundred. Reports the live
 * tensors and the resident memory outside V8's heap (RSS minus V8's heap spaces: V8 grows its
 * young generation under allocation pressure for some 20,000 steps, ~20 MiB of RSS that is not
 * a leak) after warm-up and at the end; exits 1 when either grew (a leak of 1 KiB per step would
 * show as ~9 MiB).
 *
 *   node dist/bench/memory_soak.js [--steps 10000] [--warmup 1000]
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as torch from '../src/torch/index.js';
import { SGD } from '../src/torch/optim/index.js';

const F = torch.F;
const RSS_SLACK_BYTES = 4 << 20;

function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} expects an integer ≥ 1, got '${process.argv[i + 1]}'`);
  return v;
}

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

const steps = intArg('steps', 10_000);
const warmup = intArg('warmup', 1000);
torch.setNumThreads(1);
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

const t0 = performance.now();
const first = step();
for (let i = 1; i < warmup; i++) step();
const rssAfterWarmup = await nativeRss();
const liveAfterWarmup = torch.memoryStats().liveTensors;
let last = first;
for (let i = warmup; i < steps; i++) last = step();
const rssAtEnd = await nativeRss();
const liveAtEnd = torch.memoryStats().liveTensors;
const growth = rssAtEnd - rssAfterWarmup;
const mib = (b: number) => (b / 2 ** 20).toFixed(2);
console.log(`${steps} steps (${warmup} warm-up) in ${((performance.now() - t0) / 1000).toFixed(1)} s; loss ${first.toFixed(4)} → ${last.toFixed(4)}`);
console.log(`live tensors: ${liveAfterWarmup} after warm-up, ${liveAtEnd} at the end`);
console.log(`RSS outside V8's heap: ${mib(rssAfterWarmup)} MiB after warm-up, ${mib(rssAtEnd)} MiB at the end (growth ${mib(growth)} MiB, slack ${mib(RSS_SLACK_BYTES)} MiB)`);
const leaked = liveAtEnd !== liveAfterWarmup || growth >= RSS_SLACK_BYTES || !(last < first);
console.log(leaked ? 'LEAK (or the loop did not train): see above' : 'no leak');
opt.dispose();
for (const t of [weight, bias, runningMean, runningVar, input, target]) t.dispose();
process.exit(leaked ? 1 : 0);
