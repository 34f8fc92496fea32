/** Testing a checkpoint on a split with the config's test pipeline (as tools/test.py does). */
import type { Config } from '../config/index.js';
import { UserError } from '../errors.js';
import { BatchLoader } from './loader.js';
import { evaluate, torchScorer, type BatchScorer } from './evaluation.js';
import { setUpRun, type RuntimeOptions } from './run-setup.js';
import { writeTestResults, type TestResults, type WrittenResults } from './results.js';
import type { DataParallel } from './data-parallel.js';
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
  /** Runs the test on this engine instead of the checkpoint on libtorch (an exported model: export/onnx-test-engine.ts). */
  engine?: TestEngine;
  /**
   * Multi-process: every rank scores its DistributedSampler shard and the scores are gathered
   * back into split order (the padding's duplicates dropped), as validation does.
   */
  parallel?: DataParallel;
}

/** What a test runs: a scorer over network-input batches, its loader workers, its cleanup. */
export interface TestEngine { scorer: BatchScorer; workers: number; dispose(): Promise<void> }

function torchTestEngine(config: Config, o: TestOptions): TestEngine {
  const run = setUpRun({ config, runtime: o.runtime, semantics: null, checkpoint: o.checkpoint });
  return { scorer: torchScorer(run.model, run.runtime.device), workers: run.runtime.workers, dispose: async () => run.dispose() };
}

/** Scores the split (this rank's shard, then gathered, when parallel): every rank gets all of them. */
export async function testScores(o: TestOptions): Promise<TestResults> {
  const config = o.clips ? withTestClips(o.config, o.clips) : o.config;
  const engine = o.engine ?? torchTestEngine(config, o);
  const shard = o.parallel ? { rank: o.parallel.rank, worldSize: o.parallel.worldSize } : undefined;
  const loader = new BatchLoader({ config, mode: 'test', annFile: o.annFile, split: o.split }, { batchSize: o.batchSize, workers: engine.workers, shuffle: false, seed: 0, shard });
  try {
    const { scores, numClasses } = await evaluate(engine.scorer, loader, 'test', { parallel: o.parallel });
    const sampler = (config.data.test.pipeline as { type: string; num_clips?: number }[]).find((op) => SAMPLING_OPS.includes(op.type));
    return {
      scores: { dtype: 'float32', shape: [loader.length, numClasses], data: scores },
      labels: loader.labels,
      info: { config: o.configName, checkpoint: o.checkpoint, annotations: o.annFile ?? config.data.test.ann_file, split: o.split ?? config.data.test.split, numClips: sampler?.num_clips ?? 1, averageClips: 'prob' },
    };
  } finally {
    await loader.close();
    await engine.dispose();
  }
}

/** Tests and writes the result files into `o.out` (in a multi-process run, rank 0 alone calls this; the others `testScores`). */
export async function runTest(o: TestOptions): Promise<WrittenResults> {
  return writeTestResults(o.out, await testScores(o));
}
