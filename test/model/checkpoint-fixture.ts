/**
 * The fixture checkpoints as a tensor state dict: `checkpoint.pth` is complete; the
 * `checkpoint_partial.pth` files hold only the tensors that differ from the base model, the rest
 * comes from the base checkpoint under `source_key` (fixtures README, "Models").
 */
import { readFileSync } from 'node:fs';
import { readPth, PthTensor } from '../../src/io/pth.js';
import { fromNdArray, keep, type Tensor } from '../../src/torch/index.js';
import { fixture } from '../fixtures.js';

function tensorsOf(path: string): Map<string, Tensor> {
  const value = readPth(path).value as { state_dict: Record<string, PthTensor> | Map<string, PthTensor> };
  const sd = value.state_dict;
  const entries = sd instanceof Map ? [...sd.entries()] : Object.entries(sd);
  return new Map(entries.map(([k, t]) => [k, keep(fromNdArray(t.array))]));
}

export function fixtureStateDict(config: string): Map<string, Tensor> {
  const manifest = JSON.parse(readFileSync(fixture('models', config, 'manifest.json'), 'utf8'));
  const own = tensorsOf(fixture(manifest.checkpoint.file));
  if (manifest.checkpoint.complete !== false) return own;
  const base = tensorsOf(fixture(manifest.checkpoint.base_checkpoint));
  const keys = JSON.parse(readFileSync(fixture('models', config, 'state_dict_keys.json'), 'utf8')) as { key: string; in_checkpoint: boolean; source?: string; source_key?: string }[];
  const out = new Map<string, Tensor>();
  for (const k of keys) {
    if (!k.in_checkpoint) continue;
    const t = k.source === 'base checkpoint' ? base.get(k.source_key!) : own.get(k.key);
    if (!t) throw new Error(`${config}: no tensor for ${k.key}`);
    out.set(k.key, t);
  }
  return out;
}
