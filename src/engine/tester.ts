/** Testing a checkpoint on a split with the config's test pipeline (evaluation.md §4). */
import { existsSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { loadCheckpoint } from '../torch/checkpoint.js';
import { UserError } from '../cli/command.js';
import { buildModel } from './build.js';
import { BatchLoader } from './loader.js';
import { evaluate } from './trainer.js';
import { writeTestResults, type WrittenResults } from './results.js';
import type { Recognizer } from '../model/recognizer.js';

const SAMPLING_OPS = new Set(['UniformSampleDecode', 'UniformSampleFrames']);

/** The config with the test pipeline's clip count replaced (10 in the original). */
export function withTestClips(config: Config, clips: number): Config {
  const copy = structuredClone(config);
  const ops = copy.data.test.pipeline as { type: string; num_clips?: number }[];
  const sampler = ops.find((op) => SAMPLING_OPS.has(op.type));
  if (!sampler) throw new UserError('config: the test pipeline has no UniformSampleDecode/UniformSampleFrames step to set the clip count on');
  sampler.num_clips = clips;
  return copy;
}

/** Builds the config's model and loads a checkpoint (per-epoch or best; the authors' or ours). */
export function loadModelFromCheckpoint(config: Config, checkpoint: string, device: string): Recognizer {
  if (!existsSync(checkpoint)) throw new UserError(`checkpoint ${checkpoint} does not exist`);
  let ck;
  try {
    ck = loadCheckpoint(checkpoint);
  } catch (err) {
    throw new UserError(`${checkpoint}: cannot read the checkpoint: ${(err as Error).message}`);
  }
  const model = buildModel(config);
  try {
    model.loadCheckpointState(ck.stateDict, checkpoint);
  } catch (err) {
    model.dispose();
    throw new UserError((err as Error).message);
  } finally {
    for (const t of ck.stateDict.values()) t.dispose();
    ck.optimizer?.state.forEach((s) => s.momentum_buffer?.dispose());
  }
  if (device !== 'cpu') model.to(device);
  return model.eval();
}

export interface TestOptions {
  config: Config;
  configName: string;
  checkpoint: string;
  out: string;
  annFile?: string;
  split?: string;
  batchSize: number;
  workers: number;
  device: string;
  clips?: number;
}

export async function runTest(o: TestOptions): Promise<WrittenResults> {
  const config = o.clips ? withTestClips(o.config, o.clips) : o.config;
  const model = loadModelFromCheckpoint(config, o.checkpoint, o.device);
  const loader = new BatchLoader({ config, mode: 'test', annFile: o.annFile, split: o.split }, { batchSize: o.batchSize, workers: o.workers, shuffle: false, seed: 0 });
  try {
    const { scores, numClasses } = await evaluate(model, loader, o.device, 'test');
    const sampler = (config.data.test.pipeline as { type: string; num_clips?: number }[]).find((op) => SAMPLING_OPS.has(op.type));
    return writeTestResults(o.out, {
      scores: { dtype: 'float32', shape: [loader.length, numClasses], data: scores },
      labels: loader.labels,
      info: { config: o.configName, checkpoint: o.checkpoint, annotations: o.annFile ?? config.data.test.ann_file, split: o.split ?? config.data.test.split, numClips: sampler?.num_clips ?? 1, averageClips: 'prob' },
    });
  } finally {
    await loader.close();
    model.dispose();
  }
}
