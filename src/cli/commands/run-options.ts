/** Options shared by `skagent train`, `test` and `bench`: threads, device, workers, semantics. */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import type { Config } from '../../config/index.js';
import { setNumThreads, resolveDevice } from '../../torch/index.js';
import { ExitCode, UserError } from '../command.js';
import { intOption } from './data-common.js';
import { createTextEncoder, TEXT_ENCODER_KINDS, type TextEncoderKind } from '../../text/encoder-factory.js';
import { ClipTokenizer } from '../../text/tokenizer.js';
import { AgentLoop } from '../../agent/loop.js';
import { readLabelMap } from '../../agent/store.js';
import { isAgentLayout, DATASETS } from '../../agent/layouts.js';
import { LlmClient } from '../../agent/llm.js';
import { TextSemantics, type Semantics } from '../../engine/semantics.js';
import type { NdArray } from '../../io/ndarray.js';
import { readNpy } from '../../io/npy.js';

export const RUNTIME_OPTIONS = {
  threads: { type: 'string' },
  device: { type: 'string' },
  workers: { type: 'string' },
} as const;

export const RUNTIME_HELP = `  --threads N       libtorch threads (default: all cores)
  --device D        cpu, cuda, cuda:1 or auto (default auto: cuda when available)
  --workers N       data-loading worker threads (default: the config's workers_per_gpu, at most cores - 1)`;

export function applyRuntime(values: { threads?: string; device?: string; workers?: string }, config: Config): { device: string; workers: number; threads: number } {
  const threads = intOption(values.threads, 'threads', availableParallelism(), 1);
  setNumThreads(threads);
  let device: string;
  try { device = resolveDevice(values.device); } catch (err) { throw new UserError((err as Error).message, ExitCode.environment); }
  const workers = intOption(values.workers, 'workers', Math.min(config.data.workers_per_gpu, Math.max(0, availableParallelism() - 1)), 0);
  return { device, workers, threads };
}

export const SEMANTICS_OPTIONS = {
  'text-encoder': { type: 'string' },
  'clip-vocab': { type: 'string' },
  'clip-weights': { type: 'string' },
  'text-embeddings': { type: 'string' },
  labels: { type: 'string' },
  conversations: { type: 'string' },
  agent: { type: 'string' },
  'llm-model': { type: 'string' },
  'llm-base-url': { type: 'string' },
  'critical-joints': { type: 'string' },
} as const;

export const SEMANTICS_HELP = `Semantic priors (alignment loss, critical joints, agent):
  --text-encoder K  builtin (default: offline, no weights), clip (trainable CLIP ViT-B/32, as the
                    original), clip-frozen (CLIP, cached per description: much faster), file
  --clip-vocab F    CLIP's bpe_simple_vocab_16e6.txt.gz (clip kinds, conversations; optional for builtin)
  --clip-weights F  CLIP text weights: an OpenAI CLIP state dict or an authors' best_*.pth
  --text-embeddings F  [classes, 512] .npy embeddings (text encoder 'file')
  --labels F        label map, one class name per line (descriptions default to "a person <name>")
  --conversations D the original's per-class conversation files (e.g. text/gpt4o/nturgbd_60):
                    descriptions from their final rounds, critical joints from round 4
  --agent MODE      off (default), reproduce or corrected: refresh descriptions every
                    interval_epoch epochs by asking an LLM about the classes the model confuses.
                    reproduce: the original's timing, from the validation step: only with
                    --validate (without it, as in the original, descriptions never change), epochs
                    counted by validation passes, none after epoch 149. corrected: after every
                    interval_epoch-th training epoch, validation or not
  --llm-model M     chat model (default gpt-4o); key/base URL from OPENAI_API_KEY / OPENAI_BASE_URL
  --llm-base-url U  any OpenAI-compatible endpoint
  --critical-joints F  [classes, V, V] .npy critical-joint tensor (default: from --conversations, else all ones)`;

type SemanticsValues = Partial<Record<keyof typeof SEMANTICS_OPTIONS, string>>;

const DATASET_OF_CLASSES: Record<number, string> = { 60: 'nturgbd_60', 120: 'nturgbd_120', 99: 'finegym', 400: 'k400', 155: 'uav_human' };

export interface SemanticsSetup {
  semantics: Semantics;
  criticalJoints: NdArray | null;
}

/** The --agent mode, validated against the config (callers check it before writing anything). */
export function agentModeOf(values: SemanticsValues, config: Config): 'off' | 'reproduce' | 'corrected' {
  const agentMode = values.agent ?? 'off';
  if (agentMode !== 'off' && agentMode !== 'reproduce' && agentMode !== 'corrected') throw new UserError(`--agent must be off, reproduce or corrected, got '${agentMode}'`, ExitCode.usage);
  if (agentMode !== 'off' && config.model.type === 'RecognizerGCN_Semi') {
    throw new UserError(`--agent ${agentMode}: the config's RecognizerGCN_Semi has no Questioner (training.md §10); use --agent off`, ExitCode.usage);
  }
  return agentMode;
}

/** Builds descriptions, text encoder, agent loop and critical joints from the command line. */
export function buildSemantics(values: SemanticsValues, config: Config, workDir: string, device: string, log: (line: string) => void): SemanticsSetup {
  const numClasses = config.model.cls_head.num_classes;
  const kind = (values['text-encoder'] ?? 'builtin') as TextEncoderKind;
  if (!(TEXT_ENCODER_KINDS as readonly string[]).includes(kind)) throw new UserError(`--text-encoder must be one of ${TEXT_ENCODER_KINDS.join(', ')}, got '${kind}'`, ExitCode.usage);
  for (const key of ['clip-vocab', 'clip-weights', 'text-embeddings', 'labels', 'critical-joints'] as const) {
    const f = values[key];
    if (f && !existsSync(f)) throw new UserError(`--${key}: ${f} does not exist`);
  }
  const tokenizer = values['clip-vocab'] ? ClipTokenizer.fromFile(values['clip-vocab']) : undefined;
  const classNames = values.labels ? readLabelMap(values.labels) : Array.from({ length: numClasses }, (_, i) => `action ${i + 1}`);
  if (classNames.length !== numClasses) throw new UserError(`--labels ${values.labels}: ${classNames.length} class names, the config has ${numClasses} classes`);

  const agentMode = agentModeOf(values, config);
  let agent: AgentLoop | null = null;
  if (values.conversations) {
    if (!tokenizer) throw new UserError('--conversations needs --clip-vocab (descriptions are CLIP-tokenised as in the original)', ExitCode.usage);
    const layout = config.model.cls_head.joint_cfg;
    if (!isAgentLayout(layout)) throw new UserError(`the agent supports the nturgb+d, coco_new and uav layouts, not '${layout}'`);
    const dataset = DATASET_OF_CLASSES[numClasses] && DATASETS[DATASET_OF_CLASSES[numClasses]]?.layout === layout ? DATASET_OF_CLASSES[numClasses] : 'custom';
    const llm = agentMode === 'off' ? null : new LlmClient({ model: values['llm-model'], baseURL: values['llm-base-url'], log });
    agent = new AgentLoop({
      dataset, layout, classNames, conversationsDir: values.conversations, workDir, tokenizer, llm,
      interval: config.model.cls_head.interval_epoch, mode: agentMode === 'corrected' ? 'corrected' : 'reproduce', resume: true, log,
    });
  } else if (agentMode !== 'off') {
    throw new UserError('--agent needs --conversations (the per-class dialogue the agent continues)', ExitCode.usage);
  }

  const descriptions = agent ? agent.descriptions : classNames.map((n) => `a person ${n.toLowerCase()}`);
  const encoder = createTextEncoder({
    kind, vocab: values['clip-vocab'], tokenizer, weights: values['clip-weights'], file: values['text-embeddings'], dim: 512, device,
  });
  let criticalJoints: NdArray | null = null;
  if (values['critical-joints']) criticalJoints = readNpy(values['critical-joints']);
  else if (agent) criticalJoints = agent.criticalJoints(config.modality);
  return { semantics: new TextSemantics(encoder, descriptions, agent), criticalJoints };
}
