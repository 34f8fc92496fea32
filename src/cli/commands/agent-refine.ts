/** `skagent agent refine`: one Questioner round from a confusion matrix. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { readConfusionMatrix } from '../../agent/confusion-input.js';
import { ConfusionStatistics, type QuestionerMode } from '../../agent/questioner.js';
import { refineDescriptions } from '../../agent/refine.js';
import { ConversationStore, readLabelMap } from '../../agent/store.js';
import { LLM_HELP, LLM_OPTIONS, asInputError, loadTokenizer, makeLlm, requireOption } from './agent-common.js';

const HELP = `skagent agent refine — ask the LLM for sharper descriptions of confused classes

Usage: skagent agent refine --conversations <dir> --labels <labels.txt> --confusion <file> --out <dir> [options]

What the Questioner does during training (the original's heads/agent.py), once, from a confusion
matrix: for every class it picks the 10 classes it is most confused with, then asks the LLM — in the
context of the class's stored rounds 1-5 — for a one-sentence description that tells the class apart
from them. The answer becomes round 6 and the class's new description (the last answer of its file).

Confusion between classes a and b counts the errors in both directions: C[a][b] + C[b][a].

Options:
  --conversations DIR  current conversation files (shipped, from 'agent init', or a previous refine)
  --labels F           label map, one class name per line (required: names go into the prompt)
  --confusion F        metrics.json of 'skagent test' (field confusion_matrix, [true][pred]) or a
                       square .npy array [true][pred]
  --out DIR            where the updated files go (may equal --conversations; every file is
                       replaced atomically). Classes whose request fails keep their file unchanged.
                       A report is written to DIR/refine_report.json.
  --mode M             reproduce (default): the original's list - always 10 classes, padded with
                       unconfused classes of smallest index, possibly the class itself;
                       corrected: only classes actually confused with it, at most 10; classes
                       without any confusion are not asked

${LLM_HELP}

Example:
  skagent agent refine --conversations text/nturgbd_60 --labels nturgbd_60.txt \\
      --confusion work_dirs/ntu60_j/metrics.json --out work_dirs/ntu60_j/nturgbd_60 --mode corrected

Exit codes: 0 every asked class was updated; 1 some kept their old description (see the report);
2 usage; 3 bad input files; 4 no API key.`;

export const agentRefineCommand: Command = {
  path: ['agent', 'refine'],
  summary: 'One Questioner round: new descriptions for confused classes from a confusion matrix',
  help: HELP,
  async run(args) {
    const { values } = parseArgs({
      args, allowPositionals: false, strict: true,
      options: { conversations: { type: 'string' }, labels: { type: 'string' }, confusion: { type: 'string' }, out: { type: 'string' }, mode: { type: 'string' }, ...LLM_OPTIONS },
    });
    const conversationsDir = requireOption(values, 'conversations');
    const labelsPath = requireOption(values, 'labels');
    const confusionPath = requireOption(values, 'confusion');
    const outDir = requireOption(values, 'out');
    const mode = (values.mode ?? 'reproduce') as QuestionerMode;
    if (mode !== 'reproduce' && mode !== 'corrected') throw new UserError(`--mode expects reproduce or corrected, got '${values.mode}'`, ExitCode.usage);

    const classNames = asInputError(() => readLabelMap(labelsPath));
    const matrix = asInputError(() => readConfusionMatrix(confusionPath));
    if (matrix.length !== classNames.length) {
      throw new UserError(`${confusionPath}: a ${matrix.length}x${matrix.length} confusion matrix for ${classNames.length} classes in ${labelsPath}`);
    }
    const stats = asInputError(() => ConfusionStatistics.fromConfusionMatrix(matrix, mode, confusionPath));
    const store = new ConversationStore(classNames, conversationsDir, outDir);
    const missing = store.missing();
    if (missing.length > 0) throw new UserError(`${missing.length} conversation file(s) missing, e.g. ${missing[0]}`);
    const tokenizer = loadTokenizer(values['clip-vocab']);
    const llm = makeLlm(values);

    const classLists = stats.classLists();
    process.stderr.write(`[agent] refining ${classNames.length} classes with ${llm.model} at ${llm.baseURL} (${mode} lists)\n`);
    const result = await refineDescriptions({ store, classLists, llm, fitsContext: tokenizer && ((t) => tokenizer.fits(t)) });

    mkdirSync(outDir, { recursive: true });
    const report = {
      mode, confusion: confusionPath, model: llm.model,
      updated: result.updated, skipped: result.skipped, failed: result.failed,
      classLists: classLists.map((list, c) => ({ class: c, name: classNames[c], similar: list })),
    };
    writeFileAtomic(join(outDir, 'refine_report.json'), JSON.stringify(report, null, 1) + '\n');
    process.stdout.write(`${result.updated.length} descriptions updated, ${result.failed.length} kept after failures, ${result.skipped.length} not asked; files in ${outDir}\n`);
    return result.failed.length > 0 ? ExitCode.failure : ExitCode.ok;
  },
};
