/**
 * Conversation files (as skeletonagent/models/heads/agent.py reads them, `get_description`): one
 * text file per class holding the LLM dialogue, read and written in the original's exact byte
 * format.
 *
 *   "\nRound r Question:\n" + Q + "\n\nRound r Answer:\n" + A + "\n\n" + "="*80 + "\n"   per round
 *
 * Two writers exist in the original: the offline generator (asterisks removed, whitespace-only lines
 * emptied, `formatOfflineRound`) and the online Questioner (rounds re-serialised from the lenient
 * parse in `Interaction.update_description`, `followUpHistory` + `formatOnlineConversation`).
 * `extractDescription` is `get_description`, including its dependence on the round count.
 */
import { pyStrip } from '../text/python-text.js';

export const SEPARATOR = '='.repeat(80) + '\n';

export interface Round {
  /** The number written after "Round" (1-based; the offline generator skips numbers of failed rounds). */
  readonly number: number;
  readonly question: string;
  readonly answer: string;
}

export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** `NNN_<name>.txt`: 1-based class number padded to 3 digits, '/' and ' ' in the name become '_'. */
export function conversationFileName(classIndex: number, className: string): string {
  return `${String(classIndex + 1).padStart(3, '0')}_${className.replace(/[/ ]/g, '_')}.txt`;
}

/** One round in the common layout, separator included. */
export function formatRound(round: Round): string {
  return `\nRound ${round.number} Question:\n${round.question}\n\nRound ${round.number} Answer:\n${round.answer}\n\n${SEPARATOR}`;
}

/**
 * One round as the offline generator stores it: every '*' of the block removed and lines holding
 * only whitespace emptied (the first line is empty anyway). Trailing spaces of other lines are kept.
 */
export function formatOfflineRound(round: Round): string {
  return formatRound(round).replaceAll('*', '').split('\n')
    .map((line, i) => (i > 0 && pyStrip(line) === '' ? '' : line)).join('\n');
}

export function formatConversation(rounds: readonly Round[]): string {
  return rounds.map(formatRound).join('');
}

const ROUND_RE = /^\nRound (\d+) Question:\n([\s\S]*?)\n\nRound \1 Answer:\n([\s\S]*)\n\n$/;

/**
 * Exact structural parse: every round is recovered with its number, question and answer such that
 * `formatConversation(parseConversation(t)) === t`. Throws, naming `where`, on any other layout.
 */
export function parseConversation(text: string, where: string): Round[] {
  if (!text.endsWith(SEPARATOR)) throw new Error(`${where}: a conversation file must end with a line of 80 '=' characters`);
  const pieces = text.split(SEPARATOR).slice(0, -1);
  return pieces.map((piece, i) => {
    const m = ROUND_RE.exec(piece);
    if (!m) {
      throw new Error(`${where}: block ${i + 1} is not "\\nRound r Question:\\n<question>\\n\\nRound r Answer:\\n<answer>\\n\\n" followed by the separator`);
    }
    return { number: Number(m[1]), question: m[2], answer: m[3] };
  });
}

/**
 * `get_description`: with R = number of separator-terminated pieces, take piece R−1, trim it,
 * and keep the trimmed text after the last "Round R Answer:\n". When the last round is not numbered
 * R (a skipped offline round) the marker is absent and the whole trimmed piece is returned, as in
 * the original.
 */
export function extractDescription(text: string): string {
  const pieces = text.split(SEPARATOR);
  const rounds = pieces.length - 1;
  // Python's pieces[R-1] with R = 0 is pieces[-1].
  const piece = pyStrip(pieces[rounds > 0 ? rounds - 1 : pieces.length - 1]);
  const parts = piece.split(`Round ${rounds} Answer:\n`);
  return pyStrip(parts[parts.length - 1]);
}

/**
 * The message history the Questioner rebuilds from a file (`Interaction.update_description`):
 * pieces between separators, trimmed, non-empty, starting with "Round", at most `maxRounds`; inside
 * each, trimmed non-empty lines go to the question or answer opened by the last "Round …
 * Question:/Answer:" line. A round contributes a (user, assistant) pair only when both parts are
 * non-empty.
 */
export function followUpHistory(text: string, maxRounds = 5): ChatMessage[] {
  const pieces = text.split(SEPARATOR).map(pyStrip).filter((p) => p.length > 0 && p.startsWith('Round')).slice(0, maxRounds);
  const messages: ChatMessage[] = [];
  for (const piece of pieces) {
    const question: string[] = [];
    const answer: string[] = [];
    let open: string[] | null = null;
    for (const raw of piece.split('\n')) {
      const line = pyStrip(raw);
      if (line === '') continue;
      const marker = !line.startsWith('Round') ? null
        : line.includes('Question:') ? 'Question:' : line.includes('Answer:') ? 'Answer:' : null;
      if (marker) {
        open = marker === 'Question:' ? question : answer;
        const rest = pyStrip(line.slice(line.indexOf(marker) + marker.length));
        if (rest !== '') open.push(rest);
      } else if (open) {
        open.push(line);
      }
    }
    if (question.length > 0 && answer.length > 0) {
      messages.push({ role: 'user', content: question.join('\n') }, { role: 'assistant', content: answer.join('\n') });
    }
  }
  return messages;
}

/**
 * The online writer (`Interaction.update_description`): (user, assistant) pairs as rounds 1, 2, …
 * in the common layout.
 */
export function formatOnlineConversation(messages: readonly ChatMessage[]): string {
  const rounds: Round[] = [];
  for (let i = 0; i + 1 < messages.length; i += 2) {
    rounds.push({ number: rounds.length + 1, question: messages[i].content, answer: messages[i + 1].content });
  }
  return formatConversation(rounds);
}
