/**
 * Builds a pipeline from a config's op list (`[{type: 'PreNormalize3D', align_spine: false}, ...]`).
 * Every argument is validated up front; errors name the list position, the op and the argument.
 */
import { SchemaError, isPlainObject, show } from '../schema.js';
import { OPS } from './registry.js';
import type { PipelineRng } from '../rng/index.js';
import { type PipelineRecord, type TransformFn, TransformError } from './types.js';

export interface PipelineStep {
  /** The op's `type`. */
  readonly name: string;
  /** The op's config entry as given (including `type`). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly apply: TransformFn;
}

export interface Pipeline {
  readonly steps: readonly PipelineStep[];
  /** Runs every step in order; the record may be modified in place. */
  run(record: PipelineRecord, rng: PipelineRng): PipelineRecord;
}

export function compose(opsConfig: readonly unknown[], where = 'pipeline'): Pipeline {
  if (!Array.isArray(opsConfig)) throw new SchemaError(where, `expected a list of operations, got ${show(opsConfig)}`);
  const steps = opsConfig.map((entry, i): PipelineStep => {
    const at = `${where}[${i}]`;
    if (!isPlainObject(entry) || typeof entry.type !== 'string') throw new SchemaError(at, `expected an operation {type: ..., ...}, got ${show(entry)}`);
    const { type, ...args } = entry;
    const def = OPS[type];
    if (!def) throw new SchemaError(`${at}.type`, `unknown operation '${type}' (known: ${Object.keys(OPS).join(', ')})`);
    const parsed = def.args.parse(args, `${at}(${type})`);
    let apply: TransformFn;
    try {
      apply = def.create(parsed);
    } catch (err) {
      if (err instanceof TransformError) throw new SchemaError(`${at}(${type})`, err.problem);
      throw err;
    }
    return { name: type, config: entry, apply };
  });
  return {
    steps,
    run(record, rng) {
      let rec = record;
      for (const step of steps) rec = step.apply(rec, rng);
      return rec;
    },
  };
}
