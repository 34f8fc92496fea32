/** `skagent checkpoint inspect`: the tensors and metadata of a .pth checkpoint (no libtorch needed). */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { readCheckpointFile, type CheckpointFile } from '../../torch/checkpoint.js';
import { PthTensor } from '../../io/pth.js';
import { fromHalf } from '../../io/float16.js';
import { PyFloat, PyGlobal, PyInstance, PyObject, isPyDict, type PyValue } from '../../io/pickle/index.js';
import { isNdArray } from '../../io/ndarray.js';

const HELP = `skagent checkpoint inspect — list the tensors and metadata of a checkpoint

Usage: skagent checkpoint inspect <file.pth> [--json]

<file.pth> is a torch.save checkpoint: mmcv's {'meta', 'state_dict', 'optimizer'} layout (what the
original training and 'skagent train' write) or a bare state dict. Prints every state-dict tensor
with its dtype and shape, the element counts, the optimizer's parameter group and the meta fields.
Nothing is executed: pickle globals outside an allow-list are refused.

Options:
  --json   {"tensors": {"<key>": {"shape": [...], "dtype": "float32"}, ...}, "meta": {...}};
           meta values that JSON cannot hold are spelled out (NaN as "nan", big ints as strings,
           arrays as {"ndarray": {"dtype", "shape"}}, tensors as {"tensor": {...}})

Exit codes: 0 ok, 2 usage error, 3 unreadable or malformed file.`;

/** BatchNorm statistics: saved with the weights but not trained. */
const BN_STATISTICS = /(^|\.)(running_mean|running_var|num_batches_tracked)$/;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A Python value as JSON, without losing information silently. */
export function jsonSafe(value: PyValue | undefined): unknown {
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'string') return value ?? null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof PyFloat) return jsonSafe(value.value);
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value) || value instanceof Set) return [...value].map(jsonSafe);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(jsonSafe(k)), jsonSafe(v)]));
  if (value instanceof PthTensor) return { tensor: { dtype: value.dtype, shape: [...value.array.shape] } };
  if (value instanceof PyGlobal) return { global: value.pyClass };
  if (value instanceof PyObject) return { object: value.pyClass, args: jsonSafe(value.args) };
  if (value instanceof PyInstance) return { object: value.pyClass };
  if (isNdArray(value)) {
    if (value.shape.length > 0) return { ndarray: { dtype: value.dtype, shape: [...value.shape] } };
    const v = value.data[0];
    return jsonSafe(value.dtype === 'float16' ? fromHalf(v as number) : value.dtype === 'bool' ? v === 1 : (v as number | bigint));
  }
  if (isPyDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return String(value);
}

function toJson(ck: CheckpointFile): string {
  const tensors = Object.fromEntries([...ck.stateDict].map(([k, t]) => [k, { shape: [...t.array.shape], dtype: t.dtype }]));
  return `${JSON.stringify({ tensors, meta: jsonSafe(ck.meta) }, null, 2)}\n`;
}

/** One line per meta field; long texts (the config) are summarised. */
function metaLines(meta: PyValue): string[] {
  const json = jsonSafe(meta);
  if (json === null) return ['meta: none'];
  if (typeof json !== 'object' || Array.isArray(json)) return [`meta: ${JSON.stringify(json)}`];
  return ['meta:', ...Object.entries(json as Record<string, unknown>).map(([k, v]) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    const lines = text.split('\n');
    const shown = lines[0].length > 100 ? `${lines[0].slice(0, 100)}…` : lines[0];
    return `  ${k}: ${shown}${lines.length > 1 ? ` … (${lines.length} lines)` : ''}`;
  })];
}

function optimizerLines(optimizer: PyValue): string[] {
  const opt = jsonSafe(optimizer) as { state?: Record<string, unknown>; param_groups?: Record<string, unknown>[] } | null;
  if (opt === null) return ['optimizer: none'];
  if (!Array.isArray(opt.param_groups)) return ['optimizer: (not a torch optimizer state dict)'];
  return opt.param_groups.map((g, i) => {
    const settings = Object.entries(g).filter(([k]) => k !== 'params').map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
    const params = Array.isArray(g.params) ? g.params.length : '?';
    return `optimizer group ${i}: ${params} parameters, ${settings}; state for ${Object.keys(opt.state ?? {}).length} parameters`;
  });
}

function toTable(ck: CheckpointFile): string {
  const rows = [...ck.stateDict].map(([key, t]) => [key, t.dtype, `[${t.array.shape.join(', ')}]`, numel(t.array.shape).toLocaleString('en-US')]);
  const header = ['key', 'dtype', 'shape', 'elements'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const total = [...ck.stateDict.values()].reduce((n, t) => n + numel(t.array.shape), 0);
  const statistics = [...ck.stateDict].reduce((n, [k, t]) => n + (BN_STATISTICS.test(k) ? numel(t.array.shape) : 0), 0);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `${ck.stateDict.size} tensors, ${total.toLocaleString('en-US')} elements in total: ` +
      `${(total - statistics).toLocaleString('en-US')} parameters and other tensors, ` +
      `${statistics.toLocaleString('en-US')} in BatchNorm running statistics and counters`,
    ...optimizerLines(ck.optimizer),
    ...metaLines(ck.meta),
  ].join('\n') + '\n';
}

export const checkpointInspectCommand: Command = {
  path: ['checkpoint', 'inspect'],
  summary: 'List the tensors (key, dtype, shape) and metadata of a .pth checkpoint',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: 'boolean' } } });
    if (positionals.length !== 1) {
      throw new UserError(`expected one checkpoint file, got ${positionals.length} arguments. Run 'skagent checkpoint inspect --help'.`, ExitCode.usage);
    }
    let ck: CheckpointFile;
    try {
      ck = readCheckpointFile(positionals[0]);
    } catch (err) {
      throw new UserError((err as Error).message, ExitCode.badInput);
    }
    process.stdout.write(values.json ? toJson(ck) : toTable(ck));
    return ExitCode.ok;
  },
};
