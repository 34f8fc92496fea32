/**
 * The long leak soak: 10,000 training steps of the small conv + batch norm + SGD (Nesterov) loop
 * of test/torch/soak.ts, which test/torch/memory.test.ts runs for a few hundred. Reports the live
 * tensors and the resident memory outside V8's heap (RSS minus V8's heap spaces: V8 grows its
 * young generation under allocation pressure for some 20,000 steps, ~20 MiB of RSS that is not
 * a leak) after warm-up and at the end; exits 1 when either grew (a leak of 1 KiB per step would
 * show as ~9 MiB).
 *
 *   node dist/bench/memory_soak.js [--steps 10000] [--warmup 1000]
 */
import * as torch from '../src/torch/index.js';
import { soak } from '../test/torch/soak.js';

const RSS_SLACK_BYTES = 4 << 20;

function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} expects an integer ≥ 1, got '${process.argv[i + 1]}'`);
  return v;
}

const steps = intArg('steps', 10_000);
const warmup = intArg('warmup', 1000);
torch.setNumThreads(1);
const r = await soak(steps, warmup);
const growth = r.rssAtEnd - r.rssAfterWarmup;
const mib = (b: number) => (b / 2 ** 20).toFixed(2);
console.log(`${steps} steps (${warmup} warm-up) in ${r.seconds.toFixed(1)} s; loss ${r.first.toFixed(4)} → ${r.last.toFixed(4)}`);
console.log(`live tensors: ${r.liveAfterWarmup} after warm-up, ${r.liveAtEnd} at the end`);
console.log(`RSS outside V8's heap: ${mib(r.rssAfterWarmup)} MiB after warm-up, ${mib(r.rssAtEnd)} MiB at the end (growth ${mib(growth)} MiB, slack ${mib(RSS_SLACK_BYTES)} MiB)`);
const leaked = r.liveAtEnd !== r.liveAfterWarmup || growth >= RSS_SLACK_BYTES || !(r.last < r.first);
console.log(leaked ? 'LEAK (or the loop did not train): see above' : 'no leak');
process.exit(leaked ? 1 : 0);
