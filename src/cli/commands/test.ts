/** `skagent test`: test a checkpoint with a config's test pipeline (as tools/test.py does). */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { intOption } from './data-common.js';
import { RUNTIME_OPTIONS, RUNTIME_HELP, runtimeOptions } from './run-options.js';
import { runTest } from '../../engine/tester.js';
import { isOnnxModel, onnxTestEngine } from '../../export/onnx-test-engine.js';

const HELP = `skagent test — test a checkpoint: multi-clip scores, metrics and the original's result dump

Usage: skagent test <config> <checkpoint> --out D [--ann-file F] [--split S] [--clips N]
                    [--batch N] [options]

  <config>       a config name (ntu60_xsub/j, ...) or a config .json file
  <checkpoint>   a .pth from 'skagent train' or one of the authors' released checkpoints
                 or a model.onnx from 'skagent export' (runs on ONNX Runtime, no libtorch)
                 (per-epoch or best; the CLIP text-encoder keys are not needed for testing)
  --out D        output folder
  --ann-file F   annotation pickle or dataset store (default: the config's data.test.ann_file)
  --split S      split (default: the config's data.test.split)
  --clips N      clips per sample (default: the config's test pipeline, 10 for the originals)
  --batch N      samples per forward (default: the config's test batch, 1)
${RUNTIME_HELP}

Writes D/scores.npy (float32 [samples, classes]: softmax averaged over clips, split order),
D/labels.npy (int64), D/metrics.json (top1, top5, mean_class_accuracy, num_samples,
confusion_matrix [true][pred]) and D/best_pred.pkl (the original's dump, for its ensemble script).

Example:
  skagent test ntu60_xsub/j ntu60_xsub_j.pth --ann-file ntu60_3danno.pkl --out results/j`;

export const testCommand: Command = {
  path: ['test'],
  summary: 'Test a checkpoint (10-clip scores, metrics, best_pred.pkl)',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { out: { type: 'string' }, 'ann-file': { type: 'string' }, split: { type: 'string' }, clips: { type: 'string' }, batch: { type: 'string' }, ...RUNTIME_OPTIONS },
    });
    if (positionals.length !== 2) throw new UserError(`expected <config> <checkpoint>, got ${positionals.length} argument(s)`, ExitCode.usage);
    if (!values.out) throw new UserError('missing --out <dir>', ExitCode.usage);
    const [configName, checkpoint] = positionals;
    const config = loadConfig(configName);
    const runtime = runtimeOptions(values);
    const written = await runTest({
      config, configName, checkpoint, out: values.out, annFile: values['ann-file'], split: values.split,
      clips: values.clips ? intOption(values.clips, 'clips', 10, 1) : undefined,
      batchSize: intOption(values.batch, 'batch', config.data.test_dataloader.videos_per_gpu, 1),
      runtime,
      engine: isOnnxModel(checkpoint) ? await onnxTestEngine(checkpoint, config, runtime) : undefined,
    });
    const e = written.evaluation;
    process.stdout.write(`top1 ${(100 * e.top1).toFixed(2)}%  top5 ${(100 * e.top5).toFixed(2)}%  mean class accuracy ${(100 * e.meanClassAccuracy).toFixed(2)}%  (${e.numSamples} samples)\nwrote ${Object.values(written.files).join(', ')}\n`);
    return ExitCode.ok;
  },
};
