/** `skagent agent init`: the offline five-round dialogue per class, then the Selector. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode } from '../../errors.js';
import { runDialogues } from '../../agent/dialogue.js';
import { writeCriticalJointFiles } from '../../agent/selector.js';
import { ConversationStore, readLabelMap } from '../../agent/store.js';
import { LLM_HELP, LLM_OPTIONS, asInputError, datasetName, loadTokenizer, makeLlm, requireOption, resolveLayout, resolvePrompts } from './agent-common.js';

const HELP = `skagent agent init — ask the LLM the five-round dialogue for every class

Usage: skagent agent init --labels <labels.txt> --out <dir> [--layout <layout>] [options]

For each class of the label map the LLM is asked, with the whole conversation so far as context:
  1. how the body moves during the action        4. how each critical joint moves ("7-left wrist: ...")
  2. what head, hand, arm, hip, leg, foot do      5. a one-sentence description (the text target)
  3. which joints are critical (numbered list of the layout's joints)
Each class gets <out>/NNN_<name>.txt in the original's format (as its heads/agent.py reads it); then the
Selector turns the round-4 answers into the critical-joint tensors
<out>/cls_matrix/<dataset>_{j,b,k}_critical_joints.npy used by the joint-constraint branch.

A class whose dialogue fails (after retries, or because an answer never has the expected shape)
gets no file; run the same command again to ask only for the missing classes. Existing complete
files are never re-asked.

Options:
  --labels F           label map: one class name per line, line i = class i (required)
  --out DIR            where conversation files and cls_matrix/ are written (required)
  --layout L           joint numbering given to the LLM and used by the Selector:
                       nturgb+d (25 joints), coco_new (20), uav (17); may be omitted for the
                       datasets nturgbd_60, nturgbd_120, finegym, k400, uav_human
  --dataset NAME       names the tensor files (default: the label file's base name)
  --prompts P          prompt wording: ntu, k400, finegym, uav (default from dataset or layout)

${LLM_HELP}

Example:
  OPENAI_API_KEY=... skagent agent init --labels my_actions.txt --layout coco_new --out text/my_actions \\
      --clip-vocab bpe_simple_vocab_16e6.txt.gz

Exit codes: 0 every class has a conversation; 1 some classes failed (re-run to retry them);
2 usage; 3 unreadable labels; 4 no API key.`;

export const agentInitCommand: Command = {
  path: ['agent', 'init'],
  summary: 'Run the five-round LLM dialogue per class; write conversations and critical-joint tensors',
  help: HELP,
  async run(args) {
    const { values } = parseArgs({
      args, allowPositionals: false, strict: true,
      options: { labels: { type: 'string' }, out: { type: 'string' }, layout: { type: 'string' }, dataset: { type: 'string' }, prompts: { type: 'string' }, ...LLM_OPTIONS },
    });
    const labelsPath = requireOption(values, 'labels');
    const outDir = requireOption(values, 'out');
    const dataset = datasetName(values, labelsPath);
    const layout = resolveLayout(values.layout, dataset);
    const family = resolvePrompts(values.prompts, dataset, layout);
    const classNames = asInputError(() => readLabelMap(labelsPath));
    const tokenizer = loadTokenizer(values['clip-vocab']);
    const llm = makeLlm(values);

    process.stderr.write(`[agent] ${classNames.length} classes, layout ${layout}, prompts '${family}', model ${llm.model} at ${llm.baseURL}\n`);
    const result = await runDialogues({ classNames, family, layout, outDir, llm, fitsContext: tokenizer && ((t) => tokenizer.fits(t)) });
    for (const f of result.failed) process.stderr.write(`[agent] class ${f.classIndex} '${classNames[f.classIndex]}': no file (round ${f.round}: ${f.reason})\n`);

    const store = new ConversationStore(classNames, outDir, outDir);
    if (result.failed.length > 0) {
      process.stdout.write(`${result.written.length} written, ${result.kept.length} already present, ${result.failed.length} failed; run again to retry the failed classes (critical-joint tensors are written once every class has a file)\n`);
      return ExitCode.failure;
    }
    const matrixDir = join(outDir, 'cls_matrix');
    writeCriticalJointFiles(matrixDir, dataset, layout, classNames.map((_, c) => store.read(c)));
    process.stdout.write(`${result.written.length} written, ${result.kept.length} already present; critical-joint tensors in ${matrixDir}\n`);
    return ExitCode.ok;
  },
};
