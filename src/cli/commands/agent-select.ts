/** `skagent agent select`: rebuild the critical-joint tensors from conversation files. */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { writeCriticalJointFiles } from '../../agent/selector.js';
import { ConversationStore, readLabelMap } from '../../agent/store.js';
import { asInputError, datasetName, requireOption, resolveLayout } from './agent-common.js';

const HELP = `skagent agent select — build the critical-joint tensors from round 4 of each conversation

Usage: skagent agent select --conversations <dir> --labels <labels.txt> --out <dir> [--layout L] [--dataset NAME]

The Selector (original tools/text/cls_matrix.py): every line of a class's round-4 answer that starts with
"<number>-" marks joint <number> (1-based, in the numbering of the layout's round-3 prompt) as
critical; the tensor [classes, V, V] (float64) gets that joint's row set to 1 (j), or the rows of every
bone (b) / K-bone (k) pair containing it, in the original's pair order. Writes
<out>/<dataset>_j_critical_joints.npy, _b_ and _k_ (jm/bm/km models use the same files).
Missing class files leave their rows zero and are reported.

Options:
  --conversations DIR  conversation files NNN_<name>.txt
  --labels F           label map, one class name per line
  --out DIR            output directory
  --layout L           nturgb+d, coco_new or uav (may be omitted for the original's datasets)
  --dataset NAME       file-name prefix (default: the label file's base name)

Example:
  skagent agent select --conversations text/gpt4o/nturgbd_60 --labels label_map/nturgbd_60.txt --out cls_matrix`;

export const agentSelectCommand: Command = {
  path: ['agent', 'select'],
  summary: 'Build the critical-joint tensors (j/b/k) from the conversations\' round-4 answers',
  help: HELP,
  async run(args) {
    const { values } = parseArgs({
      args, allowPositionals: false, strict: true,
      options: { conversations: { type: 'string' }, labels: { type: 'string' }, out: { type: 'string' }, layout: { type: 'string' }, dataset: { type: 'string' } },
    });
    const conversationsDir = requireOption(values, 'conversations');
    const labelsPath = requireOption(values, 'labels');
    const outDir = requireOption(values, 'out');
    const dataset = datasetName(values, labelsPath);
    const layout = resolveLayout(values.layout, dataset);
    const classNames = asInputError(() => readLabelMap(labelsPath));
    const store = new ConversationStore(classNames, conversationsDir, conversationsDir);
    const missing = store.missing();
    if (missing.length === classNames.length) throw new UserError(`no conversation file of ${labelsPath} found in ${conversationsDir}`);
    for (const path of missing) process.stderr.write(`[agent] missing, rows left zero: ${path}\n`);
    asInputError(() => writeCriticalJointFiles(outDir, dataset, layout, classNames.map((_, c) => store.read(c))));
    process.stdout.write(`wrote ${dataset}_{j,b,k}_critical_joints.npy (${classNames.length} classes, layout ${layout}) to ${outDir}\n`);
    return missing.length > 0 ? ExitCode.failure : ExitCode.ok;
  },
};
