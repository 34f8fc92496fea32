/** The tensor engine's public surface: `import * as torch from './torch/index.js'`. */
export { Tensor, callT, callTs, type Scalar, type TensorOrScalar, type Device, type MemoryFormat } from './tensor.js';
export * from './creation.js';
export * as F from './functional.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd.js';
export { tidy, keep, memoryStats } from './scope.js';
export { manualSeed, setNumThreads, getNumThreads, torchVersion, cuda, resolveDevice, cpuCacheStats, emptyCpuCache } from './runtime.js';
export { op, opSchema, type OpRef } from './ops.js';
export { type DType, isFloating } from './dtype.js';
export { torchAvailable, TorchUnavailableError, type CpuCacheStats } from './native.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export { loadCheckpoint, saveCheckpoint, readCheckpointFile, type Checkpoint } from './checkpoint.js';
export { profileOps, formatProfile, type Profile, type OpProfileRow } from './profiler.js';
export * as distributed from './distributed.js';
