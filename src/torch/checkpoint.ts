/**
 * Model checkpoints at the tensor level, in the layout mmcv's runner writes and reads:
 * `{'meta': dict, 'state_dict': OrderedDict[str, Tensor], 'optimizer': optimizer.state_dict()}`,
 * on top of the NdArray-level `.pth` reader/writer (io/pth.ts). A file holding a bare state dict
 * (`torch.save(model.state_dict())`) loads too, with no meta and no optimizer.
 *
 * `readCheckpointFile` stops at NdArrays and never needs libtorch (inspection tools use it);
 * `loadCheckpoint` turns the tensors into engine Tensors (dtype kept).
 */
import { readPth, writePth, PthTensor, type TorchDType } from '../io/pth.js';
import {
  PyFloat, isPyDict, markOrderedDict, pyAttributes, setPyAttribute, describePyValue,
  type PyDict, type PyValue,
} from '../io/pickle/index.js';
import { fromNdArray } from './creation.js';
import { noGrad } from './autograd.js';
import type { Tensor } from './tensor.js';
import type { SGDGroupState, SGDParamState, SGDStateDict } from './optim/sgd.js';

/** A checkpoint whose tensors are still NdArrays (`PthTensor`), as read from disk. */
export interface CheckpointFile {
  /** `state_dict`, in file order. */
  readonly stateDict: Map<string, PthTensor>;
  /** mmcv's `state_dict._metadata` (per-module versions), when present. */
  readonly stateDictMetadata: PyValue | undefined;
  /** `meta` as stored (null when absent). */
  readonly meta: PyValue;
  /** `optimizer` as stored (null when absent). */
  readonly optimizer: PyValue;
  /** The whole unpickled object. */
  readonly raw: PyValue;
}

/** A loaded checkpoint: tensors are engine Tensors the caller owns (dispose them after use). */
export interface Checkpoint {
  readonly stateDict: Map<string, Tensor>;
  readonly stateDictMetadata: PyValue | undefined;
  readonly meta: PyValue;
  /** The SGD state dict (PyTorch layout, momentum buffers as Tensors), or null when absent. */
  readonly optimizer: SGDStateDict | null;
  readonly raw: PyValue;
}

export interface SaveCheckpointInput {
  readonly meta?: PyValue;
  readonly stateDict: ReadonlyMap<string, Tensor>;
  readonly optimizer?: SGDStateDict | null;
  /** Written back as `state_dict._metadata` (e.g. from a loaded checkpoint). */
  readonly stateDictMetadata?: PyValue;
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

function entriesOf(dict: PyValue): [PyValue, PyValue][] | null {
  if (dict instanceof Map) return [...dict.entries()];
  if (isPyDict(dict)) return Object.entries(dict);
  return null;
}

function lookup(dict: PyValue, key: string): PyValue | undefined {
  if (dict instanceof Map) return dict.get(key);
  return isPyDict(dict) && Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : undefined;
}

function tensorMap(dict: PyValue, path: string, what: string): Map<string, PthTensor> {
  const entries = entriesOf(dict);
  if (!entries) throw new CheckpointError(`${path}: ${what} is a ${describePyValue(dict)}, expected a dict of tensors`);
  const out = new Map<string, PthTensor>();
  for (const [key, value] of entries) {
    if (typeof key !== 'string') throw new CheckpointError(`${path}: ${what} has a non-string key (${describePyValue(key)})`);
    if (!(value instanceof PthTensor)) throw new CheckpointError(`${path}: ${what}['${key}'] is a ${describePyValue(value)}, expected a tensor`);
    out.set(key, value);
  }
  return out;
}

/** Reads a checkpoint without libtorch; errors name the file and what was expected. */
export function readCheckpointFile(path: string): CheckpointFile {
  const raw = readPth(path).value;
  const entries = entriesOf(raw);
  if (!entries) throw new CheckpointError(`${path}: not a model checkpoint: the saved object is a ${describePyValue(raw)}, expected a dict`);
  const stateDictValue = lookup(raw, 'state_dict');
  if (stateDictValue !== undefined) {
    return {
      stateDict: tensorMap(stateDictValue, path, "'state_dict'"),
      stateDictMetadata: metadataOf(stateDictValue),
      meta: lookup(raw, 'meta') ?? null,
      optimizer: lookup(raw, 'optimizer') ?? null,
      raw,
    };
  }
  if (entries.length > 0 && entries.every(([, v]) => v instanceof PthTensor)) {
    return { stateDict: tensorMap(raw, path, 'the state dict'), stateDictMetadata: metadataOf(raw), meta: null, optimizer: null, raw };
  }
  const keys = entries.slice(0, 8).map(([k]) => String(k)).join(', ');
  throw new CheckpointError(`${path}: not a model checkpoint: expected a dict with 'state_dict' (mmcv layout) or a dict of tensors; found keys ${keys || '(none)'}`);
}

function metadataOf(dict: PyValue): PyValue | undefined {
  return dict !== null && typeof dict === 'object' ? pyAttributes(dict)?._metadata : undefined;
}

/** An engine tensor with the checkpoint tensor's dtype and values. */
function toTensor(t: PthTensor): Tensor {
  if (t.dtype !== 'bfloat16') return fromNdArray(t.array);
  const wide = fromNdArray(t.array); // bfloat16 arrives widened to float32, exactly
  try { return wide.to('bfloat16'); } finally { wide.dispose(); }
}

/** The NdArray (and torch dtype) holding a tensor's values, for writing. */
function toPthTensor(t: Tensor): PthTensor {
  if (t.dtype === 'bfloat16') {
    const wide = noGrad(() => t.to('float32'));
    try { return new PthTensor(wide.toNdArray(), { dtype: 'bfloat16' as TorchDType }); } finally { wide.dispose(); }
  }
  return new PthTensor(t.toNdArray());
}

/** Loads a checkpoint; every tensor (state dict and momentum buffers) is a new Tensor. */
export function loadCheckpoint(path: string): Checkpoint {
  const file = readCheckpointFile(path);
  const created: Tensor[] = [];
  const make = (t: PthTensor): Tensor => { const x = toTensor(t); created.push(x); return x; };
  try {
    const stateDict = new Map([...file.stateDict].map(([k, t]): [string, Tensor] => [k, make(t)]));
    const optimizer = file.optimizer === null ? null : parseSgdState(file.optimizer, path, make);
    return { stateDict, stateDictMetadata: file.stateDictMetadata, meta: file.meta, optimizer, raw: file.raw };
  } catch (err) {
    for (const t of created) t.dispose();
    throw err;
  }
}

const GROUP_NUMBERS = ['lr', 'momentum', 'dampening', 'weight_decay'] as const;
const GROUP_BOOLEANS = ['nesterov'] as const;

/** PyTorch's `optimizer.state_dict()` of an SGD optimizer, validated field by field. */
function parseSgdState(value: PyValue, path: string, make: (t: PthTensor) => Tensor): SGDStateDict {
  const what = `${path}: 'optimizer'`;
  const stateValue = lookup(value, 'state');
  const groupsValue = lookup(value, 'param_groups');
  const stateEntries = stateValue === undefined ? null : entriesOf(stateValue);
  if (!stateEntries || !Array.isArray(groupsValue)) {
    throw new CheckpointError(`${what} is not an optimizer state dict (expected 'state' dict and 'param_groups' list)`);
  }
  const param_groups = groupsValue.map((g, i): SGDGroupState => {
    const field = (name: string) => lookup(g, name);
    for (const name of GROUP_NUMBERS) {
      if (typeof field(name) !== 'number') throw new CheckpointError(`${what}: param_groups[${i}].${name} is ${describePyValue(field(name))}, expected a number (an SGD state dict)`);
    }
    for (const name of GROUP_BOOLEANS) {
      if (typeof field(name) !== 'boolean') throw new CheckpointError(`${what}: param_groups[${i}].${name} is ${describePyValue(field(name))}, expected a bool`);
    }
    const params = field('params');
    if (!Array.isArray(params) || !params.every((p) => typeof p === 'number' && Number.isInteger(p))) {
      throw new CheckpointError(`${what}: param_groups[${i}].params must be a list of ints`);
    }
    const initialLr = field('initial_lr');
    return {
      lr: field('lr') as number, momentum: field('momentum') as number, dampening: field('dampening') as number,
      weight_decay: field('weight_decay') as number, nesterov: field('nesterov') as boolean,
      maximize: field('maximize') === true, foreach: (field('foreach') ?? null) as boolean | null,
      differentiable: field('differentiable') === true,
      ...(typeof initialLr === 'number' ? { initial_lr: initialLr } : {}),
      params: params as number[],
    };
  });
  const state = new Map<number, SGDParamState>();
  for (const [key, entry] of stateEntries) {
    if (typeof key !== 'number') throw new CheckpointError(`${what}: state key ${describePyValue(key)} is not a parameter index`);
    const buf = lookup(entry, 'momentum_buffer');
    if (buf === undefined || !(buf === null || buf instanceof PthTensor)) {
      throw new CheckpointError(`${what}: state[${key}].momentum_buffer is ${describePyValue(buf)}, expected a tensor or None`);
    }
    state.set(key, { momentum_buffer: buf === null ? null : make(buf) });
  }
  return { state, param_groups };
}

/** Python floats for the hyperparameters PyTorch and mmcv hold as floats (an integral 1 stays 1.0). */
const FLOAT_GROUP_FIELDS = new Set(['lr', 'initial_lr', 'momentum', 'weight_decay']);

function sgdStateToPy(sd: SGDStateDict): PyDict {
  const state = new Map<PyValue, PyValue>();
  for (const [index, entry] of sd.state) {
    state.set(index, dict({ momentum_buffer: entry.momentum_buffer === null ? null : toPthTensor(entry.momentum_buffer) }));
  }
  const param_groups = sd.param_groups.map((g) => dict(Object.fromEntries(Object.entries(g).map(([k, v]): [string, PyValue] => [
    k, FLOAT_GROUP_FIELDS.has(k) ? new PyFloat(v as number) : Array.isArray(v) ? [...v] : (v as PyValue),
  ]))));
  return dict({ state, param_groups });
}

function dict(entries: Record<string, PyValue>): PyDict {
  return Object.assign(Object.create(null) as PyDict, entries);
}

/**
 * Writes `{'meta', 'state_dict', 'optimizer'}` as torch.save does (zip format, pickle protocol 2),
 * atomically: a crash leaves the previous file or the new one. `state_dict` is an OrderedDict in
 * the map's order; `meta` defaults to an empty dict and `optimizer` to None, as mmcv writes them.
 */
export function saveCheckpoint(path: string, input: SaveCheckpointInput): void {
  const stateDict = markOrderedDict(new Map<PyValue, PyValue>());
  for (const [key, t] of input.stateDict) stateDict.set(key, toPthTensor(t));
  if (input.stateDictMetadata !== undefined) setPyAttribute(stateDict, '_metadata', input.stateDictMetadata);
  writePth(path, dict({
    meta: input.meta ?? dict({}),
    state_dict: stateDict,
    optimizer: input.optimizer ? sgdStateToPy(input.optimizer) : null,
  }));
}
