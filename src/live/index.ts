/** `skeletonagent/live`: pose formats, mapping onto a model's layout, resampling and PoseStream (browser-safe). */
export * from './pose-formats.js';
export * from './poses.js';
export * from './resample.js';
export * from './stream.js';
export * from './recognize.js';
