/**
 * Shape checks for LLM answers, derived from the rules each prompt imposes
 * (tools/text/gpt4o/gpt4o_<dataset>.py, skeletonagent/models/heads/agent.py). A check returns null
 * when the answer is usable, else a short reason. They reject only what would break the pipeline or
 * is clearly not an answer; stylistic rules (no dashes, under 70 tokens) are not enforced.
 */
import { pyStrip } from '../text/python-text.js';
import { SEPARATOR } from './conversation.js';

export type AnswerCheck = (answer: string) => string | null;

/** Openings of a declined request, as assistants phrase them. */
const REFUSAL_RE = /^(I['’]m sorry|I am sorry|Sorry,|I apologi[sz]e|I can(?:no|['’])t|I can not|I won['’]t|I['’]m (?:not able|unable)|I am (?:not able|unable)|As an AI)/i;

export function looksLikeRefusal(answer: string): boolean {
  return REFUSAL_RE.test(pyStrip(answer));
}

/**
 * A one-sentence description (rounds 5 and 6): non-empty, a single line, no leading bullet, no
 * conversation-file markup, and — when `fitsContext` is given — short enough for the CLIP text
 * context (the original crashes at tokenisation otherwise).
 */
export function checkDescription(fitsContext?: (text: string) => boolean): AnswerCheck {
  return (answer) => {
    const text = pyStrip(answer);
    if (text === '') return 'empty answer';
    if (/[\r\n]/.test(text)) return 'answer spans several lines (expected one sentence on one line)';
    if (/^[-*•·]/.test(text)) return 'answer starts with a bullet';
    if (text.includes(SEPARATOR.trim())) return 'answer contains the conversation-file separator';
    if (fitsContext && !fitsContext(text)) return 'answer is too long for the CLIP text context (77 tokens)';
    return null;
  };
}

/** Round 3: joint numbers separated by commas, all within 1..joints. */
export function checkJointList(joints: number): AnswerCheck {
  return (answer) => {
    const text = pyStrip(answer);
    if (!/^\d+(?:\s*,\s*\d+)*$/.test(text)) return 'expected joint numbers separated by ", " on one line';
    const bad = text.split(',').map((s) => Number(s.trim())).filter((n) => n < 1 || n > joints);
    return bad.length > 0 ? `joint numbers out of 1..${joints}: ${bad.join(', ')}` : null;
  };
}

/** Round 4: at least one "<number>-<joint name>: ..." line, every number within 1..joints. */
export function checkJointDescriptions(joints: number): AnswerCheck {
  return (answer) => {
    const numbers = pyStrip(answer).split('\n').map((l) => /^(\d+)-/.exec(pyStrip(l))).filter((m) => m !== null)
      .map((m) => Number(m[1]));
    if (numbers.length === 0) return 'no line of the form "<number>-<joint name>: <description>"';
    const bad = numbers.filter((n) => n < 1 || n > joints);
    return bad.length > 0 ? `joint numbers out of 1..${joints}: ${bad.join(', ')}` : null;
  };
}
