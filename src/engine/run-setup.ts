/**
 * Setting up a run, the one way every entry point does it (`skagent train`, `test`, `demo`,
 * `bench`, bench/model_bench.ts): runtime settings (threads, device, loader workers), the
 * semantic side (descriptions, text encoder, agent loop, critical joints), the model (freshly
 * built or loaded from a checkpoint) with a trained text encoder installed in its backbone, on
 * the run's device. Callers pass typed options; the CLI only turns flags into them.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { setNumThreads, resolveDevice } from '../torch/index.js';
import { ExitCode, UserError } from '../errors.js';
import type { NdArray } from '../io/ndarray.js';
import { readNpy } from '../io/npy.js';
import { createTextEncoder, TEXT_ENCODER_KINDS, type TextEncoderKind } from '../text/encoder-factory.js';
import { ClipTokenizer } from '../text/tokenizer.js';
import { AgentLoop } from '../agent/loop.js';
import { readLabelMap } from '../agent/store.js';
import { isAgentLayout } from '../agent/layouts.js';
import { datasetOf } from '../skeleton/datasets.js';
import { LlmClient } from '../agent/llm.js';
import type { Recognizer } from '../model/recognizer.js';
import { buildModel, loadModelFromCheckpoint } from './build.js';
import { TextSemantics, randomTextTable, type Semantics } from './semantics.js';

export interface RuntimeOptions {
  /** libtorch threads (default: every core). */
  threads?: number;
  /** cpu, cuda, cuda:N or auto (default auto: cuda when available). */
  device?: string;
  /** Data-loading worker threads (default: the config's workers_per_gpu, at most cores - 1). */
  workers?: number;
}

export interface Runtime {
  threads: number;
  device: string;
  workers: number;
}

/** Applies the thread count and resolves the device and the worker count for a config. */
export function applyRuntime(o: RuntimeOptions, config: Config): Runtime {
  const threads = o.threads ?? availableParallelism();
  setNumThreads(threads);
  let device: string;
  try { device = resolveDevice(o.device); } catch (err) { throw new UserError((err as Error).message, ExitCode.environment); }
  const workers = o.workers ?? Math.min(config.data.workers_per_gpu, Math.max(0, availableParallelism() - 1));
  return { device, workers, threads };
}

export const AGENT_MODES = ['off', 'reproduce', 'corrected'] as const;
export type AgentMode = (typeof AGENT_MODES)[number];

export interface SemanticsOptions {
  /** Default 'builtin' (offline, no weights). */
  textEncoder?: TextEncoderKind;
  /** CLIP's bpe_simple_vocab_16e6.txt.gz. */
  clipVocab?: string;
  /** CLIP text weights: an OpenAI CLIP state dict or an authors' best_*.pth. */
  clipWeights?: string;
  /** [classes, 512] .npy embeddings (text encoder 'file'). */
  textEmbeddings?: string;
  /** Label map, one class name per line (descriptions default to "a person <name>"). */
  labels?: string;
  /** The original's per-class conversation files: descriptions and critical joints. */
  conversations?: string;
  /** Default 'off'. */
  agent?: AgentMode;
  llmModel?: string;
  llmBaseUrl?: string;
  /** [classes, V, V] .npy critical-joint tensor (default: from the conversations, else all ones). */
  criticalJoints?: string;
}

/** Checks an agent mode against the config; callers check it before writing anything. */
export function checkAgentMode(mode: string | undefined, config: Config): AgentMode {
  const agentMode = mode ?? 'off';
  if (!(AGENT_MODES as readonly string[]).includes(agentMode)) throw new UserError(`--agent must be off, reproduce or corrected, got '${agentMode}'`, ExitCode.usage);
  if (agentMode !== 'off' && config.model.type === 'RecognizerGCN_Semi') {
    throw new UserError(`--agent ${agentMode}: the config's RecognizerGCN_Semi has no Questioner; use --agent off`, ExitCode.usage);
  }
  return agentMode as AgentMode;
}

export interface SemanticsSetup {
  semantics: Semantics;
  criticalJoints: NdArray | null;
}

/** Descriptions, text encoder, agent loop and critical joints of a run. */
export function buildSemantics(o: SemanticsOptions, config: Config, workDir: string, device: string, log: (line: string) => void): SemanticsSetup {
  const numClasses = config.model.cls_head.num_classes;
  const kind = o.textEncoder ?? 'builtin';
  if (!(TEXT_ENCODER_KINDS as readonly string[]).includes(kind)) throw new UserError(`--text-encoder must be one of ${TEXT_ENCODER_KINDS.join(', ')}, got '${kind}'`, ExitCode.usage);
  const files = { 'clip-vocab': o.clipVocab, 'clip-weights': o.clipWeights, 'text-embeddings': o.textEmbeddings, labels: o.labels, 'critical-joints': o.criticalJoints };
  for (const [flag, f] of Object.entries(files)) {
    if (f && !existsSync(f)) throw new UserError(`--${flag}: ${f} does not exist`);
  }
  const tokenizer = o.clipVocab ? ClipTokenizer.fromFile(o.clipVocab) : undefined;
  const classNames = o.labels ? readLabelMap(o.labels) : Array.from({ length: numClasses }, (_, i) => `action ${i + 1}`);
  if (classNames.length !== numClasses) throw new UserError(`--labels ${o.labels}: ${classNames.length} class names, the config has ${numClasses} classes`);

  const agentMode = checkAgentMode(o.agent, config);
  let agent: AgentLoop | null = null;
  if (o.conversations) {
    if (!tokenizer) throw new UserError('--conversations needs --clip-vocab (descriptions are CLIP-tokenised as in the original)', ExitCode.usage);
    const layout = config.model.cls_head.joint_cfg;
    if (!isAgentLayout(layout)) throw new UserError(`the agent supports the nturgb+d, coco_new and uav layouts, not '${layout}'`);
    const llm = agentMode === 'off' ? null : new LlmClient({ model: o.llmModel, baseURL: o.llmBaseUrl, log });
    agent = new AgentLoop({
      dataset: datasetOf(layout, numClasses), layout, classNames, conversationsDir: o.conversations, workDir, tokenizer, llm,
      interval: config.model.cls_head.interval_epoch, mode: agentMode === 'corrected' ? 'corrected' : 'reproduce', resume: true, log,
    });
  } else if (agentMode !== 'off') {
    throw new UserError('--agent needs --conversations (the per-class dialogue the agent continues)', ExitCode.usage);
  }

  const descriptions = agent ? agent.descriptions : classNames.map((n) => `a person ${n.toLowerCase()}`);
  const encoder = createTextEncoder({
    kind, vocab: o.clipVocab, tokenizer, weights: o.clipWeights, file: o.textEmbeddings, dim: 512, device,
  });
  let criticalJoints: NdArray | null = null;
  if (o.criticalJoints) criticalJoints = readNpy(o.criticalJoints);
  else if (agent) criticalJoints = agent.criticalJoints(config.modality);
  return { semantics: new TextSemantics(encoder, descriptions, agent), criticalJoints };
}

export interface RunSetupOptions {
  config: Config;
  runtime?: RuntimeOptions;
  /**
   * The semantic side: options for buildSemantics, 'random-table' (a fixed random [classes, 512]
   * table standing in for cached text embeddings: benchmarks), or null (inference: none).
   */
  semantics: SemanticsOptions | 'random-table' | null;
  /** Load the weights of this checkpoint (per-epoch or best; the authors' or ours) into the model. */
  checkpoint?: string;
  /** Seed of the initial weights (a fresh model) and of the random graph (default 0). */
  seed?: number;
  /** Where the agent loop writes its updated conversations and critical-joint tensors (needed with conversations). */
  workDir?: string;
  log?: (line: string) => void;
}

export interface RunSetup {
  runtime: Runtime;
  /** On runtime.device, with a trained text encoder installed in its backbone. */
  model: Recognizer;
  semantics: Semantics | null;
  /** Disposes the model and the semantic side. */
  dispose(): void;
}

export function setUpRun(o: RunSetupOptions & { semantics: SemanticsOptions | 'random-table' }): RunSetup & { semantics: Semantics };
export function setUpRun(o: RunSetupOptions): RunSetup;
export function setUpRun(o: RunSetupOptions): RunSetup {
  const { config } = o;
  const runtime = applyRuntime(o.runtime ?? {}, config);
  const log = o.log ?? (() => {});
  let semantics: Semantics | null = null;
  let criticalJoints: NdArray | null = null;
  if (o.semantics === 'random-table') {
    semantics = randomTextTable(config.model.cls_head.num_classes, 512, runtime.device);
  } else if (o.semantics) {
    if (o.semantics.conversations && !o.workDir) throw new Error('setUpRun: conversations need a workDir (the agent writes the run\'s texts and critical-joint files there)');
    ({ semantics, criticalJoints } = buildSemantics(o.semantics, config, o.workDir ?? '', runtime.device, log));
  }
  let model: Recognizer;
  try {
    model = o.checkpoint ? loadModelFromCheckpoint(config, o.checkpoint) : buildModel(config, { criticalJoints, seed: o.seed });
  } catch (err) {
    semantics?.dispose();
    throw err;
  }
  // A trained text encoder lives in the backbone (model_text_dict), as the original's CLIP: it is
  // then trained, saved in best checkpoints and left out of per-epoch ones with the same rules.
  if (semantics?.textModule) model.backbone.setTextEncoder(semantics.textModule);
  if (runtime.device !== 'cpu') model.to(runtime.device);
  return {
    runtime, model, semantics,
    dispose: () => { model.dispose(); semantics?.dispose(); },
  };
}
