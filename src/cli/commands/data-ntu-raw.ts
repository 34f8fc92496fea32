/** `skagent data ntu-raw`: NTU RGB+D .skeleton files → ntu60_3danno.pkl / ntu120_3danno.pkl. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode } from '../../errors.js';
import { type NtuDataset, preprocessNtuDirectory, readMissingList } from '../../data/ntu-raw.js';
import { writeAnnotationPickle } from '../../data/pyskl-writer.js';
import { positionals } from './data-common.js';

const HELP = `skagent data ntu-raw — preprocess NTU RGB+D skeleton files into PYSKL annotation pickles

Usage: skagent data ntu-raw <skeleton-dir> <out-dir> [--missing ntu120_missing.txt] [--reproduce-original-bugs]

Reads every *.skeleton file of <skeleton-dir> (sorted by name), drops the names listed in the
missing-sample file, denoises and merges the bodies of each file into [M<=2, T, 25, 3] float16
keypoints, and writes <out-dir>/ntu60_3danno.pkl (actions 1-60; xsub/xview splits) and, when any
action id is above 60, <out-dir>/ntu120_3danno.pkl (xsub/xset splits), as pickle protocol 2.

By default three defects of the original tools/data/ntu_preproc.py are corrected (see
docs/data.md): the second body slot's range starting at [0, 0), the silent dropping of a body that
overlaps both slots (still dropped, now reported), and None annotations for files without bodies
(now left out and reported).

Options:
  --missing F                  the official list of samples with missing skeletons (535 names);
                               without it every file is used
  --reproduce-original-bugs    write exactly what the original script writes, defects included`;

export const dataNtuRawCommand: Command = {
  path: ['data', 'ntu-raw'],
  summary: 'Preprocess NTU RGB+D .skeleton files into ntu60/ntu120 annotation pickles',
  help: HELP,
  async run(args) {
    const { values, positionals: pos } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { missing: { type: 'string' }, 'reproduce-original-bugs': { type: 'boolean' } },
    });
    const [dir, outDir] = positionals(pos, ['skeleton-dir', 'out-dir']);
    const reproduce = values['reproduce-original-bugs'] ?? false;
    if (!values.missing) process.stderr.write('[ntu-raw] no --missing list: samples with incomplete skeletons are kept\n');
    const missing = values.missing ? readMissingList(values.missing) : new Set<string>();
    const result = preprocessNtuDirectory(dir, missing, { reproduceOriginalBugs: reproduce }, (done, total) => {
      if (done % 5000 === 0 || done === total) process.stderr.write(`[ntu-raw] ${done}/${total} files\n`);
    });
    mkdirSync(outDir, { recursive: true });
    const write = (name: string, ds: NtuDataset): void => {
      writeAnnotationPickle(join(outDir, name), ds, 2);
      const splits = [...ds.split].map(([k, v]) => `${k} ${v.length}`).join(', ');
      process.stdout.write(`wrote ${join(outDir, name)}: ${ds.annotations.length} samples (${splits})\n`);
    };
    if (result.ntu120) write('ntu120_3danno.pkl', result.ntu120);
    write('ntu60_3danno.pkl', result.ntu60);
    if (result.skippedMissing.length) process.stdout.write(`skipped ${result.skippedMissing.length} sample(s) on the missing list\n`);
    if (result.empty.length) {
      const what = reproduce ? 'stored as None (original behaviour)' : 'left out';
      process.stdout.write(`${result.empty.length} file(s) without a usable body, ${what}: ${result.empty.join(', ')}\n`);
    }
    for (const [name, ids] of result.dropped) process.stdout.write(`${name}: dropped body ${ids.join(', ')} (overlaps both tracks)\n`);
    return ExitCode.ok;
  },
};
