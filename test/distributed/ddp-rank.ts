/**
 * Data-parallel steps for test/distributed/ddp.test.ts, as a real subprocess:
 *   node ddp-rank.js rank <outDir> <steps> [K]       one rank (torchrun environment), DataParallel,
 *                                                    K micro-batches accumulated per step (default 1)
 *   node ddp-rank.js reference <outDir> <steps> [K]  one process: per step, the gradients of both
 *                                                    ranks' K micro-batches accumulated and averaged
 *   node ddp-rank.js gradients <outDir> <calls>  one rank: DataParallel.backward of a loss with
 *                                                known gradients (a float32 parameter used on
 *                                                every rank, one on rank 1 only, a float64 one on
 *                                                none), per call; writes <outDir>/gradients<rank>.json
 *   node ddp-rank.js overlap <outDir> <steps> <capMb>  one rank: an 8-layer MLP (256 KiB per
 *                                                weight) under DataParallel with <capMb> buckets,
 *                                                <steps> reducing backwards; writes
 *                                                <outDir>/overlap<rank>.json: this rank's own
 *                                                gradients, the averaged ones, the reducer's stats
 * Each writes, after every step, all parameters (float32, state-dict order) to
 * <outDir>/<who>.step<s>.bin, and the first BatchNorm's running mean to <who>.bn.bin.
 * Rank r builds its model with seed 1 + r, so only the initial broadcast makes the ranks agree;
 * rank r's batch at step s, its labels and its mix-up generator depend on (r, s) only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { manualSeed, randn, tensor, tidy, type Tensor } from '../../src/torch/index.js';
import { Linear, Module, ReLU, Sequential } from '../../src/torch/nn/index.js';
import { ProcessGroup } from '../../src/torch/distributed.js';
import { PythonRandom } from '../../src/rng/index.js';
import { setUpRun } from '../../src/engine/run-setup.js';
import { benchModelSpec } from '../../src/engine/bench.js';
import { TrainingStep, stepSettingsOf } from '../../src/engine/train-step.js';
import { DataParallel } from '../../src/engine/data-parallel.js';
import { stepLabels } from '../../src/model/train-forward.js';
import type { Recognizer } from '../../src/model/recognizer.js';

const [mode, outDir, stepsArg, microArg] = process.argv.slice(2);
const steps = Number(stepsArg);
const micro = Number(microArg ?? 1);
const BATCH = 4;
const WORLD = 2;
const config = loadConfig('quick/j');
const spec = benchModelSpec(config);

function build(seed: number): { model: Recognizer; step: TrainingStep } {
  manualSeed(0); // the fixed text table is drawn first: equal everywhere
  const run = setUpRun({ config, runtime: { threads: 1, workers: 0, device: 'cpu' }, semantics: 'random-table', seed });
  run.model.train();
  return { model: run.model, step: new TrainingStep(run.model, run.semantics, stepSettingsOf(config)) };
}

/** Rank r's micro-batch at step s: forward + backward (`backward`, default loss.backward()) into the accumulated gradients. */
function accumulate(step: TrainingStep, rng: PythonRandom, r: number, s: number, backward?: (loss: Tensor) => void): void {
  tidy(() => {
    manualSeed(1000 + 10 * s + r);
    const keypoint = randn([BATCH, 1, spec.persons, spec.frames, spec.numJoints, spec.channels]);
    const labels = stepLabels(Int32Array.from({ length: BATCH }, (_, i) => (3 * s + 5 * r + i) % spec.numClasses), 'cpu');
    manualSeed(2000 + 10 * s + r);
    step.accumulate({ keypoint, labels }, rng, backward);
  });
}

/** Parameters with known gradients for the `gradients` mode. */
class ThreeParameters extends Module {
  readonly everywhere = this.param('everywhere', tensor([0, 0, 0]));
  readonly rankOneOnly = this.param('rankOneOnly', tensor([0, 0]));
  readonly nowhere = this.param('nowhere', tensor(Float64Array.from([0, 0]), [2]));
}

function dump(model: Recognizer, file: string): void {
  const parts = model.parameters().map((p) => p.toFloat32Array());
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  writeFileSync(join(outDir, file), out);
}

function dumpBn(model: Recognizer, file: string): void {
  const [, mean] = [...model.stateDict()].find(([k]) => k.endsWith('running_mean'))!;
  writeFileSync(join(outDir, file), mean.toFloat32Array());
}

async function main(): Promise<void> {
  if (mode === 'rank') {
    const rank = Number(process.env.RANK);
    const group = await ProcessGroup.init({ rank, worldSize: WORLD, masterAddr: process.env.MASTER_ADDR!, masterPort: Number(process.env.MASTER_PORT), backend: 'gloo', timeoutMs: 60_000 });
    const dp = new DataParallel(group);
    const { model, step } = build(1 + rank);
    dump(model, `rank${rank}.init.bin`);
    await dp.broadcastState(model);
    const rng = new PythonRandom(100 + rank);
    for (let s = 0; s < steps; s++) {
      // Only the last micro-batch's backward reduces over the ranks (DDP's no_sync before it).
      for (let m = 0; m < micro; m++) accumulate(step, rng, rank, s * micro + m, m === micro - 1 ? (loss) => dp.backward(model, loss) : undefined);
      step.update();
      dump(model, `rank${rank}.step${s}.bin`);
    }
    dumpBn(model, `rank${rank}.bn.bin`);
  } else if (mode === 'gradients') {
    const rank = Number(process.env.RANK);
    const group = await ProcessGroup.init({ rank, worldSize: WORLD, masterAddr: process.env.MASTER_ADDR!, masterPort: Number(process.env.MASTER_PORT), backend: 'gloo', timeoutMs: 60_000 });
    const dp = new DataParallel(group);
    const m = new ThreeParameters();
    const calls: { everywhere: number[]; rankOneOnly: number[]; nowhere: number[] | null; dtype: string }[] = [];
    for (let c = 0; c < steps; c++) {
      // d loss / d everywhere = [1 + rank + c, 10 rank, -1 - c]; d loss / d rankOneOnly = [4 + c, 6] on rank 1, none on rank 0.
      tidy(() => {
        let loss = m.everywhere.mul(tensor([1 + rank + c, 10 * rank, -1 - c])).sum();
        if (rank === 1) loss = loss.add(m.rankOneOnly.mul(tensor([4 + c, 6])).sum());
        dp.backward(m, loss);
      });
      calls.push({ everywhere: Array.from(m.everywhere.grad!.toFloat32Array()), rankOneOnly: Array.from(m.rankOneOnly.grad!.toFloat32Array()), nowhere: m.nowhere.grad ? [] : null, dtype: m.everywhere.grad!.dtype });
      m.everywhere.grad = null; m.rankOneOnly.grad = null;
    }
    writeFileSync(join(outDir, `gradients${rank}.json`), JSON.stringify(calls));
  } else if (mode === 'overlap') {
    const rank = Number(process.env.RANK);
    const group = await ProcessGroup.init({ rank, worldSize: WORLD, masterAddr: process.env.MASTER_ADDR!, masterPort: Number(process.env.MASTER_PORT), backend: 'gloo', timeoutMs: 60_000 });
    const dp = new DataParallel(group, { bucketCapMb: Number(microArg) });
    manualSeed(7); // the same weights on both ranks
    const net = new Sequential(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? new Linear(256, 256) : new ReLU())));
    manualSeed(100 + rank);
    const x = randn([256, 256]);
    const loss = () => net.forward(x).pow(2).mean();
    const flat = () => net.parameters().flatMap((p) => Array.from(p.grad!.toFloat32Array()));
    tidy(() => loss().backward());
    const own = flat();
    for (let s = 0; s < steps; s++) {
      for (const p of net.parameters()) p.grad = null;
      tidy(() => dp.backward(net, loss()));
    }
    writeFileSync(join(outDir, `overlap${rank}.json`), JSON.stringify({ own, averaged: flat(), stats: dp.reducerStats() }));
  } else {
    const { model, step } = build(1);
    const rngs = Array.from({ length: WORLD }, (_, r) => new PythonRandom(100 + r));
    for (let s = 0; s < steps; s++) {
      for (let r = 0; r < WORLD; r++) for (let m = 0; m < micro; m++) accumulate(step, rngs[r], r, s * micro + m);
      step.update();
      dump(model, `reference.step${s}.bin`);
    }
  }
}

main().then(() => process.exit(0), (err) => { process.stderr.write(`${(err as Error).stack}\n`); process.exit(1); });
