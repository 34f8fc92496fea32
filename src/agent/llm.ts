/**
 * The LLM client: chat completions through the official `openai` SDK against any OpenAI-compatible
 * endpoint. Calls never throw: every outcome is a value, so a failed or refused request can keep the
 * previous description instead of stopping training (the original crashes, quirk 23).
 *
 * - key and base URL from the options or OPENAI_API_KEY / OPENAI_BASE_URL; the key is never logged
 *   and is redacted from every message this module produces;
 * - at most `concurrency` requests in flight per client;
 * - per-request timeout; retries with exponential backoff (honouring Retry-After) on 408/409/429,
 *   5xx, timeouts and connection errors; other HTTP errors fail at once;
 * - refusals (the API's `refusal` field, a content-filter stop, or a declining opening) are not
 *   retried; answers failing the caller's shape check are retried `answerRetries` times.
 */
import OpenAI from 'openai';
import type { ChatMessage } from './conversation.js';
import { type AnswerCheck, looksLikeRefusal } from './answers.js';

export interface LlmOptions {
  /** Default: $OPENAI_API_KEY. */
  apiKey?: string;
  /** Default: $OPENAI_BASE_URL, else the SDK's (https://api.openai.com/v1). */
  baseURL?: string;
  /** Default 'gpt-4o' (the original's only mapped model). */
  model?: string;
  /** Per-request timeout in ms. Default 120000. */
  timeoutMs?: number;
  /** Attempts for transient failures (first try included). Default 5. */
  maxAttempts?: number;
  /** Delay before the first retry in ms, doubled each retry, capped by maxBackoffMs. Default 1000. */
  backoffMs?: number;
  /** Default 60000. */
  maxBackoffMs?: number;
  /** Extra attempts when an answer fails its shape check. Default 1. */
  answerRetries?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Where progress and failures are reported (one line each). Default: stderr. */
  log?: (line: string) => void;
}

export type LlmOutcome =
  | { readonly ok: true; readonly text: string; readonly attempts: number }
  | { readonly ok: false; readonly kind: 'refused' | 'malformed' | 'failed'; readonly reason: string; readonly attempts: number };

/** Thrown by the constructor only: no key configured. */
export class MissingApiKeyError extends Error {
  constructor() {
    super('no API key: set OPENAI_API_KEY (any non-empty value for a local server that needs none)');
    this.name = 'MissingApiKeyError';
  }
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

export class LlmClient {
  readonly model: string;
  readonly baseURL: string;
  private readonly client: OpenAI;
  private readonly apiKey: string;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly answerRetries: number;
  private readonly concurrency: number;
  private readonly log: (line: string) => void;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(options: LlmOptions = {}) {
    const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY ?? '';
    if (apiKey === '') throw new MissingApiKeyError();
    this.apiKey = apiKey;
    this.model = options.model ?? 'gpt-4o';
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoffMs = options.backoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.answerRetries = Math.max(0, options.answerRetries ?? 1);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    const baseURL = options.baseURL ?? (process.env.OPENAI_BASE_URL || undefined);
    // Retries are ours (backoff and logging under our control); the SDK's own logger stays silent.
    this.client = new OpenAI({ apiKey, baseURL, timeout: options.timeoutMs ?? 120_000, maxRetries: 0, logLevel: 'off' });
    this.baseURL = this.client.baseURL;
  }

  /**
   * `text` with the API key (and any bearer token) replaced by "[redacted]". Keys shorter than 4
   * characters are placeholders for servers without authentication and are left alone.
   */
  redact(text: string): string {
    const withoutKey = this.apiKey.length >= 4 ? text.split(this.apiKey).join('[redacted]') : text;
    return withoutKey.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
  }

  /**
   * One chat completion of `messages` (no system message, default sampling: what the original
   * sends). `label` names the request in log lines. Never throws.
   */
  async complete(messages: readonly ChatMessage[], check: AnswerCheck | null, label: string): Promise<LlmOutcome> {
    await this.acquire();
    try {
      return await this.completeWithRetries(messages, check, label);
    } catch (err) {
      // Defensive: nothing above should throw, but a bug must not reach the training loop.
      return { ok: false, kind: 'failed', reason: this.redact(String((err as Error)?.message ?? err)), attempts: 0 };
    } finally {
      this.release();
    }
  }

  private async completeWithRetries(messages: readonly ChatMessage[], check: AnswerCheck | null, label: string): Promise<LlmOutcome> {
    let transientFailures = 0;
    let malformed = 0;
    for (let attempt = 1; ; attempt++) {
      let content: string;
      try {
        const response = await this.client.chat.completions.create({ model: this.model, messages: messages.map((m) => ({ role: m.role, content: m.content })) });
        const choice = response.choices?.[0];
        const refusal = choice?.message?.refusal;
        if (refusal || choice?.finish_reason === 'content_filter') {
          return this.fail('refused', `the model declined: ${refusal || 'content filter'}`, attempt, label);
        }
        content = typeof choice?.message?.content === 'string' ? choice.message.content : '';
      } catch (err) {
        const { retryable, reason, retryAfterMs } = this.classify(err);
        transientFailures++;
        if (!retryable || transientFailures >= this.maxAttempts) {
          return this.fail('failed', retryable ? `${reason} (gave up after ${transientFailures} attempts)` : reason, attempt, label);
        }
        const delay = Math.min(this.maxBackoffMs, Math.max(retryAfterMs ?? 0, this.backoffMs * 2 ** (transientFailures - 1)));
        this.log(`[llm] ${label}: ${reason}; retrying in ${delay} ms (attempt ${attempt + 1})`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      if (looksLikeRefusal(content)) return this.fail('refused', `the model declined: ${quote(content)}`, attempt, label);
      const problem = content.trim() === '' ? 'empty answer' : check?.(content) ?? null;
      if (problem === null) return { ok: true, text: content, attempts: attempt };
      if (malformed++ >= this.answerRetries) return this.fail('malformed', `${problem}: ${quote(content)}`, attempt, label);
      this.log(`[llm] ${label}: unusable answer (${problem}); asking again`);
    }
  }

  private fail(kind: 'refused' | 'malformed' | 'failed', reason: string, attempts: number, label: string): LlmOutcome {
    const clean = this.redact(reason);
    this.log(`[llm] ${label}: ${kind}: ${clean}`);
    return { ok: false, kind, reason: clean, attempts };
  }

  private classify(err: unknown): { retryable: boolean; reason: string; retryAfterMs?: number } {
    if (err instanceof OpenAI.APIConnectionTimeoutError) return { retryable: true, reason: 'request timed out' };
    if (err instanceof OpenAI.APIConnectionError) return { retryable: true, reason: `connection failed: ${this.redact(err.message)}` };
    if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
      return { retryable: RETRYABLE_STATUS(err.status), reason: `HTTP ${err.status}: ${this.redact(err.message)}`, retryAfterMs: retryAfter(err.headers) };
    }
    return { retryable: false, reason: this.redact(String((err as Error)?.message ?? err)) };
  }

  private async acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes straight to the next caller
    else this.active--;
  }
}

/** Retry-After (seconds or HTTP date) or retry-after-ms, in ms. */
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `"${oneLine.length > 120 ? oneLine.slice(0, 117) + '...' : oneLine}"`;
}
