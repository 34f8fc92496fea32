/** Options and helpers shared by the `skagent agent ...` commands. */
import { basename, extname } from 'node:path';
import { ExitCode, UserError } from '../../errors.js';
import { type AgentLayout, DATASET_PROMPTS, DEFAULT_PROMPTS, type PromptFamily, isAgentLayout } from '../../agent/layouts.js';
import { DATASETS, isDatasetCode } from '../../skeleton/datasets.js';
import { LlmClient, MissingApiKeyError } from '../../agent/llm.js';
import { ClipTokenizer } from '../../text/tokenizer.js';

export const LLM_OPTIONS = {
  model: { type: 'string' },
  'base-url': { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'max-attempts': { type: 'string' },
  'clip-vocab': { type: 'string' },
} as const;

export const LLM_HELP = `LLM options (any OpenAI-compatible chat-completions endpoint):
  --model M            model name (default gpt-4o, the original's)
  --base-url U         endpoint, e.g. http://127.0.0.1:8000/v1 (default $OPENAI_BASE_URL, else OpenAI)
  --concurrency N      requests in flight at once (default 4)
  --timeout S          seconds per request before it is retried (default 120)
  --max-attempts N     tries per request on 429, 5xx, timeouts, network errors (default 5),
                       with exponential backoff from 1 s (Retry-After is honoured)
  --clip-vocab F       CLIP BPE vocabulary (bpe_simple_vocab_16e6.txt.gz); when given, description
                       answers longer than CLIP's 77-token context are rejected and asked again
  The API key is read from $OPENAI_API_KEY only (never from the command line) and is never printed.`;

export function requireOption(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UserError(`missing --${name}`, ExitCode.usage);
  return v;
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--${name} expects a positive integer, got '${value}'`, ExitCode.usage);
  return n;
}

export function makeLlm(values: Record<string, string | undefined>): LlmClient {
  const timeoutS = values.timeout === undefined ? 120 : Number(values.timeout);
  if (!(timeoutS > 0)) throw new UserError(`--timeout expects seconds > 0, got '${values.timeout}'`, ExitCode.usage);
  try {
    return new LlmClient({
      model: values.model,
      baseURL: values['base-url'],
      concurrency: positiveInt(values.concurrency, 'concurrency', 4),
      maxAttempts: positiveInt(values['max-attempts'], 'max-attempts', 5),
      timeoutMs: timeoutS * 1000,
    });
  } catch (err) {
    if (err instanceof MissingApiKeyError) throw new UserError(err.message, ExitCode.environment);
    throw err;
  }
}

export function loadTokenizer(path: string | undefined): ClipTokenizer | undefined {
  if (path === undefined) return undefined;
  try {
    return ClipTokenizer.fromFile(path);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

/** Dataset name: --dataset, else the label file's base name (nturgbd_60.txt -> nturgbd_60). */
export function datasetName(values: Record<string, string | undefined>, labelsPath: string): string {
  return values.dataset ?? basename(labelsPath, extname(labelsPath));
}

/** --layout, else the known dataset's layout. */
export function resolveLayout(layout: string | undefined, dataset: string): AgentLayout {
  const name = layout ?? (isDatasetCode(dataset) ? DATASETS[dataset].layout : undefined);
  if (name === undefined) {
    throw new UserError(`missing --layout (one of nturgb+d, coco_new, uav); it can be omitted only for the datasets ${Object.keys(DATASETS).join(', ')}`, ExitCode.usage);
  }
  if (!isAgentLayout(name)) throw new UserError(`unknown --layout '${name}' (expected nturgb+d, coco_new or uav)`, ExitCode.usage);
  return name;
}

export function resolvePrompts(prompts: string | undefined, dataset: string, layout: AgentLayout): PromptFamily {
  const name = prompts ?? (isDatasetCode(dataset) ? DATASET_PROMPTS[dataset] : DEFAULT_PROMPTS[layout]);
  if (name !== 'ntu' && name !== 'k400' && name !== 'finegym' && name !== 'uav') {
    throw new UserError(`unknown --prompts '${name}' (expected ntu, k400, finegym or uav)`, ExitCode.usage);
  }
  return name;
}

/** Wraps a library error about an input file as a UserError (exit code 3). */
export function asInputError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError((err as Error).message);
  }
}
