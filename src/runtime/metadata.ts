/**
 * What an exported model carries in its ONNX metadata_props so that it runs without its config:
 * the input layout, the modality, the classes, and the test pipeline that turns raw keypoints
 * into the network's input. One place for the keys, shared by the exporter and the runtime.
 */

/** Version of this metadata scheme (bumped when a key changes meaning). */
export const METADATA_FORMAT = 'skeletonagent-onnx/1';

export interface ModelMetadata {
  format: string;
  /** Skeleton layout name (nturgb+d, coco, coco_new, ...). */
  layout: string;
  /** Input stream: j, b, k, jm, bm, km. */
  modality: string;
  numClasses: number;
  /** Class names, one per class, or null when exported without --labels. */
  labels: string[] | null;
  numJoints: number;
  /** Person slots of the input (FormatGCNInput's num_person). */
  numPerson: number;
  /** Channels of the network input (3: x, y, z or x, y, score). */
  inChannels: number;
  /** Joints of the raw keypoints (the pipeline may add some: Kinetics_Transform's three). */
  rawJoints: number;
  /** Channels of the raw keypoints: x, y, z (3D) or x, y, score (2D). */
  rawChannels: number;
  /** Whether the last raw channel is a detection score (2D layouts) rather than a coordinate. */
  scoreChannel: boolean;
  /** The config's test pipeline, as data (the runtime composes it with src/transforms). */
  testPipeline: Record<string, unknown>[];
  clipLen: number;
  numClips: number;
  /** sha256 (hex) of the checkpoint file the weights came from. */
  checkpointSha256: string;
  /** Version of skeletonagent that wrote the file. */
  projectVersion: string;
  /** Config name or path given to the exporter. */
  config: string;
}

const NUMBER_KEYS = ['numClasses', 'numJoints', 'numPerson', 'inChannels', 'rawJoints', 'rawChannels', 'clipLen', 'numClips'] as const;
const STRING_KEYS = ['format', 'layout', 'modality', 'checkpointSha256', 'projectVersion', 'config'] as const;

/** metadata_props entries (snake_case keys; lists as JSON). */
export function metadataProps(m: ModelMetadata): Record<string, string> {
  const props: Record<string, string> = {};
  for (const k of STRING_KEYS) props[snake(k)] = m[k];
  for (const k of NUMBER_KEYS) props[snake(k)] = String(m[k]);
  props.score_channel = String(m.scoreChannel);
  props.labels = JSON.stringify(m.labels);
  props.test_pipeline = JSON.stringify(m.testPipeline);
  return props;
}

export class ModelMetadataError extends Error {}

/** Parses metadata_props; `source` names the model in errors. */
export function parseMetadata(props: ReadonlyMap<string, string>, source: string): ModelMetadata {
  const get = (key: string): string => {
    const v = props.get(key);
    if (v === undefined) throw new ModelMetadataError(`${source}: not a SkeletonAgent export (metadata_props has no '${key}'; export models with 'skagent export')`);
    return v;
  };
  const format = get('format');
  if (format !== METADATA_FORMAT) throw new ModelMetadataError(`${source}: metadata format '${format}', this version reads '${METADATA_FORMAT}'`);
  const out: Partial<ModelMetadata> = {};
  for (const k of STRING_KEYS) out[k] = get(snake(k));
  for (const k of NUMBER_KEYS) {
    const n = Number(get(snake(k)));
    if (!Number.isInteger(n) || n < 0) throw new ModelMetadataError(`${source}: metadata '${snake(k)}' must be a non-negative integer, got '${get(snake(k))}'`);
    out[k] = n;
  }
  const scoreChannel = get('score_channel');
  if (scoreChannel !== 'true' && scoreChannel !== 'false') throw new ModelMetadataError(`${source}: metadata 'score_channel' must be true or false`);
  out.scoreChannel = scoreChannel === 'true';
  const labels = parseJson(get('labels'), 'labels', source);
  if (labels !== null && !(Array.isArray(labels) && labels.length === out.numClasses && labels.every((l) => typeof l === 'string'))) {
    throw new ModelMetadataError(`${source}: metadata 'labels' must be null or ${out.numClasses} strings`);
  }
  const pipeline = parseJson(get('test_pipeline'), 'test_pipeline', source);
  if (!Array.isArray(pipeline)) throw new ModelMetadataError(`${source}: metadata 'test_pipeline' must be a list of operations`);
  return { ...(out as ModelMetadata), labels: labels as string[] | null, testPipeline: pipeline as Record<string, unknown>[] };
}

function parseJson(text: string, key: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelMetadataError(`${source}: metadata '${key}' is not valid JSON`);
  }
}

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
