/** `skagent export`: a checkpoint's inference graph as an ONNX file that runs without libtorch. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { loadModelFromCheckpoint, numJointsOf } from '../engine/build.js';
import { writeFileAtomic } from '../io/atomic.js';
import { SAMPLING_OPS } from '../transforms/index.js';
import { UserError } from '../errors.js';
import { METADATA_FORMAT, metadataProps, type ModelMetadata } from '../runtime/metadata.js';
import { exportInferenceGraph } from './onnx-model.js';

/** Kinetics_Transform appends three joints (two midpoints and the thorax) to the raw COCO-17. */
const KINETICS_EXTRA_JOINTS = 3;

export interface ExportOptions {
  config: Config;
  configName: string;
  checkpoint: string;
  out: string;
  /** Class names, one per class. */
  labels?: string[];
}

export interface ExportResult {
  out: string;
  bytes: number;
  metadata: ModelMetadata;
}

export function projectVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The metadata of a config + checkpoint (labels optional). */
export function exportMetadata(config: Config, configName: string, checkpointSha256: string, labels: string[] | null): ModelMetadata {
  const b = config.model.backbone;
  const pipeline = config.data.test.pipeline as Record<string, unknown>[];
  const sampler = pipeline.find((op) => SAMPLING_OPS.includes(op.type as string)) as { clip_len?: number; num_clips?: number } | undefined;
  if (!sampler?.clip_len) throw new UserError('config: the test pipeline has no UniformSampleDecode/UniformSampleFrames step with a clip_len');
  const format = pipeline.find((op) => op.type === 'FormatGCNInput') as { num_person?: number } | undefined;
  const numJoints = numJointsOf(config);
  const layout = b.graph_cfg.layout;
  const is3D = layout === 'nturgb+d';
  const numClasses = b.num_classes;
  if (labels && labels.length !== numClasses) throw new UserError(`--labels: ${labels.length} labels for a model with ${numClasses} classes`);
  return {
    format: METADATA_FORMAT,
    layout,
    modality: config.modality,
    numClasses,
    labels,
    numJoints,
    numPerson: format?.num_person ?? 2,
    inChannels: b.in_channels ?? 3,
    rawJoints: pipeline.some((op) => op.type === 'Kinetics_Transform') ? numJoints - KINETICS_EXTRA_JOINTS : numJoints,
    rawChannels: 3,
    scoreChannel: !is3D,
    testPipeline: pipeline,
    clipLen: sampler.clip_len,
    numClips: sampler.num_clips ?? 1,
    checkpointSha256,
    projectVersion: projectVersion(),
    config: configName,
  };
}

/** Reads a labels file: one class name per line (blank lines at the end ignored). */
export function readLabels(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`--labels ${path}: cannot read: ${(err as Error).message}`);
  }
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const blank = lines.findIndex((l) => l.trim() === '');
  if (blank >= 0) throw new UserError(`--labels ${path}: line ${blank + 1} is empty (expected one class name per line)`);
  return lines.map((l) => l.trim());
}

export function exportOnnx(o: ExportOptions): ExportResult {
  const model = loadModelFromCheckpoint(o.config, o.checkpoint);
  try {
    const checkpointSha256 = createHash('sha256').update(readFileSync(o.checkpoint)).digest('hex');
    const metadata = exportMetadata(o.config, o.configName, checkpointSha256, o.labels ?? null);
    model.eval();
    const { bytes } = exportInferenceGraph(model, { metadata: metadataProps(metadata), producerVersion: metadata.projectVersion, inChannels: metadata.inChannels });
    writeFileAtomic(o.out, bytes);
    return { out: o.out, bytes: bytes.length, metadata };
  } finally {
    model.dispose();
  }
}
