/** What both runtime entry points (node.ts, browser.ts) export besides their Recognizer. */
export {
  RecognizerError, readMetadata,
  type Keypoints, type LoadedModel, type ModelSource, type ModelSpec, type Recognition, type RecognizerOptions, type TopLabel,
} from './recognizer.js';
export { METADATA_FORMAT, ModelMetadataError, type ModelMetadata } from './metadata.js';
