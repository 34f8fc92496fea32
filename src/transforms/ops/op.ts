/** The definition of a pipeline operation: its argument schema and a factory. */
import type { Schema } from '../../schema.js';
import type { TransformFn } from '../types.js';

export interface OpDefinition<A = unknown> {
  /** Arguments as the config writes them (without `type`), defaults filled in by the schema. */
  readonly args: Schema<A>;
  readonly create: (args: A) => TransformFn;
}

/** Keeps the args type of a definition while storing it in a heterogeneous table. */
export function defineOp<A>(def: OpDefinition<A>): OpDefinition<unknown> {
  return def as OpDefinition<unknown>;
}
