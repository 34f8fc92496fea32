/** `skeletonagent/live`: pose formats, mapping onto a model's layout, resampling, PoseStream and the camera's pose estimator (browser-safe). */
export * from './pose-formats.js';
export * from './poses.js';
export * from './resample.js';
export * from './stream.js';
export * from './recognize.js';
export * from './pose-model.js';
export * from './pose-image.js';
export { decodePose, type OutputTensor } from './pose-decode.js';
export * from './pose-estimator.js';
export * from './camera.js';
