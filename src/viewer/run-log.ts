/**
 * Reads a training run's JSON-lines logs (engine/logger.ts) while the run may still be writing
 * them: only complete lines count; a last line without its newline is being written (or was cut
 * by a crash) and is reported, not parsed; a line that is not a JSON object is reported by number.
 * A resumed run has several logs; they are read in name (= start time) order.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface LogProblem {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly problem: string;
}

export interface RunLog {
  /** The log files read, in order. */
  readonly files: string[];
  /** Every event of every file, in order. */
  readonly events: Record<string, unknown>[];
  readonly problems: LogProblem[];
  /** Total bytes read, a cheap change detector for polling. */
  readonly size: number;
  /** Latest modification time of the logs (ms since the epoch). */
  readonly modified: number;
  /** The config name from the text log's "training <config>:" line, when found. */
  readonly config: string | null;
}

const TRAINING_LINE = / - training (\S+): /;

export function parseJsonLines(text: string, file: string): { events: Record<string, unknown>[]; problems: LogProblem[] } {
  const events: Record<string, unknown>[] = [];
  const problems: LogProblem[] = [];
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const v = JSON.parse(line) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      events.push(v as Record<string, unknown>);
    } catch {
      problems.push({ file, line: i + 1, problem: `not a JSON object: ${line.slice(0, 80)}` });
    }
  });
  if (tail.trim() !== '') problems.push({ file, line: lines.length + 1, problem: 'incomplete last line (being written, or truncated)' });
  return { events, problems };
}

export function readRunLog(dir: string): RunLog {
  const files = readdirSync(dir).filter((n) => n.endsWith('.log.json')).sort();
  const events: Record<string, unknown>[] = [];
  const problems: LogProblem[] = [];
  let size = 0;
  let modified = 0;
  let config: string | null = null;
  for (const name of files) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
      modified = Math.max(modified, statSync(join(dir, name)).mtimeMs);
    } catch (err) {
      problems.push({ file: name, line: 0, problem: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      continue;
    }
    size += text.length;
    const parsed = parseJsonLines(text, name);
    events.push(...parsed.events);
    problems.push(...parsed.problems);
    if (config === null) {
      try {
        const m = TRAINING_LINE.exec(readFileSync(join(dir, name.slice(0, -'.json'.length)), 'utf8'));
        if (m) config = m[1];
      } catch { /* the text log is optional */ }
    }
  }
  if (files.length === 0) problems.push({ file: '', line: 0, problem: 'no *.log.json in this folder' });
  return { files, events, problems, size, modified, config };
}
