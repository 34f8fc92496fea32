/**
 * Model throughput: the training step as a config trains (random input of the config's shape,
 * mix-up, backbone on 2N, every loss term including the alignment loss, backward, SGD step) and
 * the multi-clip test forward (eval mode, no gradient). Times are per iteration after warm-up;
 * the reported figure is the median.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/index.js';
import { PythonRandom } from '../transforms/rng/index.js';
import { type Tensor, type nn, type Profile, type CpuCacheStats, cpuCacheStats, cuda, keep, noGrad, profileOps, randint, randn, setNumThreads, tensor, tidy } from '../torch/index.js';
import { SGD } from '../torch/optim/index.js';
import type { Recognizer } from '../model/recognizer.js';
import type { MixConfig } from '../model/mixup.js';
import { forwardTrain } from '../model/train-forward.js';
import { mixConfigOf, numJointsOf } from './build.js';

/** What the benchmark needs to know about a config: input shapes, batches, mix-up, losses, SGD. */
export interface BenchModelSpec {
  numClasses: number;
  numJoints: number;
  persons: number;
  frames: number;
  channels: number;
  /** Clips per sample at test time (the test pipeline's num_clips). */
  clips: number;
  /** Training batch (data.videos_per_gpu) and test batch (data.test_dataloader.videos_per_gpu). */
  trainBatch: number;
  testBatch: number;
  mix: MixConfig;
  lossWeights: { constraint: number; align: number };
  optimizer: { lr: number; momentum: number; weightDecay: number; nesterov: boolean };
}

/** Every config's coordinates have three channels: x, y, z (3D) or x, y, score (2D). */
const INPUT_CHANNELS = 3;
/** The original's clip length when a pipeline does not sample frames (UniformSampleFrames default). */
const DEFAULT_FRAMES = 100;
const SAMPLERS = ['UniformSampleDecode', 'UniformSampleFrames', 'UniformSample'];

function pipelineArg(ops: readonly Record<string, unknown>[], types: readonly string[], key: string): number | undefined {
  const op = ops.find((o) => types.includes(o.type as string));
  const v = op?.[key];
  return typeof v === 'number' ? v : undefined;
}

export function benchModelSpec(config: Config): BenchModelSpec {
  const head = config.model.cls_head;
  const train = config.train_pipeline as readonly Record<string, unknown>[];
  const test = config.test_pipeline as readonly Record<string, unknown>[];
  const opt = config.optimizer as { lr: number; momentum?: number; weight_decay?: number; nesterov?: boolean };
  return {
    numClasses: head.num_classes,
    numJoints: numJointsOf(config),
    persons: pipelineArg(train, ['FormatGCNInput'], 'num_person') ?? config.model.backbone.num_person ?? 2,
    frames: pipelineArg(train, SAMPLERS, 'clip_len') ?? DEFAULT_FRAMES,
    channels: INPUT_CHANNELS,
    clips: pipelineArg(test, SAMPLERS, 'num_clips') ?? 1,
    trainBatch: config.data.videos_per_gpu,
    testBatch: config.data.test_dataloader.videos_per_gpu,
    mix: mixConfigOf(config),
    lossWeights: { constraint: head.weight_1, align: head.weight_2 },
    optimizer: { lr: opt.lr, momentum: opt.momentum ?? 0, weightDecay: opt.weight_decay ?? 0, nesterov: opt.nesterov ?? false },
  };
}

/**
 * The alignment loss's text side (engine/semantics.ts's Semantics fits). A trainable encoder's
 * module is installed in the backbone by the caller, as `skagent train` does, so the optimiser
 * trains it with the model.
 */
export interface BenchTextSource {
  describe(): string;
  embed(labels: Int32Array): Tensor;
  readonly textModule: nn.Module | null;
}

/** A fixed random [classes, dim] table: the text embeddings the original would have cached. */
export function randomTextTable(numClasses: number, dim = 512, device = 'cpu'): BenchTextSource & { dispose(): void } {
  const table = keep(randn([numClasses, dim]).to(device));
  return {
    describe: () => `fixed random table [${numClasses}, ${dim}]`,
    embed: (labels) => tidy(() => table.indexSelect(0, tensor(BigInt64Array.from(labels, BigInt), [labels.length], { dtype: 'int64', device }))),
    textModule: null,
    dispose: () => table.dispose(),
  };
}

export interface BenchOptions {
  batch: number;
  iters: number;
  warmup: number;
  threads: number;
  device: string;
  /** After timing, run one more iteration under the operator profiler (keyed by input shapes when 'shapes'). */
  profile?: 'ops' | 'shapes';
}

export interface BenchResult {
  mode: 'train' | 'infer';
  /** Samples per second at the median iteration time (a test sample is `clips` clips). */
  samples_per_s: number;
  seconds_per_iter: number;
  /** Every timed iteration, in order (warm-up excluded). */
  seconds: number[];
  batch: number;
  clips: number;
  input_shape: number[];
  threads: number;
  device: string;
  text_encoder: { name: string; trained: boolean } | null;
  /** Peak resident set size of this process so far, bytes. */
  peak_rss_bytes: number;
  /** The bridge's caching CPU allocator after the run (null when off: SKAGENT_CPU_CACHE=0). */
  cpu_cache: CpuCacheStats | null;
  /** The operator profile of one extra iteration, when asked for. */
  profile?: Profile<void>;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs `step` warmup + iters times; returns the timed iterations' seconds. */
export function timeIterations(step: () => void, iters: number, warmup: number, device: string): number[] {
  const sync = device.startsWith('cuda') ? () => cuda.synchronize() : () => {};
  for (let i = 0; i < warmup; i++) { step(); sync(); }
  const seconds: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    step();
    sync();
    seconds.push((performance.now() - t0) / 1000);
  }
  return seconds;
}

export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function result(mode: BenchResult['mode'], step: () => void, o: BenchOptions, clips: number, inputShape: number[], text: BenchTextSource | null): BenchResult {
  const seconds = timeIterations(step, o.iters, o.warmup, o.device);
  const perIter = median(seconds);
  const profile = o.profile ? profileOps(() => { step(); if (o.device.startsWith('cuda')) cuda.synchronize(); }, { shapes: o.profile === 'shapes' }) : undefined;
  return {
    mode, samples_per_s: o.batch / perIter, seconds_per_iter: perIter, seconds, batch: o.batch, clips, input_shape: inputShape,
    threads: o.threads, device: o.device, text_encoder: text ? { name: text.describe(), trained: text.textModule !== null } : null, peak_rss_bytes: peakRssBytes(),
    cpu_cache: cpuCacheStats(), ...(profile ? { profile } : {}),
  };
}

/** One training step's closure: new random input and labels each call, mix-up, losses, backward, SGD. */
export function trainingStep(model: Recognizer, spec: BenchModelSpec, text: BenchTextSource, batch: number, device: string): () => void {
  // All parameters, as the trainer (and the original) hands them to SGD.
  const optimizer = new SGD(model.parameters(), spec.optimizer);
  const rng = new PythonRandom(0);
  const shape = [batch, 1, spec.persons, spec.frames, spec.numJoints, spec.channels];
  return () => {
    tidy(() => {
      const keypoint = randn(shape).to(device);
      const labels = randint(0, spec.numClasses, [batch], { dtype: 'int64' }).to(device);
      const r = forwardTrain(model, keypoint, labels, {
        mix: spec.mix, rng, weights: spec.lossWeights,
        textEmbedding: (l) => text.embed(l),
      });
      optimizer.zeroGrad();
      r.losses.total.backward();
      optimizer.step();
    });
  };
}

/** Training throughput: samples (before mix-up) per second. */
export function benchTraining(model: Recognizer, spec: BenchModelSpec, text: BenchTextSource, o: BenchOptions): BenchResult {
  setNumThreads(o.threads);
  model.train();
  const step = trainingStep(model, spec, text, o.batch, o.device);
  return result('train', step, o, 1, [o.batch, 1, spec.persons, spec.frames, spec.numJoints, spec.channels], text);
}

/** Test throughput: samples of `spec.clips` clips per second, softmax-averaged over clips. */
export function benchInference(model: Recognizer, spec: BenchModelSpec, o: BenchOptions): BenchResult {
  setNumThreads(o.threads);
  model.eval();
  const shape = [o.batch, spec.clips, spec.persons, spec.frames, spec.numJoints, spec.channels];
  const step = () => noGrad(() => tidy(() => { model.predict(randn(shape).to(o.device), 'prob'); }));
  return result('infer', step, o, spec.clips, shape, null);
}
