/**
 * Loading configs by name (`ntu60_xsub/j`, as the original's `configs/ntu60_xsub/j.py`) or by
 * path, with full validation: the schema (unknown keys and wrong types are errors naming the key
 * path), every pipeline op and its arguments, and cross-field consistency.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compose } from '../transforms/compose.js';
import { type Config, type DatasetConfig, type OpConfig, type RawConfig, configSchema } from './config-schema.js';
import { SchemaError } from '../schema.js';

/** The shipped `configs/` folder (found upwards from this module, in src/ or dist/src/). */
export const CONFIG_DIR: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'configs')) && existsSync(join(dir, 'package.json'))) return join(dir, 'configs');
    dir = dirname(dir);
  }
  return resolve('configs');
})();

/** Names of all shipped configs (`ntu60_xsub/j`, ..., `quick/j`), sorted. */
export function listConfigs(): string[] {
  if (!existsSync(CONFIG_DIR)) return [];
  const names: string[] = [];
  for (const group of readdirSync(CONFIG_DIR, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const f of readdirSync(join(CONFIG_DIR, group.name))) {
      if (f.endsWith('.json')) names.push(`${group.name}/${f.slice(0, -'.json'.length)}`);
    }
  }
  return names.sort();
}

/**
 * The file for a config name or path: an existing path is used as is; a name such as
 * `ntu60_xsub/j`, `ntu60_xsub/j.py` or `configs/ntu60_xsub/j.py` maps to `configs/ntu60_xsub/j.json`.
 */
export function configPath(nameOrPath: string): string {
  if (nameOrPath.endsWith('.json') && existsSync(nameOrPath)) return resolve(nameOrPath);
  const name = nameOrPath.replace(/^configs[\\/]/, '').replace(/\.(py|json)$/, '');
  const path = join(CONFIG_DIR, `${name}.json`);
  if (existsSync(path)) return path;
  const known = listConfigs();
  throw new SchemaError(nameOrPath, `no such config (expected a .json file or one of: ${known.join(', ')})`);
}

export function loadConfig(nameOrPath: string): Config {
  const path = configPath(nameOrPath);
  const shown = path.startsWith(CONFIG_DIR + sep) ? `configs/${relative(CONFIG_DIR, path).split(sep).join('/')}` : path;
  return parseConfigText(readFileSync(path, 'utf8'), shown);
}

/** A config file's text → Config; `source` names the file in errors. */
export function parseConfigText(text: string, source: string): Config {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SchemaError(source, `not valid JSON (${(err as Error).message})`);
  }
  return parseConfig(value, source);
}

/** Validates a config value; `source` prefixes every error path. */
export function parseConfig(value: unknown, source: string): Config {
  const raw = configSchema.parse(value, source);
  const resolveDataset = (which: 'train' | 'val' | 'test'): DatasetConfig => {
    const d = raw.data[which];
    const pipeline = typeof d.pipeline === 'string' ? raw[d.pipeline] : d.pipeline;
    return { ...d, pipeline: pipeline as OpConfig[] };
  };
  const config: Config = { ...raw, data: { ...raw.data, train: resolveDataset('train'), val: resolveDataset('val'), test: resolveDataset('test') } };
  for (const key of ['train_pipeline', 'val_pipeline', 'test_pipeline'] as const) compose(config[key], `${source}: ${key}`);
  for (const which of ['train', 'val', 'test'] as const) compose(config.data[which].pipeline, `${source}: data.${which}.pipeline`);
  checkConsistency(raw, source);
  return config;
}

/**
 * The cross-field rules of a config (class counts, modality, recognizer/head pairing). parseConfig
 * applies them; buildModel applies them again because programs may edit a loaded config.
 */
export function checkConsistency(cfg: Pick<RawConfig, 'model' | 'modality'>, source: string): void {
  const { backbone, cls_head: head } = cfg.model;
  if (backbone.num_classes !== head.num_classes) {
    throw new SchemaError(`${source}: model.cls_head.num_classes`, `${head.num_classes} differs from model.backbone.num_classes ${backbone.num_classes}`);
  }
  if (backbone.llm_modality !== cfg.modality) {
    throw new SchemaError(`${source}: model.backbone.llm_modality`, `'${backbone.llm_modality}' differs from modality '${cfg.modality}'`);
  }
  if (cfg.model.type === 'RecognizerGCN_Semi' !== (head.type === 'SimpleHead_Semi')) {
    throw new SchemaError(`${source}: model.cls_head.type`, `${head.type} does not go with recognizer ${cfg.model.type}`);
  }
}

/**
 * The "semi" variant each original config carries commented out: `RecognizerGCN_Semi` with
 * `SimpleHead_Semi` (no Questioner, no LLM endpoint needed); everything else unchanged.
 */
export function semiVariant(config: Config): Config {
  return {
    ...config,
    model: { ...config.model, type: 'RecognizerGCN_Semi', cls_head: { ...config.model.cls_head, type: 'SimpleHead_Semi' } },
  };
}
