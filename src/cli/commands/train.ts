/**
 * `skagent train`: train a config (as the original's tools/train.py), optionally validating and
 * testing.
 */
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
import { runTest, testScores } from '../../engine/tester.js';
import { RunLogger } from '../../engine/logger.js';
import { lockWorkDir } from '../../engine/work-dir-lock.js';
import { DataParallel, DistributedFailure } from '../../engine/data-parallel.js';
import { ProcessGroup } from '../../torch/distributed.js';
import { DISTRIBUTED_HELP, DISTRIBUTED_OPTIONS, launch, launchPlan, rankPlace, type RankPlace } from '../launch.js';

const HELP = `skagent train — train a SkeletonAgent model from a config

Usage: skagent train <config> [--work-dir D] [--ann-file F] [--resume] [--validate]
                     [--test-last] [--test-best] [--seed N] [--epochs N] [--batch N]
                     [--accumulate K] [--scale-lr] [--nproc-per-node N ...] [options]

  <config>        a config name (ntu60_xsub/j, k400/km, quick/j, ...) or a config .json file
  --work-dir D    where checkpoints and logs go (default: the config's work_dir)
  --ann-file F    annotation pickle or dataset store (default: the config's ann_file)
  --resume        continue from the newest readable epoch_<E>.pth in the work dir (exactly: same
                  final weights as an uninterrupted run); a torn or corrupt newer one is named
                  and passed over
  --validate      evaluate on the val split after every epoch (1 clip) and keep the best
                  checkpoint (best_top1_acc_epoch_<E>.pth)
  --test-last     after training, test the last checkpoint (config's test pipeline) into D/test_last
                  (multi-process: sharded over the ranks and gathered, as validation)
  --test-best     after training, test the best checkpoint into D/test_best (needs --validate)
  --seed N        seed of every generator (default 0)
  --epochs N      total epochs (default: the config's total_epochs)
  --batch N       samples per batch (default: the config's videos_per_gpu)
  --skip-nonfinite  skip a batch whose loss is NaN/inf (no update) instead of stopping the run
                  with its epoch/iteration and the last good checkpoint
  --accumulate K  accumulate the gradients of K batches per optimiser step (a K× larger batch
                  when memory does not hold it; BatchNorm still sees batches of --batch)
  --scale-lr      apply the configs' linear-scaling rule: lr × effective batch / videos_per_gpu
                  (the configs scale 4 GPUs × 64 at 0.1 to 1 × 16 at 0.025); default: the config's lr
  --semi          the config's "semi" variant (RecognizerGCN_Semi + SimpleHead_Semi): the same
                  losses, mix-up and schedule without the Questioner; the alignment targets stay
                  the conversations' final descriptions (needs --agent off)
${RUNTIME_HELP}

${SEMANTICS_HELP}

One training per work dir: D/train.lock names the running one's pid (a second start refuses; a
lock left by a killed run is taken over). A full disk while writing a checkpoint stops the run with
the previous checkpoint and latest.pth intact (exit 4); SIGINT / SIGTERM stop it after the write
in flight (exit 130 / 143); --resume continues in each case.

${DISTRIBUTED_HELP}

Writes D/epoch_<E>.pth (+ D/latest.pth link), D/best_top1_acc_epoch_<E>.pth, a text log and a
JSON-lines log (D/<time>.log, D/<time>.log.json). Checkpoints use the original's .pth layout.

Example (the embedded synthetic data, a few minutes on 2 cores):
  skagent data synth --layout nturgb+d --classes 12 --out data/synth_ntu.pkl
  skagent train quick/j --validate --test-last
  skagent train quick/j --validate --nproc-per-node 2 --threads 1    (2 ranks, Gloo)`;

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
        batch: { type: 'string' }, semi: { type: 'boolean' }, 'skip-nonfinite': { type: 'boolean' }, accumulate: { type: 'string' }, 'scale-lr': { type: 'boolean' },
        ...RUNTIME_OPTIONS, ...SEMANTICS_OPTIONS, ...DISTRIBUTED_OPTIONS,
      },
    });
    if (positionals.length !== 1) throw new UserError(`expected one <config>, got ${positionals.length} argument(s)`, ExitCode.usage);
    if (values['test-best'] && !values.validate) throw new UserError('--test-best needs --validate (the best checkpoint is chosen on the val split)', ExitCode.usage);
    const configName = positionals[0];
    const loaded = values.semi ? semiVariant(loadConfig(configName)) : loadConfig(configName);
    const agentMode = checkAgentMode(values.agent, loaded);
    const accumulate = intOption(values.accumulate, 'accumulate', 1, 1);
    const plan = launchPlan(values);
    if (plan) return launch(plan, ['train'], args, (l) => process.stderr.write(`skagent train: ${l}\n`));
    const place = rankPlace(values);
    const worldSize = place?.worldSize ?? 1;
    const isMain = !place || place.rank === 0;
    const runtime = runtimeOptions(values);
    // One GPU per local rank, as torchrun's LOCAL_RANK convention.
    if (place && runtime.device && /^cuda$/.test(runtime.device)) runtime.device = `cuda:${place.localRank}`;
    const semantics = semanticsOptions(values);
    const seed = intOption(values.seed, 'seed', 0, 0);
    const epochs = intOption(values.epochs, 'epochs', loaded.total_epochs, 1);
    const batchSize = intOption(values.batch, 'batch', loaded.data.videos_per_gpu, 1);
    const effectiveBatch = batchSize * worldSize * accumulate;
    const scaledLr = loaded.optimizer.lr * effectiveBatch / loaded.data.videos_per_gpu;
    const config = values['scale-lr'] ? { ...loaded, optimizer: { ...loaded.optimizer, lr: scaledLr } } : loaded;
    const workDir = resolve(values['work-dir'] ?? loaded.work_dir);
    mkdirSync(workDir, { recursive: true });
    // One training per work dir; the ranks of a multi-process run share it, and rank 0 holds the lock.
    if (isMain) lockWorkDir(workDir, (l) => process.stderr.write(`${l}\n`));
    // Rank 0 alone writes logs and checkpoints.
    const logger = new RunLogger(workDir, true, isMain);
    const parallel = place && worldSize > 1 ? await joinGroup(place, runtime.device ?? 'cpu', logger) : undefined;
    logger.info(`learning rate ${config.optimizer.lr} for effective batch ${effectiveBatch} (${batchSize} × ${worldSize} rank(s) × ${accumulate}); ` +
      `linear-scaling rule: ${loaded.optimizer.lr} × ${effectiveBatch} / ${loaded.data.videos_per_gpu} = ${scaledLr}${values['scale-lr'] ? ' (applied: --scale-lr)' : ' (not applied; --scale-lr applies it)'}`);
    const run = setUpRun({ config, runtime, semantics, seed, workDir, log: (l) => logger.info(l) });
    if (agentMode === 'reproduce' && !values.validate) logger.info('--agent reproduce without --validate: as in the original, the agent never runs (it runs from the validation step); the descriptions stay as they start');
    logger.info(`config ${configName}: ${run.model.parameterCount()} trainable parameters, ${run.runtime.threads} threads, ${run.runtime.workers} loader workers`);
    let result;
    try {
      result = await asUserError(() => train({
        config, configName, model: run.model, semantics: run.semantics, workDir, annFile: values['ann-file'], seed, epochs, batchSize,
        workers: run.runtime.workers, validate: values.validate ?? false, resume: values.resume ?? false, skipNonFinite: values['skip-nonfinite'] ?? false,
        device: run.runtime.device, logger, parallel, accumulate,
      }));
    } finally {
      run.dispose();
    }
    logger.info(`training done: last checkpoint ${result.lastCheckpoint}${result.bestCheckpoint ? `, best ${result.bestCheckpoint} (val top1 ${(100 * result.bestTop1!).toFixed(2)}%)` : ''}`);
    // Testing after training is sharded over the ranks like validation; rank 0 writes the results.
    const tests: [string, string | null][] = [];
    if (values['test-last']) tests.push(['test_last', result.lastCheckpoint]);
    if (values['test-best']) tests.push(['test_best', result.bestCheckpoint]);
    for (const [name, checkpoint] of tests) {
      if (!checkpoint) continue;
      const options = {
        config, configName, checkpoint, out: join(workDir, name), annFile: values['ann-file'],
        batchSize: config.data.test_dataloader.videos_per_gpu, runtime: run.runtime, parallel,
      };
      if (!isMain) { await asUserError(() => testScores(options)); continue; }
      const written = await asUserError(() => runTest(options));
      const e = written.evaluation;
      logger.info(`${name}: top1 ${(100 * e.top1).toFixed(2)}%, top5 ${(100 * e.top5).toFixed(2)}%, mean class accuracy ${(100 * e.meanClassAccuracy).toFixed(2)}% (${e.numSamples} samples${parallel ? `, sharded over ${worldSize} ranks` : ''}) → ${written.files.metrics}`);
    }
    return ExitCode.ok;
  },
};

/** A failed collective (a rank died or hangs) ends the run as a failure with its diagnosis, not a crash. */
async function asUserError<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof DistributedFailure) throw new UserError(err.message, ExitCode.failure);
    throw err;
  }
}

/** Joins the c10d group of a multi-process run: Gloo on CPU, NCCL on CUDA. */
async function joinGroup(place: RankPlace, device: string, logger: RunLogger): Promise<DataParallel> {
  const backend = device.startsWith('cuda') ? 'nccl' : 'gloo';
  try {
    const group = await ProcessGroup.init({ ...place, backend });
    logger.info(`rank ${place.rank} of ${place.worldSize} joined (${backend}, rendezvous ${place.masterAddr}:${place.masterPort}, timeout ${place.timeoutMs / 1000} s, gradient buckets of ${place.bucketCapMb} MiB)`);
    return new DataParallel(group, { device, bucketCapMb: place.bucketCapMb });
  } catch (err) {
    throw new UserError(`rank ${place.rank}: joining the ${backend} group at ${place.masterAddr}:${place.masterPort} failed: ${(err as Error).message}`, ExitCode.environment);
  }
}
