/** `skagent data inspect`: statistics of an annotation pickle or dataset store. */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode } from '../../errors.js';
import { formatStats, inspectDataset } from '../../data/inspect.js';
import { layoutOption, positionals } from './data-common.js';

const HELP = `skagent data inspect — statistics of a dataset file

Usage: skagent data inspect <file> [--json] [--check] [--layout L]

<file> is a PYSKL annotation pickle (.pkl) or a dataset store (skagent data convert). Prints the
samples per split and per class, frame-count statistics (total_frames; Kinetics: raw video
frames), persons per sample (Kinetics: most skeletons in one frame) and the kinds of keypoint
arrays.

Options:
  --json      machine-readable output
  --check     validate every sample (fields, shapes, dtypes, NaN/Inf); exit 1 if any is invalid
  --layout L  with --check, also check against nturgb+d, coco, coco_new or uav`;

export const dataInspectCommand: Command = {
  path: ['data', 'inspect'],
  summary: 'Samples per split/class, frame and person statistics of a .pkl or dataset store',
  help: HELP,
  async run(args) {
    const { values, positionals: pos } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { json: { type: 'boolean' }, check: { type: 'boolean' }, layout: { type: 'string' } },
    });
    const [file] = positionals(pos, ['file']);
    const stats = inspectDataset(file, { check: values.check, layout: layoutOption(values.layout) });
    process.stdout.write(values.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
    return stats.problems && stats.problems.length > 0 ? ExitCode.failure : ExitCode.ok;
  },
};
