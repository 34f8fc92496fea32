/**
 * The offline five-round dialogue (tools/text/gpt4o/gpt4o_<dataset>.py) that creates a class's
 * conversation file: each round is asked with the whole previous history (no system message) and
 * the file is written in the offline format. Unlike the original, which skips a failed round and
 * leaves a file that silently misleads the Selector and the description extraction, a class whose
 * round fails after retries gets no file; running again asks only for the classes still missing.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { type AnswerCheck, checkDescription, checkJointDescriptions, checkJointList } from './answers.js';
import { type ChatMessage, type Round, conversationFileName, formatOfflineRound, parseConversation } from './conversation.js';
import { LAYOUTS } from '../skeleton/layouts.js';
import type { AgentLayout, PromptFamily } from './layouts.js';
import type { LlmClient } from './llm.js';
import { DIALOGUE_TEMPLATES, dialoguePrompt } from './prompts.js';

export interface DialogueRequest {
  readonly classNames: readonly string[];
  readonly family: PromptFamily;
  readonly layout: AgentLayout;
  readonly outDir: string;
  readonly llm: LlmClient;
  /** Whether a description fits the CLIP context (round 5 answers that do not are rejected). */
  readonly fitsContext?: (text: string) => boolean;
  readonly log?: (line: string) => void;
}

export interface DialogueResult {
  readonly written: number[];
  /** Classes whose file already existed with all five rounds. */
  readonly kept: number[];
  readonly failed: { classIndex: number; round: number; reason: string }[];
}

const ROUNDS = 5;

function roundChecks(layout: AgentLayout, fitsContext?: (text: string) => boolean): (AnswerCheck | null)[] {
  const joints = LAYOUTS[layout].numJoints;
  return [null, null, checkJointList(joints), checkJointDescriptions(joints), checkDescription(fitsContext)];
}

/** True when `path` holds a parseable conversation with all five rounds. */
function isComplete(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return parseConversation(readFileSync(path, 'utf8'), path).length === ROUNDS;
  } catch {
    return false;
  }
}

/** The five rounds for one class, or the round that could not be completed. */
async function converse(
  className: string, label: string, family: PromptFamily, checks: readonly (AnswerCheck | null)[], llm: LlmClient,
): Promise<{ rounds: Round[] } | { round: number; reason: string }> {
  const history: ChatMessage[] = [];
  const rounds: Round[] = [];
  for (let r = 1; r <= DIALOGUE_TEMPLATES[family].length; r++) {
    const question = dialoguePrompt(family, r, className);
    const outcome = await llm.complete([...history, { role: 'user', content: question }], checks[r - 1], `${label} round ${r}`);
    if (!outcome.ok) return { round: r, reason: outcome.reason };
    history.push({ role: 'user', content: question }, { role: 'assistant', content: outcome.text });
    rounds.push({ number: r, question, answer: outcome.text });
  }
  return { rounds };
}

export async function runDialogues(request: DialogueRequest): Promise<DialogueResult> {
  const { classNames, family, layout, outDir, llm } = request;
  const log = request.log ?? ((line: string) => process.stderr.write(line + '\n'));
  mkdirSync(outDir, { recursive: true });
  const checks = roundChecks(layout, request.fitsContext);
  const kept: number[] = [];
  const todo: number[] = [];
  classNames.forEach((_, c) => (isComplete(join(outDir, conversationFileName(c, classNames[c]))) ? kept : todo).push(c));
  if (kept.length > 0) log(`[agent] ${kept.length} classes already have a complete conversation in ${outDir}; asking for ${todo.length}`);

  const written: number[] = [];
  const failed: DialogueResult['failed'] = [];
  await Promise.all(todo.map(async (c) => {
    const label = `class ${c} '${classNames[c]}'`;
    const result = await converse(classNames[c], label, family, checks, llm);
    if ('round' in result) {
      failed.push({ classIndex: c, round: result.round, reason: result.reason });
      return;
    }
    writeFileAtomic(join(outDir, conversationFileName(c, classNames[c])), result.rounds.map(formatOfflineRound).join(''));
    written.push(c);
    log(`[agent] ${label}: conversation written`);
  }));
  written.sort((a, b) => a - b);
  failed.sort((a, b) => a.classIndex - b.classIndex);
  return { written, kept, failed };
}
