/**
 * The recogniser over exported ONNX models, independent of where it runs: the ONNX Runtime
 * flavour (onnxruntime-node or onnxruntime-web) and the way model bytes are read come in as a
 * RuntimeBackend (node.ts, browser.ts). Nothing here imports libtorch or the native addon.
 *
 * One or several models (an ensemble: J+B, 4M, 6M, or any weights): every model's input is
 * computed from the same raw keypoints by the model's own test pipeline (src/transforms, as
 * `skagent test` does), its clips run as one batch, and the per-model 'prob' scores are summed
 * with the ensemble weights (engine/ensemble.ts, the original's `tools/ensemble.py`).
 */
import onnxProto from 'onnx-proto';
import { compose, type Pipeline, type PipelineRecord } from '../transforms/index.js';
import { createPipelineRng } from '../rng/index.js';
import { ENSEMBLE_PRESETS, fuseScores } from '../engine/ensemble.js';
import { ModelMetadataError, parseMetadata, type ModelMetadata } from './metadata.js';

/** The part of onnxruntime-common's API used here (both onnxruntime-node and onnxruntime-web provide it). */
export interface OrtTensor { readonly data: unknown; readonly dims: readonly number[] }
export interface OrtSession {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/** A model file path (Node), a URL (browser, or file: in Node) or the model's bytes. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer;

export interface RuntimeBackend {
  ort: OrtModule;
  read(source: ModelSource): Promise<Uint8Array>;
  /** Session options the environment adds (threads, execution providers). */
  sessionOptions(o: RecognizerOptions): Record<string, unknown>;
}

export interface ModelSpec {
  model: ModelSource;
  /** Ensemble weight (default: the original's preset weight for the stream set, else 1). */
  weight?: number;
}

export interface RecognizerOptions {
  /** Labels returned in `top` (default 5). */
  topK?: number;
  /** Intra-op threads of each session (Node; default: ONNX Runtime's choice). */
  threads?: number;
  /** Execution providers in order of preference (e.g. ['webgpu', 'wasm'] in a browser; ['cpu'] in Node). */
  executionProviders?: string[];
}

/**
 * Raw keypoints of one sample: persons × frames × joints × channels, channels as the model's
 * dataset stores them (x, y, z for NTU RGB+D; x, y, score for COCO-style 2D layouts).
 */
export type Keypoints =
  | { data: Float32Array | Float64Array | readonly number[]; persons: number; frames: number; joints: number; channels: number }
  | readonly (readonly (readonly (readonly number[])[])[])[];

export interface TopLabel { index: number; label: string; score: number }

export interface Recognition {
  /** Fused class scores (weighted sum of the models' clip-averaged softmax). */
  scores: Float32Array;
  /** The topK classes by fused score, best first. */
  top: TopLabel[];
  /** Each model's clip-averaged softmax, in model order. */
  perModel: Float32Array[];
}

export class RecognizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecognizerError'; // skagent serve answers it with a 422, by this name
  }
}

export interface LoadedModel {
  readonly metadata: ModelMetadata;
  readonly weight: number;
  /** Where it came from (for messages). */
  readonly source: string;
}

interface ModelSlot extends LoadedModel {
  readonly session: OrtSession;
  readonly pipeline: Pipeline;
}

/** Pipeline steps that do not apply to raw keypoints handed over in memory. */
const SKIPPED_STEPS = new Set(['DecompressPose', 'Collect', 'ToTensor']);

export class Recognizer {
  protected constructor(private readonly slots: ModelSlot[], private readonly backend: RuntimeBackend, readonly topK: number) {}

  /** Loads the models (a list is an ensemble; all must share layout and classes). */
  static async loadWith(backend: RuntimeBackend, models: ModelSource | ModelSpec | readonly (ModelSource | ModelSpec)[], opts: RecognizerOptions = {}): Promise<Recognizer> {
    const specs = (Array.isArray(models) ? models : [models]).map((m) => (isSpec(m) ? m : { model: m as ModelSource }));
    if (specs.length === 0) throw new RecognizerError('Recognizer.load: no model given');
    const loaded: { bytes: Uint8Array; metadata: ModelMetadata; source: string; weight?: number }[] = [];
    for (const spec of specs) {
      const source = describe(spec.model);
      const bytes = await backend.read(spec.model);
      loaded.push({ bytes, metadata: readMetadata(bytes, source), source, weight: spec.weight });
    }
    const first = loaded[0].metadata;
    for (const m of loaded.slice(1)) {
      const md = m.metadata;
      if (md.layout !== first.layout || md.numClasses !== first.numClasses || md.rawJoints !== first.rawJoints || md.rawChannels !== first.rawChannels) {
        throw new RecognizerError(`${m.source}: an ensemble needs one layout and class set; ${loaded[0].source} is ${first.layout} (${first.numClasses} classes, ${first.rawJoints} joints), this is ${md.layout} (${md.numClasses} classes, ${md.rawJoints} joints)`);
      }
    }
    const weights = defaultWeights(loaded.map((m) => m.metadata.modality));
    const sessionOptions = backend.sessionOptions(opts);
    const slots: ModelSlot[] = [];
    try {
      for (const [i, m] of loaded.entries()) {
        const weight = m.weight ?? weights[i];
        if (!Number.isFinite(weight)) throw new RecognizerError(`${m.source}: ensemble weight must be a finite number, got ${weight}`);
        const pipeline = compose(m.metadata.testPipeline.filter((op) => !SKIPPED_STEPS.has(op.type as string)), `${m.source}: test_pipeline`);
        const session = await backend.ort.InferenceSession.create(m.bytes, sessionOptions);
        slots.push({ metadata: m.metadata, weight, source: m.source, session, pipeline });
      }
    } catch (err) {
      await Promise.all(slots.map((s) => s.session.release()));
      throw err;
    }
    return new Recognizer(slots, backend, opts.topK ?? 5);
  }

  /** The models in order, with their metadata and ensemble weights. */
  get models(): readonly LoadedModel[] {
    return this.slots.map(({ metadata, weight, source }) => ({ metadata, weight, source }));
  }

  /** Skeleton layout of every model (nturgb+d, coco, coco_new, ...). */
  get layout(): string { return this.slots[0].metadata.layout; }
  get numClasses(): number { return this.slots[0].metadata.numClasses; }
  /** Joints and channels the raw keypoints must have. */
  get joints(): number { return this.slots[0].metadata.rawJoints; }
  get channels(): number { return this.slots[0].metadata.rawChannels; }
  /** Class names (from the first model that has them), or null. */
  get labels(): readonly string[] | null { return this.slots.find((s) => s.metadata.labels)?.metadata.labels ?? null; }

  /** The network input of model `i` for one sample: [1, clips, persons, frames, joints, channels]. */
  prepare(keypoints: Keypoints, i = 0): { data: Float32Array; dims: number[] } {
    const slot = this.slots[i];
    if (!slot) throw new RangeError(`prepare: no model ${i} (${this.slots.length} loaded)`);
    const record = rawRecord(toDense(keypoints, slot.metadata), slot.metadata);
    const out = slot.pipeline.run(record, createPipelineRng(0));
    const kp = out.keypoint as { data: Float32Array; shape: number[] };
    return { data: kp.data, dims: [1, ...kp.shape] };
  }

  /** Scores of one sample by every model, fused. */
  async recognize(keypoints: Keypoints, opts: { topK?: number } = {}): Promise<Recognition> {
    const perModel: Float32Array[] = [];
    for (let i = 0; i < this.slots.length; i++) {
      const input = this.prepare(keypoints, i);
      perModel.push(await this.runInput(i, input.data, input.dims));
    }
    const fused = fuseScores(perModel.map((s) => ({ dtype: 'float32' as const, shape: [s.length], data: s })), this.slots.map((s) => s.weight));
    const scores = fused.data instanceof Float32Array ? fused.data : Float32Array.from(fused.data);
    return { scores, top: this.topOf(scores, opts.topK ?? this.topK), perModel };
  }

  /**
   * Runs model `i` on prepared inputs [batch, clips, persons, frames, joints, channels] and
   * returns its clip-averaged softmax [batch, classes] (row-major).
   */
  async runInput(i: number, data: Float32Array, dims: readonly number[]): Promise<Float32Array> {
    const slot = this.slots[i];
    const feeds = { [slot.session.inputNames[0]]: new this.backend.ort.Tensor('float32', data, dims) };
    const out = await slot.session.run(feeds);
    return out.scores.data as Float32Array;
  }

  /** The k best classes of a score vector, best first (ties: lower index first). */
  topOf(scores: Float32Array, k: number): TopLabel[] {
    const labels = this.labels;
    const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
    return order.slice(0, Math.min(k, scores.length)).map((index) => ({ index, label: labels?.[index] ?? String(index), score: scores[index] }));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.session.release()));
  }
}

function isSpec(m: unknown): m is ModelSpec {
  return typeof m === 'object' && m !== null && !(m instanceof Uint8Array) && !(m instanceof ArrayBuffer) && !(m instanceof URL) && 'model' in m;
}

function describe(source: ModelSource): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  return `<${source.byteLength}-byte model>`;
}

/** The ensemble weights of the original's presets when the modalities are one of its stream sets, else 1. */
function defaultWeights(modalities: readonly string[]): number[] {
  const preset = ENSEMBLE_PRESETS.find((p) => p.streams.length === modalities.length && p.streams.every((s) => modalities.includes(s)) && new Set(modalities).size === modalities.length);
  if (!preset) return modalities.map(() => 1);
  return modalities.map((m) => preset.weights[preset.streams.indexOf(m as never)]);
}

/** metadata_props of an ONNX model. */
export function readMetadata(bytes: Uint8Array, source: string): ModelMetadata {
  let props: Map<string, string>;
  try {
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    props = new Map(model.metadataProps.map((p) => [p.key ?? '', p.value ?? '']));
  } catch (err) {
    throw new ModelMetadataError(`${source}: not an ONNX model (${(err as Error).message})`);
  }
  return parseMetadata(props, source);
}

interface Dense { data: Float32Array; persons: number; frames: number; joints: number; channels: number }

function toDense(k: Keypoints, md: ModelMetadata): Dense {
  let dense: Dense;
  if (Array.isArray(k)) {
    const nested = k as readonly (readonly (readonly (readonly number[])[])[])[];
    const persons = nested.length;
    const frames = persons > 0 ? nested[0].length : 0;
    const joints = frames > 0 ? nested[0][0].length : 0;
    const channels = joints > 0 ? nested[0][0][0].length : 0;
    const data = new Float32Array(persons * frames * joints * channels);
    let at = 0;
    nested.forEach((person, p) => {
      if (person.length !== frames) throw new RecognizerError(`keypoints[${p}]: ${person.length} frames, person 0 has ${frames}`);
      person.forEach((frame, f) => {
        if (frame.length !== joints) throw new RecognizerError(`keypoints[${p}][${f}]: ${frame.length} joints, expected ${joints}`);
        frame.forEach((joint, j) => {
          if (joint.length !== channels) throw new RecognizerError(`keypoints[${p}][${f}][${j}]: ${joint.length} channels, expected ${channels}`);
          for (const v of joint) data[at++] = v;
        });
      });
    });
    dense = { data, persons, frames, joints, channels };
  } else {
    const d = k as Exclude<Keypoints, readonly unknown[]>;
    const expected = d.persons * d.frames * d.joints * d.channels;
    if (d.data.length !== expected) throw new RecognizerError(`keypoints: data has ${d.data.length} values, persons × frames × joints × channels = ${d.persons}×${d.frames}×${d.joints}×${d.channels} = ${expected}`);
    dense = { data: d.data instanceof Float32Array ? d.data : Float32Array.from(d.data), persons: d.persons, frames: d.frames, joints: d.joints, channels: d.channels };
  }
  if (dense.persons < 1 || dense.frames < 1) throw new RecognizerError(`keypoints: need at least one person and one frame, got ${dense.persons} person(s) × ${dense.frames} frame(s)`);
  if (dense.joints !== md.rawJoints) throw new RecognizerError(`keypoints: ${dense.joints} joints, the ${md.layout} model expects ${md.rawJoints}`);
  if (dense.channels !== md.rawChannels) throw new RecognizerError(`keypoints: ${dense.channels} channels, the ${md.layout} model expects ${md.rawChannels} (${md.scoreChannel ? 'x, y, score' : 'x, y, z'})`);
  for (let i = 0; i < dense.data.length; i++) {
    if (!Number.isFinite(dense.data[i])) throw new RecognizerError(`keypoints: value ${i} is ${dense.data[i]} (every coordinate and score must be finite)`);
  }
  return dense;
}

/** The record the test pipeline starts from, as the dataset would hand it over. */
function rawRecord(k: Dense, md: ModelMetadata): PipelineRecord {
  const { persons: M, frames: T, joints: V, channels: C } = k;
  const record: PipelineRecord = { total_frames: T, start_index: 0, modality: 'Pose', test_mode: true, label: -1 };
  if (!md.scoreChannel) {
    record.keypoint = { dtype: 'float32', shape: [M, T, V, C], data: k.data };
    return record;
  }
  const coords = new Float32Array(M * T * V * (C - 1));
  const score = new Float32Array(M * T * V);
  for (let i = 0; i < M * T * V; i++) {
    for (let c = 0; c < C - 1; c++) coords[i * (C - 1) + c] = k.data[i * C + c];
    score[i] = k.data[i * C + C - 1];
  }
  record.keypoint = { dtype: 'float32', shape: [M, T, V, C - 1], data: coords };
  record.keypoint_score = { dtype: 'float32', shape: [M, T, V], data: score };
  return record;
}
