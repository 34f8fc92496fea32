/** `skagent train`: train a config (training.md), optionally validating and testing. */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { loadConfig, semiVariant } from '../../config/index.js';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { intOption } from './data-common.js';
import { RUNTIME_OPTIONS, RUNTIME_HELP, SEMANTICS_OPTIONS, SEMANTICS_HELP, runtimeOptions, semanticsOptions } from './run-options.js';
import { checkAgentMode, setUpRun } from '../../engine/run-setup.js';
import { train } from '../../engine/trainer.js';
import { runTest } from '../../engine/tester.js';
import { RunLogger } from '../../engine/logger.js';
import { lockWorkDir } from '../../engine/work-dir-lock.js';

const HELP = `skagent train — train a SkeletonAgent model from a config

Usage: skagent train <config> [--work-dir D] [--ann-file F] [--resume] [--validate]
                     [--test-last] [--test-best] [--seed N] [--epochs N] [--batch N] [options]

  <config>        a config name (ntu60_xsub/j, k400/km, quick/j, ...) or a config .json file
  --work-dir D    where checkpoints and logs go (default: the config's work_dir)
  --ann-file F    annotation pickle or dataset store (default: the config's ann_file)
  --resume        continue from the newest readable epoch_<E>.pth in the work dir (exactly: same
                  final weights as an uninterrupted run); a torn or corrupt newer one is named
                  and passed over
  --validate      evaluate on the val split after every epoch (1 clip) and keep the best
                  checkpoint (best_top1_acc_epoch_<E>.pth)
  --test-last     after training, test the last checkpoint (config's test pipeline) into D/test_last
  --test-best     after training, test the best checkpoint into D/test_best (needs --validate)
  --seed N        seed of every generator (default 0)
  --epochs N      total epochs (default: the config's total_epochs)
  --batch N       samples per batch (default: the config's videos_per_gpu)
  --skip-nonfinite  skip a batch whose loss is NaN/inf (no update) instead of stopping the run
                  with its epoch/iteration and the last good checkpoint
  --semi          the config's "semi" variant (RecognizerGCN_Semi + SimpleHead_Semi): the same
                  losses, mix-up and schedule without the Questioner; the alignment targets stay
                  the conversations' final descriptions (needs --agent off)
${RUNTIME_HELP}

${SEMANTICS_HELP}

One training per work dir: D/train.lock names the running one's pid (a second start refuses; a
lock left by a killed run is taken over). A full disk while writing a checkpoint stops the run with
the previous checkpoint and latest.pth intact (exit 4); SIGINT / SIGTERM stop it after the write
in flight (exit 130 / 143); --resume continues in each case.

Writes D/epoch_<E>.pth (+ D/latest.pth link), D/best_top1_acc_epoch_<E>.pth, a text log and a
JSON-lines log (D/<time>.log, D/<time>.log.json). Checkpoints use the original's .pth layout.

Example (the embedded synthetic data, a few minutes on 2 cores):
  skagent data synth --layout nturgb+d --classes 12 --out data/synth_ntu.pkl
  skagent train quick/j --validate --test-last`;

export const trainCommand: Command = {
  path: ['train'],
  summary: 'Train a model from a config (checkpoints, logs, resume, validation)',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: {
        'work-dir': { type: 'string' }, 'ann-file': { type: 'string' }, resume: { type: 'boolean' }, validate: { type: 'boolean' },
        'test-last': { type: 'boolean' }, 'test-best': { type: 'boolean' }, seed: { type: 'string' }, epochs: { type: 'string' },
        batch: { type: 'string' }, semi: { type: 'boolean' }, 'skip-nonfinite': { type: 'boolean' }, ...RUNTIME_OPTIONS, ...SEMANTICS_OPTIONS,
      },
    });
    if (positionals.length !== 1) throw new UserError(`expected one <config>, got ${positionals.length} argument(s)`, ExitCode.usage);
    if (values['test-best'] && !values.validate) throw new UserError('--test-best needs --validate (the best checkpoint is chosen on the val split)', ExitCode.usage);
    const configName = positionals[0];
    const config = values.semi ? semiVariant(loadConfig(configName)) : loadConfig(configName);
    const agentMode = checkAgentMode(values.agent, config);
    const runtime = runtimeOptions(values);
    const semantics = semanticsOptions(values);
    const seed = intOption(values.seed, 'seed', 0, 0);
    const epochs = intOption(values.epochs, 'epochs', config.total_epochs, 1);
    const batchSize = intOption(values.batch, 'batch', config.data.videos_per_gpu, 1);
    const workDir = resolve(values['work-dir'] ?? config.work_dir);
    mkdirSync(workDir, { recursive: true });
    const unlock = lockWorkDir(workDir, (l) => process.stderr.write(`${l}\n`));
    const logger = new RunLogger(workDir);
    const run = setUpRun({ config, runtime, semantics, seed, workDir, log: (l) => logger.info(l) });
    if (agentMode === 'reproduce' && !values.validate) logger.info('--agent reproduce without --validate: as in the original, the agent never runs (it runs from the validation step); the descriptions stay as they start');
    logger.info(`config ${configName}: ${run.model.parameterCount()} trainable parameters, ${run.runtime.threads} threads, ${run.runtime.workers} loader workers`);
    let result;
    try {
      result = await train({
        config, configName, model: run.model, semantics: run.semantics, workDir, annFile: values['ann-file'], seed, epochs, batchSize,
        workers: run.runtime.workers, validate: values.validate ?? false, resume: values.resume ?? false, skipNonFinite: values['skip-nonfinite'] ?? false,
        device: run.runtime.device, logger,
      });
    } finally {
      run.dispose();
    }
    logger.info(`training done: last checkpoint ${result.lastCheckpoint}${result.bestCheckpoint ? `, best ${result.bestCheckpoint} (val top1 ${(100 * result.bestTop1!).toFixed(2)}%)` : ''}`);
    const tests: [string, string | null][] = [];
    if (values['test-last']) tests.push(['test_last', result.lastCheckpoint]);
    if (values['test-best']) tests.push(['test_best', result.bestCheckpoint]);
    for (const [name, checkpoint] of tests) {
      if (!checkpoint) continue;
      const written = await runTest({
        config, configName, checkpoint, out: join(workDir, name), annFile: values['ann-file'],
        batchSize: config.data.test_dataloader.videos_per_gpu, runtime: run.runtime,
      });
      const e = written.evaluation;
      logger.info(`${name}: top1 ${(100 * e.top1).toFixed(2)}%, top5 ${(100 * e.top5).toFixed(2)}%, mean class accuracy ${(100 * e.meanClassAccuracy).toFixed(2)}% (${e.numSamples} samples) → ${written.files.metrics}`);
    }
    return ExitCode.ok;
  },
};
