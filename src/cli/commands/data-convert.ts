/** `skagent data convert`: PYSKL annotation pickle → dataset store. */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode } from '../../errors.js';
import { convertToStore } from '../../data/convert.js';
import { formatBytes, layoutOption, positionals } from './data-common.js';

const HELP = `skagent data convert — convert a PYSKL annotation pickle into a dataset store

Usage: skagent data convert <ann.pkl> <out> [--layout L] [--kpfile-root DIR]

The store holds every annotation and the splits of the pickle in one file: a header, the arrays of
each sample back to back (one positioned read per sample) and a JSON index (per-sample offsets,
dtypes, shapes, labels, split membership). Training and evaluation accept it wherever they accept
the pickle, and open it without parsing the arrays. Every sample is validated on the way (NaN/Inf
included); Kinetics keypoints kept in kpfiles ('raw_file') are read and stored inline. The output
is written atomically.

Options:
  --layout L         also check joints/channels/persons against nturgb+d, coco, coco_new or uav
  --kpfile-root DIR  folder for relative K400 raw_file paths (default: the pickle's folder)

Example:
  skagent data convert data/nturgbd/ntu60_3danno.pkl data/nturgbd/ntu60_3danno.skstore`;

export const dataConvertCommand: Command = {
  path: ['data', 'convert'],
  summary: 'Convert a PYSKL annotation pickle into a dataset store (fast random access)',
  help: HELP,
  async run(args) {
    const { values, positionals: pos } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { layout: { type: 'string' }, 'kpfile-root': { type: 'string' } },
    });
    const [input, output] = positionals(pos, ['ann.pkl', 'out']);
    const started = performance.now();
    const r = convertToStore(input, output, { layout: layoutOption(values.layout), kpfileRoot: values['kpfile-root'] });
    const none = r.noneEntries ? ` (${r.noneEntries} None entries skipped)` : '';
    process.stdout.write(`wrote ${output}: ${r.samples} samples${none}, ${formatBytes(r.bytes)} in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
    return ExitCode.ok;
  },
};
