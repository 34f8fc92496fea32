/**
 * The package's public surface: `import { ... } from 'skeletonagent'`. What a program needs to
 * do what the CLI does: configs, datasets, setting up a run, training, testing, metrics and
 * ensembles, the pipelines, and the tensor layer underneath. Everything else is internal and
 * may change. Importing this module does not load libtorch; the first tensor operation does.
 */

// Configs: the paper's 48 configurations (configs/) and JSON files of the same schema.
export { listConfigs, loadConfig, parseConfig, semiVariant } from './config/index.js';
export type { Config } from './config/index.js';

// Errors meant for the user (message as is) and the exit codes the CLI maps them to.
export { UserError, ExitCode } from './errors.js';

// Data: PYSKL annotation pickles, dataset stores, synthetic data.
export {
  PoseDataset, DataError, convertToStore, inspectDataset, loadLabels, loadSplit, openAnnotations, readAnnotationPickle,
  writeAnnotationPickle, writeSynthetic, SYNTH_CLASS_NAMES,
} from './data/index.js';
export type { Annotation, AnnotationFile, PoseDatasetOptions, PoseRecord, SynthOptions } from './data/index.js';

// Pipelines: a config's data.<split>.pipeline as a function of a record.
export { compose } from './transforms/index.js';
export { createPipelineRng } from './rng/index.js';
export type { Pipeline } from './transforms/index.js';

// Models.
export { buildModel, loadModelFromCheckpoint } from './engine/build.js';
export type { Recognizer } from './model/recognizer.js';

// Runs: one setup for every entry point, then training, testing, evaluation.
export { setUpRun, applyRuntime, buildSemantics, checkAgentMode } from './engine/run-setup.js';
export type { RunSetup, RunSetupOptions, Runtime, RuntimeOptions, SemanticsOptions, AgentMode } from './engine/run-setup.js';
export type { Semantics } from './engine/semantics.js';
export { train } from './engine/trainer.js';
export type { TrainOptions, TrainResult } from './engine/trainer.js';
export { runTest, withTestClips } from './engine/tester.js';
export type { TestOptions } from './engine/tester.js';
export { evaluate } from './engine/evaluation.js';
export { BatchLoader } from './engine/loader.js';
export type { Batch, LoaderOptions } from './engine/loader.js';
export { RunLogger } from './engine/logger.js';

// Scores: metrics, ensembles, result files.
export { evaluateScores, topKAccuracy, meanClassAccuracy, confusionMatrix } from './engine/metrics.js';
export type { Evaluation, ScoreArray } from './engine/metrics.js';
export { fuseScores, searchWeights } from './engine/ensemble.js';
export { readScoresFile, readScoresNpy, readLabelsNpy, writeTestResults } from './engine/results.js';

// Files: .npy arrays and PyTorch checkpoints.
export { readNpy, writeNpy } from './io/npy.js';
export type { NdArray } from './io/ndarray.js';
export { loadCheckpoint, saveCheckpoint } from './torch/checkpoint.js';

// Text encoders for the alignment loss.
export { createTextEncoder, TEXT_ENCODER_KINDS } from './text/encoder-factory.js';
export type { TextEncoder } from './text/encoder.js';

// The tensor layer (libtorch through the bridge): tensors, nn, autograd, devices.
export * as torch from './torch/index.js';
