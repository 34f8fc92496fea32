/** Testing a checkpoint on a split with the config's test pipeline (evaluation.md §4). */
import type { Config } from '../config/index.js';
import { UserError } from '../errors.js';
import { BatchLoader } from './loader.js';
import { availableParallelism } from 'node:os';
import { evaluate, torchScorer, type BatchScorer } from './evaluation.js';
import { Recognizer as OnnxRecognizer } from '../runtime/node.js';
import { setUpRun, type RuntimeOptions } from './run-setup.js';
import { writeTestResults, type WrittenResults } from './results.js';
import { SAMPLING_OPS } from '../transforms/index.js';

/** The config with the test pipeline's clip count replaced (10 in the original). */
export function withTestClips(config: Config, clips: number): Config {
  const copy = structuredClone(config);
  const ops = copy.data.test.pipeline as { type: string; num_clips?: number }[];
  const sampler = ops.find((op) => SAMPLING_OPS.includes(op.type));
  if (!sampler) throw new UserError(`config: the test pipeline has no frame-sampling step (${SAMPLING_OPS.join(', ')}) to set the clip count on`);
  sampler.num_clips = clips;
  return copy;
}

export interface TestOptions {
  config: Config;
  configName: string;
  checkpoint: string;
  out: string;
  annFile?: string;
  split?: string;
  batchSize: number;
  /** Threads, device and loader workers (engine/run-setup.ts). */
  runtime: RuntimeOptions;
  clips?: number;
}

/** Whether a test runs an exported ONNX model (on ONNX Runtime, without libtorch) instead of a checkpoint. */
export function isOnnxModel(path: string): boolean {
  return path.toLowerCase().endsWith('.onnx');
}

interface TestEngine { scorer: BatchScorer; workers: number; dispose(): Promise<void> }

async function testEngine(config: Config, o: TestOptions): Promise<TestEngine> {
  if (!isOnnxModel(o.checkpoint)) {
    const run = setUpRun({ config, runtime: o.runtime, semantics: null, checkpoint: o.checkpoint });
    return { scorer: torchScorer(run.model, run.runtime.device), workers: run.runtime.workers, dispose: async () => run.dispose() };
  }
  if (o.runtime.device && o.runtime.device !== 'cpu' && o.runtime.device !== 'auto') throw new UserError(`--device ${o.runtime.device}: an ONNX model runs on ONNX Runtime's CPU provider here (use --device cpu or leave it out)`);
  let rec: OnnxRecognizer;
  try {
    rec = await OnnxRecognizer.load(o.checkpoint, { threads: o.runtime.threads });
  } catch (err) {
    throw new UserError(`${o.checkpoint}: ${(err as Error).message}`);
  }
  const md = rec.models[0].metadata;
  const b = config.model.backbone;
  if (md.numClasses !== b.num_classes || md.layout !== b.graph_cfg.layout || md.modality !== config.modality) {
    await rec.dispose();
    throw new UserError(`${o.checkpoint}: exported from ${md.config} (${md.layout} ${md.modality}, ${md.numClasses} classes), the config is ${b.graph_cfg.layout} ${config.modality} with ${b.num_classes} classes`);
  }
  const workers = o.runtime.workers ?? Math.min(config.data.workers_per_gpu, Math.max(0, availableParallelism() - 1));
  return { scorer: { numClasses: md.numClasses, score: (keypoint, shape) => rec.runInput(0, keypoint, shape) }, workers, dispose: () => rec.dispose() };
}

export async function runTest(o: TestOptions): Promise<WrittenResults> {
  const config = o.clips ? withTestClips(o.config, o.clips) : o.config;
  const engine = await testEngine(config, o);
  const loader = new BatchLoader({ config, mode: 'test', annFile: o.annFile, split: o.split }, { batchSize: o.batchSize, workers: engine.workers, shuffle: false, seed: 0 });
  try {
    const { scores, numClasses } = await evaluate(engine.scorer, loader, 'test');
    const sampler = (config.data.test.pipeline as { type: string; num_clips?: number }[]).find((op) => SAMPLING_OPS.includes(op.type));
    return writeTestResults(o.out, {
      scores: { dtype: 'float32', shape: [loader.length, numClasses], data: scores },
      labels: loader.labels,
      info: { config: o.configName, checkpoint: o.checkpoint, annotations: o.annFile ?? config.data.test.ann_file, split: o.split ?? config.data.test.split, numClips: sampler?.num_clips ?? 1, averageClips: 'prob' },
    });
  } finally {
    await loader.close();
    await engine.dispose();
  }
}
