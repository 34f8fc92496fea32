/**
 * The training loop (skeletonagent/apis/train.py, tools/train.py, MMCV 1.5's runner and hooks):
 * SGD-Nesterov with per-iteration cosine annealing, mix-up and every loss term each step,
 * validation (1 clip) each epoch, last and best checkpoints written atomically in the original's
 * layout, exact resume, logs and progress.
 *
 * Differences from the original, on purpose: randomness is derived per (seed, epoch, sample)
 * instead of flowing through global generators, and checkpoints keep the optimizer's momentum
 * buffers, so that resuming from any epoch checkpoint reproduces the uninterrupted run exactly.
 */
import { existsSync, readdirSync, renameSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, basename } from 'node:path';
import type { Config } from '../config/index.js';
import { manualSeed, tidy, type Tensor } from '../torch/index.js';
import { cosineAnnealingLr } from '../torch/optim/index.js';
import { type Checkpoint, loadCheckpoint, saveCheckpoint } from '../torch/checkpoint.js';
import { ExitCode, UserError } from '../errors.js';
import { PythonRandom } from '../rng/index.js';
import type { Recognizer } from '../model/recognizer.js';
import { BatchLoader } from './loader.js';
import { RunAnnotations } from './annotations.js';
import { sampleSeed } from './samples.js';
import { TrainingStep, batchTensors, stepSettingsOf } from './train-step.js';
import { evaluate, torchScorer } from './evaluation.js';
import type { DataParallel } from './data-parallel.js';
import type { Evaluation } from './metrics.js';
import { Progress } from './progress.js';
import { RunLogger } from './logger.js';
import type { Semantics } from './semantics.js';
import { TEXT_ENCODER_PREFIX } from '../text/encoder.js';

export interface TrainOptions {
  config: Config;
  configName: string;
  model: Recognizer;
  semantics: Semantics;
  workDir: string;
  annFile?: string;
  seed: number;
  epochs: number;
  batchSize: number;
  workers: number;
  validate: boolean;
  resume: boolean;
  /** A batch whose loss is NaN/inf is skipped (no update) instead of stopping the run. */
  skipNonFinite?: boolean;
  device: string;
  logger: RunLogger;
  /** Multi-process data parallelism (engine/data-parallel.ts); absent: one process. */
  parallel?: DataParallel;
  /** Batches whose gradients are accumulated per optimiser step (default 1). */
  accumulate?: number;
}

export interface TrainResult {
  lastCheckpoint: string;
  bestCheckpoint: string | null;
  bestTop1: number | null;
  epochsRun: number;
  lastEvaluation: Evaluation | null;
}

const EPOCH_FILE = /^epoch_(\d+)\.pth$/;

/** The work dir's epoch checkpoints, newest first. */
function epochCheckpoints(workDir: string): { path: string; epoch: number }[] {
  if (!existsSync(workDir)) return [];
  return readdirSync(workDir).flatMap((f) => {
    const m = EPOCH_FILE.exec(f);
    return m ? [{ path: join(workDir, f), epoch: Number(m[1]) }] : [];
  }).sort((a, b) => b.epoch - a.epoch);
}

/** The newest checkpoint that reads back; unreadable newer ones (a torn copy, a full disk) are named and passed over. */
function newestValidCheckpoint(workDir: string, log: (line: string) => void): { path: string; epoch: number; checkpoint: Checkpoint } | null {
  const found = epochCheckpoints(workDir);
  for (const c of found) {
    try {
      return { ...c, checkpoint: loadCheckpoint(c.path) };
    } catch (err) {
      log(`--resume: ${c.path} is unreadable (${(err as Error).message}); trying the previous checkpoint`);
    }
  }
  if (found.length > 0) throw new UserError(`--resume: none of the ${found.length} epoch checkpoints in ${workDir} is readable (see above); remove them to start from scratch`);
  return null;
}

/** Writes a checkpoint; a full disk stops the run with what is still intact (the atomic write left the old files alone). */
function saveOrStop(path: string, lastGood: string, write: () => void): void {
  try {
    write();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOSPC' && code !== 'EDQUOT') throw err;
    const kept = lastGood ? `${lastGood} and latest.pth are intact` : 'no earlier checkpoint exists';
    throw new UserError(`disk full (${code}) while writing ${path}: it was not written; ${kept}. Free some space and continue with --resume`, ExitCode.environment);
  }
}

/** Points `latest.pth` at a checkpoint atomically (a relative symlink, as mmcv does). */
function linkLatest(workDir: string, target: string): void {
  const link = join(workDir, 'latest.pth');
  const tmp = join(workDir, `.latest.pth.${process.pid}.tmp`);
  try { unlinkSync(tmp); } catch { /* none */ }
  symlinkSync(basename(target), tmp);
  renameSync(tmp, link);
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const { config, model, logger } = o;
  // The annotation file is parsed and validated once for both loaders (and their workers).
  const annotations = new RunAnnotations();
  let trainLoader: BatchLoader | null = null;
  let valLoader: BatchLoader | null = null;
  let step: TrainingStep | null = null;
  const shard = o.parallel ? { rank: o.parallel.rank, worldSize: o.parallel.worldSize } : undefined;
  // Every exit from here on, errors included, closes the loaders: a live worker would keep the process from exiting.
  try {
    trainLoader = new BatchLoader({ config, mode: 'train', annFile: o.annFile }, { batchSize: o.batchSize, workers: o.workers, shuffle: true, seed: o.seed, shard }, annotations);
    valLoader = o.validate
      ? new BatchLoader({ config, mode: 'val', annFile: o.annFile }, { batchSize: config.data.test_dataloader.videos_per_gpu * 8, workers: o.workers, shuffle: false, seed: o.seed, shard }, annotations)
      : null;
    step = new TrainingStep(model, o.semantics, stepSettingsOf(config));
    return await trainEpochs(o, trainLoader, valLoader, step);
  } finally {
    await trainLoader?.close();
    await valLoader?.close();
    annotations.close();
    step?.dispose();
  }
}

async function trainEpochs(o: TrainOptions, trainLoader: BatchLoader, valLoader: BatchLoader | null, step: TrainingStep): Promise<TrainResult> {
  const { config, model, logger } = o;
  const dp = o.parallel;
  // Rank 0 alone writes checkpoints, the agent's state and logs (the caller gives other ranks a silent logger).
  const isMain = !dp || dp.isMain;
  const opt = config.optimizer;
  const sgd = step.sgd;
  const accumulate = o.accumulate ?? 1;
  const batchesPerEpoch = trainLoader.batchesPerEpoch;
  const itersPerEpoch = Math.ceil(batchesPerEpoch / accumulate);
  const totalIters = o.epochs * itersPerEpoch;
  let startEpoch = 1;
  let bestTop1: number | null = null;
  let bestCheckpoint: string | null = null;
  let lastCheckpoint = '';
  let lastEvaluation: Evaluation | null = null;
  let skipped = 0;

  if (o.resume) {
    const latest = newestValidCheckpoint(o.workDir, (l) => logger.info(l));
    if (!latest) {
      logger.info(`--resume: no epoch_<E>.pth in ${o.workDir}; starting from scratch`);
    } else {
      const ck = latest.checkpoint;
      try {
        model.loadCheckpointState(ck.stateDict, latest.path);
        if (ck.optimizer) sgd.loadStateDict(ck.optimizer);
        // Rank 0's trained text encoder reaches the others with the broadcast state below.
        if (isMain) o.semantics.restore(o.workDir);
      } finally {
        for (const t of ck.stateDict.values()) t.dispose();
      }
      const meta = ck.meta as Record<string, unknown> | null;
      const hook = (meta?.hook_msgs ?? null) as Record<string, unknown> | null;
      if (typeof hook?.best_score === 'number') bestTop1 = hook.best_score;
      if (typeof hook?.best_ckpt === 'string') bestCheckpoint = hook.best_ckpt;
      startEpoch = latest.epoch + 1;
      lastCheckpoint = latest.path;
      logger.info(`resumed from ${latest.path} (epoch ${latest.epoch}); continuing at epoch ${startEpoch}`);
      // Newer, unreadable checkpoints would shadow this run's next ones on a later --resume.
      if (latest.epoch < o.epochs && isMain) linkLatest(o.workDir, latest.path);
    }
  }

  if (dp) await dp.broadcastState(model);
  // Only rank 0 runs the agent, on every rank's statistics, and every rank trains on its
  // descriptions (the original's other ranks kept their own statistics and the shipped
  // descriptions: docs/distributed.md).
  const agentCounts = o.semantics.questionerCounts;
  // Rank 0's descriptions when its agent refreshed them (most epochs it does not), else null.
  const shareDescriptions = (refreshed: boolean) => {
    if (!dp || !agentCounts) return;
    const shared = dp.shareFromMain<readonly string[] | null>('agent descriptions', refreshed ? o.semantics.descriptions : null);
    if (shared) o.semantics.adoptDescriptions(shared);
  };
  shareDescriptions(true);
  const worldSize = dp?.worldSize ?? 1;
  logger.info(`world size ${worldSize}, batch ${o.batchSize} per rank × ${worldSize} rank(s) × ${accumulate} accumulated = effective batch ${o.batchSize * worldSize * accumulate}, learning rate ${opt.lr}`);
  logger.info(`training ${o.configName}: ${trainLoader.length} samples, batch ${o.batchSize}, ${itersPerEpoch} iterations/epoch, epochs ${startEpoch}..${o.epochs}, device ${o.device}, text encoder: ${o.semantics.describe()}`);
  let epochsRun = 0;
  const stopAfter = stopAfterEpochHook();
  {
    for (let epoch = startEpoch; epoch <= o.epochs; epoch++) {
      model.train();
      // Per-epoch generators: the run is a function of (seed, epoch), so resume is exact.
      // Each rank draws its own mix-up (rank 0 as a single process would).
      const rank = dp?.rank ?? 0;
      const rng = new PythonRandom(sampleSeed(o.seed + rank, epoch, -2));
      manualSeed(sampleSeed(o.seed + rank, epoch, -3));
      const progress = new Progress({ label: `epoch ${epoch}/${o.epochs}`, total: itersPerEpoch, unit: 'it', quiet: !isMain });
      const sums = { loss: 0, top1: 0, top5: 0, n: 0 };
      let skippedThisEpoch = 0;
      let iter = (epoch - 1) * itersPerEpoch;
      let batches = 0;
      for await (const batch of trainLoader.epoch(epoch)) {
        // A prefetched batch arrives as a resolved promise, so without a macrotask turn here a
        // SIGINT/SIGTERM handler (and any other I/O callback) could wait many steps to run.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const lr = cosineAnnealingLr(opt.lr, iter, totalIters, config.lr_config.min_lr);
        sgd.paramGroups[0].lr = lr;
        batches++;
        // The last micro-batch of an update reduces the gradients over the ranks during its backward.
        const updates = batches % accumulate === 0 || batches >= batchesPerEpoch;
        const stats = tidy(() => step.accumulate(batchTensors(batch, o.device), rng, dp && updates ? (loss) => dp.backward(model, loss) : undefined));
        if (!updates) continue;
        // The ranks agree on skipping: one rank's NaN/inf would reach every rank's averaged gradients.
        const nonFinite = dp ? await dp.anyNonFinite(step.hasNonFinite) : step.hasNonFinite;
        step.update(nonFinite);
        iter++;
        if (nonFinite) {
          const at = `epoch ${epoch}, iteration ${iter} (batch ${sums.n + 1 + skippedThisEpoch} of ${itersPerEpoch})`;
          if (!o.skipNonFinite) {
            const good = lastCheckpoint ? `the last good checkpoint is ${lastCheckpoint}` : 'no checkpoint was written yet';
            throw new UserError(`the loss became ${Number.isFinite(stats.loss) ? 'NaN/inf on another rank' : stats.loss} at ${at}; the weights were not updated with it and ${good}. Lower the learning rate or check the data; --skip-nonfinite skips such batches instead`, ExitCode.failure);
          }
          skipped++;
          skippedThisEpoch++;
          logger.info(`skipping the batch at ${at}: loss ${stats.loss} (--skip-nonfinite)`);
          progress.tick(1, 'skipped (non-finite loss)');
          continue;
        }
        sums.loss += stats.loss; sums.top1 += stats.top1; sums.top5 += stats.top5; sums.n++;
        progress.tick(1, `loss ${stats.loss.toFixed(3)} top1 ${(100 * stats.top1).toFixed(1)}% lr ${lr.toExponential(2)}`);
        if (iter % config.log_config.interval === 0 || sums.n === itersPerEpoch) {
          logger.event({ mode: 'train', epoch, iter, lr, loss: stats.loss, loss_cls: stats.cls, loss_constraint: stats.constraint, loss_align: stats.align, top1_acc: stats.top1, top5_acc: stats.top5 });
        }
      }
      logger.info(`epoch ${epoch}: mean loss ${(sums.loss / sums.n).toFixed(4)}, train top1 ${(100 * sums.top1 / sums.n).toFixed(2)}%, top5 ${(100 * sums.top5 / sums.n).toFixed(2)}%`);

      if (dp && agentCounts) await dp.sumIntoMain('agent statistics', agentCounts);
      let refreshed = false;
      const logAgent = (update: Record<string, unknown> | null) => {
        if (!update) return;
        refreshed = true;
        logger.event({ mode: 'agent', epoch, ...update });
      };
      if (isMain) logAgent(await o.semantics.onEpochEnd(epoch, logger));

      let improved = false;
      if (valLoader) {
        const { evaluation } = await evaluate(torchScorer(model, o.device), valLoader, `val ${epoch}`, {
          beforeBatch: isMain ? async () => logAgent(await o.semantics.onValidationBatch(logger)) : undefined, parallel: dp,
        });
        lastEvaluation = evaluation;
        logger.info(`epoch ${epoch} validation: top1 ${(100 * evaluation.top1).toFixed(2)}%, top5 ${(100 * evaluation.top5).toFixed(2)}%, mean class accuracy ${(100 * evaluation.meanClassAccuracy).toFixed(2)}%`);
        logger.event({ mode: 'val', epoch, iter, top1_acc: evaluation.top1, top5_acc: evaluation.top5, mean_class_accuracy: evaluation.meanClassAccuracy });
        improved = bestTop1 === null || evaluation.top1 > bestTop1;
        if (improved) bestTop1 = evaluation.top1;
      }
      shareDescriptions(refreshed);
      const meta = (file: string | null) => ({
        config_name: o.configName, work_dir: basename(o.workDir), epoch, iter, seed: o.seed, time: new Date().toISOString(),
        skeletonagent_ts: true,
        hook_msgs: { last_ckpt: lastCheckpoint, ...(bestTop1 === null ? {} : { best_score: bestTop1 }), ...(file ? { best_ckpt: file } : bestCheckpoint ? { best_ckpt: bestCheckpoint } : {}) },
      });
      const lastGood = lastCheckpoint;
      if (improved) {
        const bestPath = join(o.workDir, `best_top1_acc_epoch_${epoch}.pth`);
        // The best checkpoint holds every key, text encoder included (docs/original.md).
        if (isMain) {
          saveOrStop(bestPath, lastGood, () => saveCheckpoint(bestPath, { meta: meta(bestPath), stateDict: model.stateDict(), optimizer: sgd.stateDict() }));
          if (bestCheckpoint && bestCheckpoint !== bestPath && existsSync(bestCheckpoint)) unlinkSync(bestCheckpoint);
        }
        // Every rank knows its path (they test it together after training).
        bestCheckpoint = bestPath;
      }
      const epochPath = join(o.workDir, `epoch_${epoch}.pth`);
      lastCheckpoint = epochPath;
      if (isMain) saveOrStop(epochPath, lastGood, () => {
        saveCheckpoint(epochPath, { meta: meta(null), stateDict: withoutTextEncoder(model.stateDict()), optimizer: sgd.stateDict() });
        o.semantics.save(o.workDir);
        linkLatest(o.workDir, epochPath);
      });
      epochsRun++;
      if (epoch === stopAfter) {
        logger.info(`${STOP_AFTER_EPOCH_ENV}=${epoch}: epoch ${epoch} is saved; stopping this process (SIGSTOP) for the caller to kill`);
        process.kill(process.pid, 'SIGSTOP');
      }
    }
  }
  // Rank 0's last checkpoint is written before any rank reports the run done.
  if (dp) await dp.barrier('end of training');
  if (skipped > 0) logger.info(`${skipped} batch(es) with a non-finite loss were skipped (--skip-nonfinite)`);
  return { lastCheckpoint, bestCheckpoint, bestTop1, epochsRun, lastEvaluation };
}

/**
 * Crash-test hook: with SKAGENT_STOP_AFTER_EPOCH=E the process stops itself (SIGSTOP) right after
 * epoch E's checkpoint is written and announced, so a test can kill it at exactly that point and
 * check that --resume reproduces the uninterrupted run.
 */
const STOP_AFTER_EPOCH_ENV = 'SKAGENT_STOP_AFTER_EPOCH';

function stopAfterEpochHook(): number | null {
  const v = process.env[STOP_AFTER_EPOCH_ENV];
  if (v === undefined || v === '') return null;
  const epoch = Number(v);
  if (!Number.isInteger(epoch) || epoch < 1) throw new RangeError(`${STOP_AFTER_EPOCH_ENV} must be an epoch number (an integer >= 1), got '${v}'`);
  return epoch;
}

/** Per-epoch checkpoints omit the text encoder, as the original's (docs/original.md). */
function withoutTextEncoder(sd: Map<string, Tensor>): Map<string, Tensor> {
  return new Map([...sd].filter(([k]) => !k.startsWith(TEXT_ENCODER_PREFIX)));
}

