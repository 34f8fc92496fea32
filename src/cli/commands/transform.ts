/** `skagent transform`: run a config's data pipeline over a dataset split and save the model inputs. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../../config/index.js';
import { PoseDataset } from '../../data/dataset.js';
import type { NdArray } from '../../io/ndarray.js';
import { writeNpy } from '../../io/npy.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { compose } from '../../transforms/index.js';
import { createPipelineRng } from '../../rng/index.js';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { intOption } from './data-common.js';

const MODES = ['train', 'val', 'test'] as const;
type Mode = (typeof MODES)[number];

const HELP = `skagent transform — run a config's data pipeline and save what the model would receive

Usage: skagent transform <config> --out <dir> [--ann-file <pkl>] [--split <name>]
                         [--mode train|val|test] [--seed N] [--limit N]

  <config>      a config name (ntu60_xsub/j, k400/km, quick/j, ...) or a config .json file
  --ann-file    annotation pickle (or dataset store); default: the config's data.<mode>.ann_file
  --split       split name; default: the config's data.<mode>.split
  --mode        which pipeline and dataset entry: train, val (default) or test. val/test run in
                test mode (sampling re-seeded with 255 per sample, deterministic); train runs the
                training augmentations
  --seed        train mode: numpy and Python generators are seeded once with N (default 0) and the
                samples are processed in dataset order, like one data-loader worker
  --limit       process only the first N samples

Writes <dir>/<frame_dir>.npy (float32, [clips, M, T, V, C]; '/' in frame_dir becomes '_') and
<dir>/index.json (frame_dir, label, file and shape of every sample, in dataset order).

Example:
  skagent transform ntu60_xsub/j --ann-file data/ntu60_3danno.pkl --mode test --out /tmp/ntu_test`;

function modeOption(value: string | undefined): Mode {
  if (value === undefined) return 'val';
  if (!(MODES as readonly string[]).includes(value)) throw new UserError(`--mode must be one of ${MODES.join(', ')}, got '${value}'`, ExitCode.usage);
  return value as Mode;
}

function datasetOptions(config: Config, mode: Mode) {
  const d = config.data[mode];
  return { boxThr: d.box_thr, validRatio: d.valid_ratio ?? null };
}

export const transformCommand: Command = {
  path: ['transform'],
  summary: "Run a config's data pipeline over a dataset split and save the model inputs as .npy",
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: {
        'ann-file': { type: 'string' }, split: { type: 'string' }, mode: { type: 'string' },
        seed: { type: 'string' }, out: { type: 'string' }, limit: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UserError(`expected one <config>, got ${positionals.length} argument(s)`, ExitCode.usage);
    if (!values.out) throw new UserError('missing --out <dir>', ExitCode.usage);
    const mode = modeOption(values.mode);
    const seed = intOption(values.seed, 'seed', 0, 0);
    const config = loadConfig(positionals[0]);
    const entry = config.data[mode];
    const annFile = values['ann-file'] ?? entry.ann_file;
    const split = values.split ?? entry.split;
    const pipeline = compose(entry.pipeline, `data.${mode}.pipeline`);
    const dataset = PoseDataset.open(annFile, { split, testMode: mode !== 'train', ...datasetOptions(config, mode) });
    try {
      for (const w of dataset.warnings) process.stderr.write(`warning: ${w}\n`);
      const count = Math.min(dataset.length, intOption(values.limit, 'limit', dataset.length, 1));
      mkdirSync(values.out, { recursive: true });
      const rng = createPipelineRng(seed);
      const index: { frame_dir: string; label: number; file: string; shape: readonly number[] }[] = [];
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const record = dataset.get(i);
        let keypoint: NdArray;
        try {
          keypoint = pipeline.run(record, rng).keypoint as NdArray;
        } catch (err) {
          if (err instanceof UserError) throw new UserError(`sample ${i} (${record.frame_dir}): ${err.message}`, err.exitCode);
          throw err;
        }
        const file = `${record.frame_dir.replaceAll('/', '_')}.npy`;
        writeNpy(join(values.out, file), keypoint);
        index.push({ frame_dir: record.frame_dir, label: record.label, file, shape: keypoint.shape });
      }
      const head = JSON.stringify({ config: positionals[0], mode, split, ann_file: annFile }).slice(0, -1);
      writeFileAtomic(join(values.out, 'index.json'), `${head}, "samples": [\n${index.map((s) => ` ${JSON.stringify(s)}`).join(',\n')}\n]}\n`);
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(`wrote ${count} samples of ${annFile} [${split}] to ${values.out} (${mode} pipeline, ${seconds.toFixed(2)} s)\n`);
      return ExitCode.ok;
    } finally {
      dataset.close();
    }
  },
};
