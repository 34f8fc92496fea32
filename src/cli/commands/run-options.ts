/**
 * The flags shared by `skagent train`, `test`, `demo` and `bench` (threads, device, workers,
 * semantics) and their conversion to the engine's typed run options (engine/run-setup.ts).
 */
import { intOption } from './data-common.js';
import type { AgentMode, RuntimeOptions, SemanticsOptions } from '../../engine/run-setup.js';
import type { TextEncoderKind } from '../../text/encoder-factory.js';

export const RUNTIME_OPTIONS = {
  threads: { type: 'string' },
  device: { type: 'string' },
  workers: { type: 'string' },
} as const;

export const RUNTIME_HELP = `  --threads N       libtorch threads (default: all cores)
  --device D        cpu, cuda, cuda:1 or auto (default auto: cuda when available)
  --workers N       data-loading worker threads (default: the config's workers_per_gpu, at most cores - 1)`;

type RuntimeValues = Partial<Record<keyof typeof RUNTIME_OPTIONS, string>>;

export function runtimeOptions(values: RuntimeValues): RuntimeOptions {
  return {
    threads: values.threads === undefined ? undefined : intOption(values.threads, 'threads', 1, 1),
    device: values.device,
    workers: values.workers === undefined ? undefined : intOption(values.workers, 'workers', 0, 0),
  };
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

/** The flags as typed options; kinds and modes are checked (with the flags' names) by the engine. */
export function semanticsOptions(values: SemanticsValues): SemanticsOptions {
  return {
    textEncoder: values['text-encoder'] as TextEncoderKind | undefined,
    clipVocab: values['clip-vocab'],
    clipWeights: values['clip-weights'],
    textEmbeddings: values['text-embeddings'],
    labels: values.labels,
    conversations: values.conversations,
    agent: values.agent as AgentMode | undefined,
    llmModel: values['llm-model'],
    llmBaseUrl: values['llm-base-url'],
    criticalJoints: values['critical-joints'],
  };
}
