/** Data pipelines: the original's pipeline operations over records of NdArrays. */
export { compose, type Pipeline, type PipelineStep } from './compose.js';
export { OPS, SAMPLING_OPS } from './registry.js';
export { type PipelineRecord, type TransformFn, TransformError } from './types.js';
export { decodeIndices, frameIndices, type SamplingOptions } from './ops/sampling.js';
