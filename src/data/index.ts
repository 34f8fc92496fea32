/** Datasets: PYSKL annotation files, the dataset store, raw preprocessing, synthetic data. */
export { type Annotation, type AnnotationFile } from './annotation.js';
export { PoseDataset, type PoseDatasetOptions, type PoseRecord } from './dataset.js';
export { DataError, type DataLocation } from './errors.js';
export { type BoxThresholdOptions } from './kinetics.js';
export { type LoadOptions, loadLabels, loadSplit } from './pyskl.js';
export { type AnnotationSource, type SampleInfo, openAnnotations, readAnnotationPickle } from './source.js';
export { PoseStore, isStoreFile, writeStore } from './store.js';
export { convertToStore } from './convert.js';
export { type DatasetStats, formatStats, inspectDataset } from './inspect.js';
export { preprocessNtuDirectory, readMissingList } from './ntu-raw.js';
export { preprocessUavDirectory } from './uav-raw.js';
export { type PysklFileContent, writeAnnotationPickle } from './pyskl-writer.js';
export { SYNTH_CLASS_NAMES, SYNTH_LAYOUTS, type SynthLayout, type SynthOptions, generateSynthetic, writeSynthetic } from './synthetic.js';
