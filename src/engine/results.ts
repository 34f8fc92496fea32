/**
 * A test run's outputs on disk, and readers for score files (ours and the original's).
 *
 *   <dir>/scores.npy      float32 [samples, classes], clip-averaged scores in dataset order
 *   <dir>/labels.npy      int64 [samples], ground truth in the same order
 *   <dir>/best_pred.pkl   tools/test.py's `--out` dump: a protocol-2 pickle of a list of
 *                         float32 (classes,) arrays, what mmcv.dump writes and tools/ensemble.py reads
 *   <dir>/metrics.json    top-1/top-5, mean class accuracy, confusion matrix, run description
 *
 * Every file is written atomically, and metrics.json last: its presence means the run is complete.
 */
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { type NdArray, ndarray } from '../io/ndarray.js';
import { readNpy, writeNpy } from '../io/npy.js';
import { ANNOTATION_GLOBALS, PickleError, dumpPickleFile, loadPickleFile } from '../io/pickle/index.js';
import { isNdArray } from '../io/ndarray.js';
import { type Evaluation, type ScoreArray, evaluateScores, scoreShape } from './metrics.js';

export const RESULT_FILES = {
  scores: 'scores.npy',
  labels: 'labels.npy',
  predictions: 'best_pred.pkl',
  metrics: 'metrics.json',
} as const;

/** What produced the scores; written into metrics.json as given (absent fields are left out). */
export interface TestRunInfo {
  readonly config?: string;
  readonly checkpoint?: string;
  readonly annotations?: string;
  readonly split?: string;
  /** Clips per sample (10 in the original's test mode, 1 in validation). */
  readonly numClips?: number;
  /** How clips were averaged: softmax probabilities ('prob', the default) or raw logits ('score'). */
  readonly averageClips?: 'prob' | 'score';
}

export interface TestResults {
  readonly scores: NdArray<'float32'>;
  readonly labels: ArrayLike<number>;
  readonly info?: TestRunInfo;
}

export interface WriteResultsOptions {
  /** Name of the original-format dump (default best_pred.pkl; the original also writes last_pred.pkl, result.pkl). */
  readonly predictionsFile?: string;
}

export interface WrittenResults {
  /** Paths of the files written, by role. */
  readonly files: Record<keyof typeof RESULT_FILES, string>;
  readonly evaluation: Evaluation;
}

/** Writes the four result files into `dir` (created if needed) and returns the metrics. */
export function writeTestResults(dir: string, results: TestResults, options: WriteResultsOptions = {}): WrittenResults {
  const { scores, labels, info = {} } = results;
  const evaluation = evaluateScores(scores, labels);
  mkdirSync(dir, { recursive: true });
  const files = {
    scores: join(dir, RESULT_FILES.scores),
    labels: join(dir, RESULT_FILES.labels),
    predictions: join(dir, options.predictionsFile ?? RESULT_FILES.predictions),
    metrics: join(dir, RESULT_FILES.metrics),
  };
  writeNpy(files.scores, scores);
  writeNpy(files.labels, ndarray('int64', [labels.length], BigInt64Array.from(Array.from(labels, BigInt))));
  writePredictionsPickle(files.predictions, scores);
  writeFileAtomic(files.metrics, formatJson(metricsDocument(evaluation, info)) + '\n');
  return { files, evaluation };
}

/** metrics.json: summary numbers first, the run description, the confusion matrix last. */
function metricsDocument(e: Evaluation, info: TestRunInfo): Record<string, unknown> {
  return {
    top1: e.top1,
    top5: e.top5,
    mean_class_accuracy: e.meanClassAccuracy,
    num_samples: e.numSamples,
    num_classes: e.numClasses,
    config: info.config,
    checkpoint: info.checkpoint,
    annotations: info.annotations,
    split: info.split,
    num_clips: info.numClips,
    average_clips: info.averageClips,
    confusion_matrix_axes: '[true class][predicted class (argmax)]',
    confusion_matrix: e.confusionMatrix,
  };
}

/** JSON with two-space indentation, except that arrays of numbers stay on one line (matrix rows). */
function formatJson(value: unknown, indent = ''): string {
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return JSON.stringify(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** The original's dump: a protocol-2 pickle of a Python list with one (classes,) array per sample. */
export function writePredictionsPickle(path: string, scores: ScoreArray): void {
  const { samples, classes } = scoreShape(scores);
  const rows: NdArray[] = [];
  for (let i = 0; i < samples; i++) {
    rows.push({ dtype: scores.dtype, shape: [classes], data: scores.data.slice(i * classes, (i + 1) * classes) } as NdArray);
  }
  dumpPickleFile(path, rows, { protocol: 2 });
}

/** Reads an original-format dump (list of per-sample score vectors) as [samples, classes]. */
export function readPredictionsPickle(path: string): ScoreArray {
  let value: unknown;
  try {
    value = loadPickleFile(path, { globals: ANNOTATION_GLOBALS });
  } catch (err) {
    if (err instanceof PickleError) throw new UserError(`${err.message}: not a readable pickle of per-sample scores`);
    if ((err as NodeJS.ErrnoException).code !== undefined) throw new UserError(describeReadError(path, err));
    throw err;
  }
  if (!Array.isArray(value)) throw new UserError(`${path}: expected a list of per-sample score arrays (best_pred.pkl format)`);
  if (value.length === 0) throw new UserError(`${path}: the list of per-sample scores is empty`);
  const first = value[0] as unknown;
  if (!isScoreVector(first)) throw new UserError(`${path}: sample 0 is not a 1-D float32/float64 numpy array`);
  const classes = first.shape[0];
  const out = first.dtype === 'float32' ? new Float32Array(value.length * classes) : new Float64Array(value.length * classes);
  value.forEach((v: unknown, i) => {
    if (!isScoreVector(v) || v.dtype !== first.dtype || v.shape[0] !== classes) {
      throw new UserError(`${path}: sample ${i} is not a ${first.dtype} array of shape (${classes},) like sample 0`);
    }
    out.set(v.data, i * classes);
  });
  return { dtype: first.dtype, shape: [value.length, classes], data: out } as ScoreArray;
}

function isScoreVector(v: unknown): v is ScoreArray {
  return isNdArray(v) && (v.dtype === 'float32' || v.dtype === 'float64') && v.shape.length === 1;
}

/** Reads a 2-D float32/float64 .npy score matrix. */
export function readScoresNpy(path: string): ScoreArray {
  const arr = readNpyOrFail(path);
  if ((arr.dtype !== 'float32' && arr.dtype !== 'float64') || arr.shape.length !== 2) {
    throw new UserError(`${path}: expected a 2-D float32/float64 array [samples, classes], got ${arr.dtype} [${arr.shape.join(', ')}]`);
  }
  return arr as ScoreArray;
}

/** Reads 1-D integer labels from a .npy file (labels.npy). */
export function readLabelsNpy(path: string): number[] {
  const arr = readNpyOrFail(path);
  if (!/^u?int(8|16|32|64)$/.test(arr.dtype) || arr.shape.length !== 1) {
    throw new UserError(`${path}: expected 1-D integer labels, got ${arr.dtype} [${arr.shape.join(', ')}]`);
  }
  return Array.from(arr.data as ArrayLike<number | bigint>, Number);
}

function readNpyOrFail(path: string): NdArray {
  try {
    return readNpy(path);
  } catch (err) {
    throw new UserError(describeReadError(path, err));
  }
}

function describeReadError(path: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return `${path}: no such file`;
  if (e.code !== undefined) return `${path}: cannot read (${e.code})`;
  return e.message.startsWith(path) ? e.message : `${path}: ${e.message}`;
}

const NPY_MAGIC = '\x93NUMPY';
/** PROTO opcode: every pickle of protocol 2 or later starts with it. */
const PICKLE_PROTO = 0x80;

/** Reads a score matrix from this project's scores.npy or the original's best_pred.pkl, by content. */
export function readScoresFile(path: string): ScoreArray {
  const head = readHead(path, NPY_MAGIC.length);
  if (head.length === NPY_MAGIC.length && String.fromCharCode(...head) === NPY_MAGIC) return readScoresNpy(path);
  if (head[0] === PICKLE_PROTO) return readPredictionsPickle(path);
  throw new UserError(`${path}: neither a .npy file nor a pickle (protocol ≥ 2) of per-sample scores`);
}

function readHead(path: string, n: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new UserError(describeReadError(path, err));
  }
  try {
    const buf = new Uint8Array(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } catch (err) {
    throw new UserError(describeReadError(path, err));
  } finally {
    closeSync(fd);
  }
}
