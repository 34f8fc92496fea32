/** `skagent test <config> model.onnx`: an exported model as the test's scorer, on ONNX Runtime (no libtorch). */
import { availableParallelism } from 'node:os';
import type { Config } from '../config/index.js';
import { UserError } from '../errors.js';
import type { RuntimeOptions } from '../engine/run-setup.js';
import type { TestEngine } from '../engine/tester.js';
import { Recognizer } from '../runtime/node.js';

/** Whether a test runs an exported ONNX model instead of a checkpoint. */
export function isOnnxModel(path: string): boolean {
  return path.toLowerCase().endsWith('.onnx');
}

/** Loads the model and checks that it was exported from a config with the same layout, modality and classes. */
export async function onnxTestEngine(path: string, config: Config, runtime: RuntimeOptions): Promise<TestEngine> {
  if (runtime.device && runtime.device !== 'cpu' && runtime.device !== 'auto') throw new UserError(`--device ${runtime.device}: an ONNX model runs on ONNX Runtime's CPU provider here (use --device cpu or leave it out)`);
  let rec: Recognizer;
  try {
    rec = await Recognizer.load(path, { threads: runtime.threads });
  } catch (err) {
    throw new UserError(`${path}: ${(err as Error).message}`);
  }
  const md = rec.models[0].metadata;
  const b = config.model.backbone;
  if (md.numClasses !== b.num_classes || md.layout !== b.graph_cfg.layout || md.modality !== config.modality) {
    await rec.dispose();
    throw new UserError(`${path}: exported from ${md.config} (${md.layout} ${md.modality}, ${md.numClasses} classes), the config is ${b.graph_cfg.layout} ${config.modality} with ${b.num_classes} classes`);
  }
  const workers = runtime.workers ?? Math.min(config.data.workers_per_gpu, Math.max(0, availableParallelism() - 1));
  return { scorer: { numClasses: md.numClasses, score: (keypoint, shape) => rec.runInput(0, keypoint, shape) }, workers, dispose: () => rec.dispose() };
}
