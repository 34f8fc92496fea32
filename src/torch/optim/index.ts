/** Optimisation: SGD, the cosine learning-rate schedule, gradient clipping. */
export { SGD, type SGDOptions, type SGDParamGroup, type SGDParamState, type SGDGroupState, type SGDStateDict } from './sgd.js';
export { cosineAnnealingLr, iterationsPerEpoch, CosineAnnealingScheduler, type ScheduledOptimizer } from './schedule.js';
export { clipGradNorm } from './clip-grad.js';
export { paramTensors, type ParamEntry, type ParamSource } from './params.js';
