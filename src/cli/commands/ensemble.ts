/** `skagent ensemble`: top-1 of score streams and of their weighted fusions (tools/ensemble.py). */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { loadLabels } from '../../data/pyskl.js';
import { ENSEMBLE_PRESETS, type EnsemblePreset, STREAM_NAMES, WEIGHT_GRID, fuseScores, presetById, searchWeights, streamsForCount } from '../../engine/ensemble.js';
import { type ScoreArray, topKAccuracy } from '../../engine/metrics.js';
import { readLabelsNpy, readScoresFile } from '../../engine/results.js';

const HELP = `skagent ensemble — accuracy of score streams and of their weighted fusion

Usage: skagent ensemble <scores>... --labels <file> [--split S] [--weights w1,w2,... | --preset jb|4s|6s] [--json]
       skagent ensemble <test scores>... --labels <file> --search-weights --val <scores> --val <scores>...
                        --val-labels <file> [--val-split S]

Each <scores> file holds one model's test scores: this project's scores.npy (float [samples, classes])
or the original's best_pred.pkl / result.pkl (a pickled list of per-sample vectors); the format is
told by content. Fusion is the original's (tools/ensemble.py, smp.comb): per sample, the weighted sum
of the stored probability vectors, in float32 like numpy; top-1 takes the last index of numpy's
argsort of each fused row.

Which fusions are reported:
  --weights w1,...   one fusion with these weights (one per score file, in the same order)
  --preset P         one of the published fusions; the files must then be given in stream order
  neither            with 2, 4 or 6 files, read as the streams below, every preset they allow,
                     like tools/ensemble.py; with one file, just its top-1
Stream order for 2 / 4 / 6 files:  j b  /  j b jm bm  /  j b k jm bm km
  (joint, bone, K-bone, joint-motion, bone-motion, K-bone-motion)
Presets:
${ENSEMBLE_PRESETS.map((p) => `  ${p.id.padEnd(3)} ${p.name.padEnd(4)} ${p.title.padEnd(11)} ${p.streams.map((s, i) => `${s}:${p.weights[i]}`).join(' ')}`).join('\n')}

Options:
  --labels F    ground truth in the score files' sample order: labels.npy (1-D integers), an
                annotation pickle or dataset store with --split (the original's load_label), or a
                text file whose lines end with the integer label
  --split S     split of the annotation file (e.g. xsub_val)
  --weights W   comma-separated numbers
  --preset P    jb, 4s or 6s
  --json        print one JSON object instead of the table

Weight search (--search-weights): chooses weights on validation scores, then reports them on the
test scores given as <scores>, so the test split never influences the choice:
  --val F       one validation score file per test stream, in the same order (repeat --val)
  --val-labels F, --val-split S   their ground truth, read like --labels / --split
  The search is coordinate ascent from equal weights over the grid ${WEIGHT_GRID.join(', ')} (each
  stream in turn, until no change raises validation top-1; ties keep the earlier weights).

Example (NTU-60 X-Sub, six models' best_pred.pkl, all three published fusions):
  skagent ensemble work_dirs/ntu60_xsub/{j,b,k,jm,bm,km}/best_pred.pkl \\
      --labels data/nturgbd/ntu60_3danno.pkl --split xsub_val

Exit codes: 0 ok, 2 usage error, 3 unreadable or mismatched files (sample or class counts).`;

interface Stream {
  readonly name: string;
  readonly file: string;
  readonly scores: ScoreArray;
}

interface Fusion {
  readonly name: string;
  /** Indices into the stream list, in summation order. */
  readonly members: readonly number[];
  readonly weights: readonly number[];
}

interface Plan {
  readonly streamNames: readonly string[];
  readonly fusions: readonly Fusion[];
}

function parseWeights(text: string, files: number): number[] {
  const weights = text.split(',').map((w) => w.trim());
  if (weights.some((w) => w === '' || !Number.isFinite(Number(w)))) {
    throw new UserError(`--weights expects comma-separated numbers, got '${text}'`, ExitCode.usage);
  }
  if (weights.length !== files) {
    throw new UserError(`--weights has ${weights.length} weights for ${files} score files`, ExitCode.usage);
  }
  return weights.map(Number);
}

function presetFusion(preset: EnsemblePreset, streamNames: readonly string[]): Fusion {
  return { name: preset.name, members: preset.streams.map((s) => streamNames.indexOf(s)), weights: preset.weights };
}

/** Decides, from the command line alone, what the streams are called and which fusions to report. */
function plan(files: number, weightsText: string | undefined, presetId: string | undefined): Plan {
  if (weightsText !== undefined && presetId !== undefined) throw new UserError('give --weights or --preset, not both', ExitCode.usage);
  if (weightsText !== undefined) {
    const weights = parseWeights(weightsText, files);
    const streamNames = Array.from({ length: files }, (_, i) => `#${i + 1}`);
    return { streamNames, fusions: [{ name: 'weighted', members: streamNames.map((_, i) => i), weights }] };
  }
  const canonical = streamsForCount(files);
  if (presetId !== undefined) {
    const preset = presetById(presetId);
    if (!preset) throw new UserError(`unknown --preset '${presetId}' (expected ${ENSEMBLE_PRESETS.map((p) => p.id).join(', ')})`, ExitCode.usage);
    if (!canonical || !preset.streams.every((s) => canonical.includes(s))) {
      throw new UserError(`--preset ${preset.id} needs the streams ${preset.streams.join(' ')}: give ${preset.streams.length} score files in that order (or 6 in the order ${STREAM_NAMES.join(' ')})`, ExitCode.usage);
    }
    return { streamNames: canonical, fusions: [presetFusion(preset, canonical)] };
  }
  if (files === 1) return { streamNames: ['#1'], fusions: [] };
  if (!canonical) {
    throw new UserError(`${files} score files: give --weights (the presets need 2, 4 or 6 files in the order ${STREAM_NAMES.join(' ')})`, ExitCode.usage);
  }
  const fusions = ENSEMBLE_PRESETS.filter((p) => p.streams.every((s) => canonical.includes(s))).map((p) => presetFusion(p, canonical));
  return { streamNames: canonical, fusions };
}

function searchPlan(files: number, val: string[] | undefined, valLabels: string | undefined): { files: string[]; labels: string } {
  if (!val || val.length === 0) throw new UserError('--search-weights needs validation scores: --val <file> once per test stream, in the same order', ExitCode.usage);
  if (val.length !== files) throw new UserError(`--search-weights: ${val.length} --val files for ${files} test score files (one per stream, same order)`, ExitCode.usage);
  if (valLabels === undefined) throw new UserError('--search-weights needs --val-labels', ExitCode.usage);
  return { files: val, labels: valLabels };
}

function readLabels(file: string, split: string | undefined): number[] {
  if (file.endsWith('.npy')) return readLabelsNpy(file);
  if (!file.endsWith('.txt') && split === undefined) {
    throw new UserError(`--split is required with the annotation file ${file} (e.g. --split xsub_val)`, ExitCode.usage);
  }
  try {
    return loadLabels(file, split);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof UserError || code === undefined) throw err;
    throw new UserError(`${file}: cannot read (${code})`);
  }
}

/** Every stream must have one row per label and the first stream's class count; labels must be classes. */
function checkConsistent(streams: readonly Stream[], labels: readonly number[], labelsFile: string): number {
  const classes = streams[0].scores.shape[1];
  for (const s of streams) {
    const [samples, c] = s.scores.shape;
    if (samples !== labels.length) throw new UserError(`${s.file}: ${samples} samples, but ${labelsFile} has ${labels.length} labels`);
    if (c !== classes) throw new UserError(`${s.file}: ${c} classes, but ${streams[0].file} has ${classes}`);
  }
  const bad = labels.findIndex((l) => !Number.isInteger(l) || l < 0 || l >= classes);
  if (bad >= 0) throw new UserError(`${labelsFile}: label ${labels[bad]} of sample ${bad} is not a class of the ${classes}-class scores`);
  return classes;
}

function top1(scores: ScoreArray, labels: readonly number[]): number {
  return topKAccuracy(scores, labels, [1])[0];
}

function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n');
}

function accuracyCell(acc: number, samples: number): string {
  return `${acc.toFixed(4)} (${Math.round(acc * samples)}/${samples})`;
}

export const ensembleCommand: Command = {
  path: ['ensemble'],
  summary: 'Top-1 of score files (scores.npy / best_pred.pkl) and of their weighted fusion',
  help: HELP,
  async run(args) {
    const { values, positionals: files } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: {
        labels: { type: 'string' }, split: { type: 'string' }, weights: { type: 'string' }, preset: { type: 'string' }, json: { type: 'boolean' },
        'search-weights': { type: 'boolean' }, val: { type: 'string', multiple: true }, 'val-labels': { type: 'string' }, 'val-split': { type: 'string' },
      },
    });
    if (files.length === 0) throw new UserError('no score files given', ExitCode.usage);
    if (values.labels === undefined) throw new UserError('missing --labels', ExitCode.usage);
    const { streamNames, fusions } = plan(files.length, values.weights, values.preset);
    const search = values['search-weights'] ? searchPlan(files.length, values.val, values['val-labels']) : null;
    if (!search && (values.val || values['val-labels'])) throw new UserError('--val and --val-labels go with --search-weights', ExitCode.usage);

    const labels = readLabels(values.labels, values.split);
    const streams: Stream[] = files.map((file, i) => ({ name: streamNames[i], file, scores: readScoresFile(file) }));
    const classes = checkConsistent(streams, labels, values.labels);

    const streamResults = streams.map((s) => ({ name: s.name, file: s.file, top1: top1(s.scores, labels) }));
    const fusionResults = fusions.map((f) => ({
      name: f.name,
      streams: f.members.map((m) => streams[m].name),
      weights: f.weights,
      top1: top1(fuseScores(f.members.map((m) => streams[m].scores), f.weights), labels),
    }));

    let searched: { weights: number[]; val_top1: number; top1: number; evaluated: number } | null = null;
    if (search) {
      const valLabels = readLabels(search.labels, values['val-split']);
      const valStreams: Stream[] = search.files.map((file, i) => ({ name: streamNames[i], file, scores: readScoresFile(file) }));
      const valClasses = checkConsistent(valStreams, valLabels, search.labels);
      if (valClasses !== classes) throw new UserError(`validation scores have ${valClasses} classes, test scores ${classes}`);
      const found = searchWeights(valStreams.map((s) => s.scores), (fused) => top1(fused, valLabels));
      searched = { weights: found.weights, val_top1: found.top1, top1: top1(fuseScores(streams.map((s) => s.scores), found.weights), labels), evaluated: found.evaluated };
    }

    if (values.json) {
      const doc = {
        num_samples: labels.length, num_classes: classes,
        labels: { file: values.labels, split: values.split ?? null },
        streams: streamResults, fusions: fusionResults,
        ...(searched ? { searched_weights: { ...searched, val_files: search!.files, val_labels: search!.labels } } : {}),
      };
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
      return ExitCode.ok;
    }
    const n = labels.length;
    const lines = [
      `labels: ${values.labels}${values.split ? ` (split ${values.split})` : ''}: ${n} samples; scores: ${classes} classes`,
      '',
      formatTable([['stream', 'top-1', 'file'], ...streamResults.map((s) => [s.name, accuracyCell(s.top1, n), s.file])]),
    ];
    if (fusionResults.length > 0) {
      lines.push('', formatTable([['fusion', 'top-1', 'weights'], ...fusionResults.map((f) => [
        f.name, accuracyCell(f.top1, n), f.streams.map((s, i) => `${s}:${f.weights[i]}`).join(' '),
      ])]));
    }
    if (searched) {
      lines.push('', `weights searched on ${search!.labels}${values['val-split'] ? ` [${values['val-split']}]` : ''} (${searched.evaluated} fusions tried): ` +
        `${streamNames.map((s, i) => `${s}:${searched!.weights[i]}`).join(' ')}`,
        `  validation top-1 ${searched.val_top1.toFixed(4)}; test top-1 with these weights ${accuracyCell(searched.top1, n)}`);
    }
    process.stdout.write(lines.join('\n') + '\n');
    return ExitCode.ok;
  },
};
