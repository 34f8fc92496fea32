/**
 * Model throughput: the training step as a config trains (random input of the config's shape,
 * mix-up, backbone on 2N, every loss term including the alignment loss, backward, SGD step) and
 * the multi-clip test forward (eval mode, no gradient). Times are per iteration after warm-up;
 * the reported figure is the median.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/index.js';
import { PythonRandom } from '../rng/index.js';
import { type Profile, type CpuCacheStats, cpuCacheStats, cuda, noGrad, profileOps, randn, setNumThreads, tidy } from '../torch/index.js';
import type { Recognizer } from '../model/recognizer.js';
import type { MixConfig } from '../model/mixup.js';
import type { LossWeights } from '../model/losses.js';
import { stepLabels } from '../model/train-forward.js';
import { numJointsOf } from './build.js';
import { TrainingStep, stepSettingsOf, type StepSettings } from './train-step.js';
import { SAMPLING_OPS } from '../transforms/index.js';
import type { Semantics } from './semantics.js';

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
  lossWeights: LossWeights;
  optimizer: StepSettings['optimizer'];
}

/** Every config's coordinates have three channels: x, y, z (3D) or x, y, score (2D). */
const INPUT_CHANNELS = 3;
/** The original's clip length when a pipeline does not sample frames (UniformSampleFrames default). */
const DEFAULT_FRAMES = 100;

function pipelineArg(ops: readonly Record<string, unknown>[], types: readonly string[], key: string): number | undefined {
  const op = ops.find((o) => types.includes(o.type as string));
  const v = op?.[key];
  return typeof v === 'number' ? v : undefined;
}

export function benchModelSpec(config: Config): BenchModelSpec {
  const train = config.train_pipeline as readonly Record<string, unknown>[];
  const test = config.test_pipeline as readonly Record<string, unknown>[];
  const step = stepSettingsOf(config);
  return {
    numClasses: config.model.cls_head.num_classes,
    numJoints: numJointsOf(config),
    persons: pipelineArg(train, ['FormatGCNInput'], 'num_person') ?? config.model.backbone.num_person ?? 2,
    frames: pipelineArg(train, SAMPLING_OPS, 'clip_len') ?? DEFAULT_FRAMES,
    channels: INPUT_CHANNELS,
    clips: pipelineArg(test, SAMPLING_OPS, 'num_clips') ?? 1,
    trainBatch: config.data.videos_per_gpu,
    testBatch: config.data.test_dataloader.videos_per_gpu,
    mix: step.mix,
    lossWeights: step.weights,
    optimizer: step.optimizer,
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
  /** What ran the model: libtorch (default) or ONNX Runtime on the exported graph (export/onnx-bench.ts). */
  engine?: 'torch' | 'onnx';
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

function result(mode: BenchResult['mode'], step: () => void, o: BenchOptions, clips: number, inputShape: number[], text: Semantics | null): BenchResult {
  const seconds = timeIterations(step, o.iters, o.warmup, o.device);
  const perIter = median(seconds);
  const profile = o.profile ? profileOps(() => { step(); if (o.device.startsWith('cuda')) cuda.synchronize(); }, { shapes: o.profile === 'shapes' }) : undefined;
  return {
    mode, samples_per_s: o.batch / perIter, seconds_per_iter: perIter, seconds, batch: o.batch, clips, input_shape: inputShape,
    threads: o.threads, device: o.device, text_encoder: text ? { name: text.describe(), trained: text.textModule !== null } : null, peak_rss_bytes: peakRssBytes(),
    cpu_cache: cpuCacheStats(), ...(profile ? { profile } : {}),
  };
}

/**
 * The trainer's step (engine/train-step.ts) on new random input and labels each call: mix-up,
 * every loss, backward, SGD step.
 */
export function trainingStep(model: Recognizer, spec: BenchModelSpec, text: Semantics, batch: number, device: string): () => void {
  const step = new TrainingStep(model, text, { mix: spec.mix, weights: spec.lossWeights, optimizer: spec.optimizer });
  const rng = new PythonRandom(0);
  const labelRng = new PythonRandom(1);
  const shape = [batch, 1, spec.persons, spec.frames, spec.numJoints, spec.channels];
  return () => {
    tidy(() => {
      const keypoint = randn(shape).to(device);
      const labels = stepLabels(Int32Array.from({ length: batch }, () => labelRng.randbelow(spec.numClasses)), device);
      step.run({ keypoint, labels }, rng);
    });
  };
}

/** Training throughput: samples (before mix-up) per second. */
export function benchTraining(model: Recognizer, spec: BenchModelSpec, text: Semantics, o: BenchOptions): BenchResult {
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
