/**
 * `skagent demo`: the main job on the embedded default data. Generates the synthetic NTU-layout
 * set, trains a joint and a bone model (quick configs), tests both with 10 clips, exports both to
 * ONNX (so `skagent view` on the outputs has models for its Live tab) and prints what fusing them
 * gains: the whole SkeletonAgent workflow in minutes on two CPU cores.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../../config/index.js';
import { writeSynthetic, SYNTH_CLASS_NAMES } from '../../data/index.js';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { intOption } from './data-common.js';
import { RUNTIME_OPTIONS, RUNTIME_HELP, runtimeOptions } from './run-options.js';
import { setUpRun } from '../../engine/run-setup.js';
import { train } from '../../engine/trainer.js';
import { runTest } from '../../engine/tester.js';
import { RunLogger } from '../../engine/logger.js';
import { fuseScores } from '../../engine/ensemble.js';
import { evaluateScores } from '../../engine/metrics.js';
import { readLabelsNpy, readScoresNpy } from '../../engine/results.js';
import { exportOnnx } from '../../export/export.js';

const HELP = `skagent demo — the whole workflow on the embedded synthetic data

Usage: skagent demo [--out D] [--epochs N] [--classes N] [--per-class N] [--seed N] [options]

  1. generates a synthetic NTU-layout dataset (skagent data synth) into D/data
  2. trains the quick/j (joints) and quick/b (bones) models (skagent train --validate) into D/j, D/b
  3. tests each last checkpoint with 10 clips (skagent test) into D/j/test, D/b/test
  4. exports each to ONNX with the class names (skagent export) as D/j/quick_j.onnx,
     D/b/quick_b.onnx: 'skagent view D' runs them in its Live tab
  5. fuses the two score files 1:1 (skagent ensemble) and prints the ensemble gain

  --out D         output folder (default work_dirs/demo)
  --epochs N      training epochs per model (default: the quick configs' total_epochs)
  --classes N     synthetic classes (default 12, as the quick configs)
  --per-class N   samples per class (default 40)
  --seed N        seed of data generation and training (default 0)
${RUNTIME_HELP}

Exit code 0 when it completes; the printed table is the result.`;

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'Main job: synthetic data → train joint + bone models → 10-clip test → ensemble gain',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { out: { type: 'string' }, epochs: { type: 'string' }, classes: { type: 'string' }, 'per-class': { type: 'string' }, seed: { type: 'string' }, ...RUNTIME_OPTIONS },
    });
    if (positionals.length) throw new UserError(`unexpected argument '${positionals[0]}'`, ExitCode.usage);
    const out = resolve(values.out ?? 'work_dirs/demo');
    const seed = intOption(values.seed, 'seed', 0, 0);
    const classes = intOption(values.classes, 'classes', 12, 2);
    mkdirSync(join(out, 'data'), { recursive: true });
    const annFile = join(out, 'data', 'synth_ntu.pkl');
    const labelsFile = join(out, 'data', 'labels.txt');
    const content = writeSynthetic(annFile, { layout: 'nturgb+d', classes, perClass: intOption(values['per-class'], 'per-class', 40, 2), seed });
    writeFileSync(labelsFile, SYNTH_CLASS_NAMES.slice(0, classes).join('\n') + '\n');
    process.stderr.write(`[demo] synthetic data: ${content.annotations.length} samples, ${classes} classes → ${annFile}\n`);

    const streams: { name: string; top1: number; scores: string }[] = [];
    for (const modality of ['j', 'b'] as const) {
      const configName = `quick/${modality}`;
      const config = structuredClone(loadConfig(configName));
      config.model.backbone.num_classes = classes;
      config.model.cls_head.num_classes = classes;
      const workDir = join(out, modality);
      const logger = new RunLogger(workDir);
      const run = setUpRun({ config, runtime: runtimeOptions(values), semantics: { labels: labelsFile }, seed, workDir, log: (l) => logger.info(l) });
      let result;
      try {
        result = await train({
          config, configName, model: run.model, semantics: run.semantics, workDir, annFile, seed,
          epochs: intOption(values.epochs, 'epochs', config.total_epochs, 1), batchSize: config.data.videos_per_gpu,
          workers: run.runtime.workers, validate: true, resume: false, device: run.runtime.device, logger,
        });
      } finally {
        run.dispose();
      }
      const written = await runTest({
        config, configName, checkpoint: result.lastCheckpoint, out: join(workDir, 'test'), annFile, clips: 10,
        batchSize: 4, runtime: run.runtime,
      });
      streams.push({ name: modality === 'j' ? 'joint' : 'bone', top1: written.evaluation.top1, scores: written.files.scores });
      process.stderr.write(`[demo] ${configName}: 10-clip test top1 ${(100 * written.evaluation.top1).toFixed(2)}%\n`);
      const exported = exportOnnx({ config, configName, checkpoint: result.lastCheckpoint, out: join(workDir, `quick_${modality}.onnx`), labels: SYNTH_CLASS_NAMES.slice(0, classes) });
      process.stderr.write(`[demo] ${configName}: exported ${exported.out} (${(exported.bytes / 1e6).toFixed(1)} MB) for skagent view's Live tab\n`);
    }
    const labels = readLabelsNpy(join(out, 'j', 'test', 'labels.npy'));
    const fused = fuseScores(streams.map((s) => readScoresNpy(s.scores)), [1, 1]);
    const ensembleTop1 = evaluateScores(fused, labels).top1;
    const best = Math.max(...streams.map((s) => s.top1));
    const lines = [
      '',
      `SkeletonAgent demo (synthetic NTU layout, ${classes} classes, chance ${(100 / classes).toFixed(1)}%)`,
      ...streams.map((s) => `  ${s.name.padEnd(8)} top1 ${(100 * s.top1).toFixed(2)}%`),
      `  J+B      top1 ${(100 * ensembleTop1).toFixed(2)}%   (ensemble gain over the best stream: ${ensembleTop1 >= best ? '+' : ''}${(100 * (ensembleTop1 - best)).toFixed(2)} points)`,
      `  outputs in ${out}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    return ExitCode.ok;
  },
};
