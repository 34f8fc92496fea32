/**
 * One Questioner update (`Interaction.update_description`, skeletonagent/models/heads/agent.py):
 * for every class with a non-empty confusion list, rebuild rounds 1–5 from its current file, ask
 * the round-6 question and write rounds 1–6 in the online format to the run directory. A class
 * whose request fails, is refused or answers in the wrong shape keeps its previous file (and
 * description); the failure is logged and reported, never thrown.
 */
import { checkDescription } from './answers.js';
import { type ChatMessage, followUpHistory, formatOnlineConversation } from './conversation.js';
import type { LlmClient } from './llm.js';
import { followUpPrompt } from './prompts.js';
import type { ConversationStore } from './store.js';

export interface RefineFailure {
  readonly classIndex: number;
  readonly kind: 'refused' | 'malformed' | 'failed' | 'missing';
  readonly reason: string;
}

export interface RefineResult {
  /** Classes whose description was replaced. */
  readonly updated: number[];
  /** Classes that kept their description because the LLM call did not give a usable answer. */
  readonly failed: RefineFailure[];
  /** Classes not asked because their confusion list was empty (corrected mode only). */
  readonly skipped: number[];
}

export interface RefineRequest {
  readonly store: ConversationStore;
  /** Per class, the confusable classes (ascending index), from the Questioner. */
  readonly classLists: readonly (readonly number[])[];
  readonly llm: LlmClient;
  /** Whether a description fits the CLIP context; answers that do not are rejected. */
  readonly fitsContext?: (text: string) => boolean;
  readonly log?: (line: string) => void;
}

export async function refineDescriptions(request: RefineRequest): Promise<RefineResult> {
  const { store, classLists, llm } = request;
  const log = request.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const names = store.classNames;
  if (classLists.length !== names.length) {
    throw new Error(`refine: ${classLists.length} confusion lists for ${names.length} classes`);
  }
  const check = checkDescription(request.fitsContext);
  const skipped: number[] = [];
  const failed: RefineFailure[] = [];
  // Read every current file before anything is written (the first update switches directories).
  const jobs: { classIndex: number; history: ChatMessage[]; prompt: string }[] = [];
  names.forEach((name, c) => {
    if (classLists[c].length === 0) {
      skipped.push(c);
      return;
    }
    const text = store.read(c);
    if (text === null) {
      failed.push({ classIndex: c, kind: 'missing', reason: `conversation file missing: ${store.path(c)}` });
      return;
    }
    jobs.push({ classIndex: c, history: followUpHistory(text), prompt: followUpPrompt(name, classLists[c].map((b) => names[b])) });
  });

  const outcomes = await Promise.all(jobs.map(async (job) => {
    const messages: ChatMessage[] = [...job.history, { role: 'user', content: job.prompt }];
    const outcome = await llm.complete(messages, check, `class ${job.classIndex} '${names[job.classIndex]}'`);
    return { job, messages, outcome };
  }));

  store.switchToRunDir();
  const updated: number[] = [];
  for (const { job, messages, outcome } of outcomes) {
    if (outcome.ok) {
      store.write(job.classIndex, formatOnlineConversation([...messages, { role: 'assistant', content: outcome.text }]));
      updated.push(job.classIndex);
    } else {
      failed.push({ classIndex: job.classIndex, kind: outcome.kind, reason: outcome.reason });
    }
  }
  failed.sort((a, b) => a.classIndex - b.classIndex);
  for (const f of failed) log(`[agent] class ${f.classIndex} '${names[f.classIndex]}' keeps its description: ${f.reason}`);
  return { updated, failed, skipped };
}
