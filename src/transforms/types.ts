/**
 * The pipeline's vocabulary: a record (the original's `results` dict) flows through transforms.
 * Keys keep the original's names (`keypoint`, `total_frames`, ...); arrays are NdArrays.
 */
import { UserError } from '../errors.js';
import type { PipelineRng } from '../rng/index.js';

/** The mutable per-sample dict (`results`). Insertion order mirrors Python's dict order. */
export type PipelineRecord = Record<string, unknown>;

/** One configured operation. It may modify `record` in place and return it, or return a new one. */
export type TransformFn = (record: PipelineRecord, rng: PipelineRng) => PipelineRecord;

/** A problem with a sample (or an op's arguments) detected by an operation. */
export class TransformError extends UserError {
  constructor(readonly op: string, readonly problem: string) {
    super(`${op}: ${problem}`);
    this.name = 'TransformError';
  }
}
