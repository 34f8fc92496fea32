/** `skagent data uav-raw`: UAV-Human skeleton .txt files → uav_human.pkl. */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode } from '../../errors.js';
import { writeAnnotationPickle } from '../../data/pyskl-writer.js';
import { preprocessUavDirectory } from '../../data/uav-raw.js';
import { positionals } from './data-common.js';

const HELP = `skagent data uav-raw — preprocess UAV-Human skeleton files into a PYSKL annotation pickle

Usage: skagent data uav-raw <skeleton-dir> <out.pkl>

Reads every *.txt file of <skeleton-dir> (sorted by name; per frame a body count, per body an
attribute line, 17 and 17 "x y ..." lines) and writes <out.pkl> (pickle protocol 2) with
float64 [M, T, 17, 2] keypoints, float32 all-ones keypoint_score, labels from the three digits
after the first 'A' and the csv1/csv2 cross-subject splits, as the original
tools/data/uav_preproc.py does. Differences (docs/data.md): the output path is yours, files whose
body count varies are padded with zeros (score 0) instead of failing, files without any body are
left out and reported.`;

export const dataUavRawCommand: Command = {
  path: ['data', 'uav-raw'],
  summary: 'Preprocess UAV-Human skeleton .txt files into uav_human.pkl',
  help: HELP,
  async run(args) {
    const { positionals: pos } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
    const [dir, out] = positionals(pos, ['skeleton-dir', 'out.pkl']);
    const result = preprocessUavDirectory(dir);
    writeAnnotationPickle(out, result, 2);
    const splits = [...result.split].map(([k, v]) => `${k} ${v.length}`).join(', ');
    process.stdout.write(`wrote ${out}: ${result.annotations.length} samples (${splits})\n`);
    if (result.padded.length) process.stdout.write(`${result.padded.length} file(s) with a varying body count, padded: ${result.padded.join(', ')}\n`);
    if (result.empty.length) process.stdout.write(`${result.empty.length} file(s) without bodies, left out: ${result.empty.join(', ')}\n`);
    return ExitCode.ok;
  },
};
