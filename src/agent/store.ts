/**
 * Where a run's conversation files live (`Interaction` in skeletonagent/models/heads/agent.py).
 * Reading starts in the source directory (the shipped or `agent init` files); the first online
 * update copies every class file into the run's own directory and from then on reads and writes
 * only there, so the source is never modified and a work dir always holds a complete, consistent
 * set. Every write is atomic.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { pyStrip } from '../text/python-text.js';
import { conversationFileName, extractDescription } from './conversation.js';

/** Class names from a label map: one per line, UTF-8, line i = class i; blank lines are refused. */
export function readLabelMap(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the label map '${path}': ${(err as Error).message}`);
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, i) => {
    const name = pyStrip(line);
    if (name === '') throw new Error(`${path}:${i + 1}: empty class name (expected one class name per line)`);
    return name;
  });
}

export type MissingFilePolicy =
  /** Refuse: a missing class file is an error naming it. */
  | 'error'
  /** The original's behaviour: leave the class out, which shifts every later class's index. */
  | 'skip';

export class ConversationStore {
  private current: string;

  /**
   * @param classNames label-map order
   * @param sourceDir directory read until the first update
   * @param runDir this run's own copy (created at the first update)
   */
  constructor(readonly classNames: readonly string[], readonly sourceDir: string, readonly runDir: string) {
    this.current = sourceDir;
  }

  get currentDir(): string {
    return this.current;
  }

  get switched(): boolean {
    return this.current === this.runDir;
  }

  fileName(classIndex: number): string {
    return conversationFileName(classIndex, this.classNames[classIndex]);
  }

  path(classIndex: number): string {
    return join(this.current, this.fileName(classIndex));
  }

  /** The class file's text, or null when it does not exist. */
  read(classIndex: number): string | null {
    const path = this.path(classIndex);
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  }

  /** Paths of classes whose file is missing in the current directory. */
  missing(): string[] {
    return this.classNames.map((_, c) => this.path(c)).filter((p) => !existsSync(p));
  }

  /** Copies every class file into the run directory (unchanged bytes) and reads from there on. */
  switchToRunDir(): void {
    if (this.switched) return;
    mkdirSync(this.runDir, { recursive: true });
    this.classNames.forEach((_, c) => {
      const from = this.path(c);
      if (existsSync(from)) writeFileAtomic(join(this.runDir, this.fileName(c)), readFileSync(from));
    });
    this.current = this.runDir;
  }

  /** Continues a previous run: reads from the run directory if it holds every class file. */
  resumeFromRunDir(): boolean {
    const complete = this.classNames.every((_, c) => existsSync(join(this.runDir, this.fileName(c))));
    if (complete) this.current = this.runDir;
    return complete;
  }

  /** Atomically replaces a class file in the run directory (switching to it first). */
  write(classIndex: number, text: string): void {
    this.switchToRunDir();
    writeFileAtomic(this.path(classIndex), text);
  }

  /**
   * The current description of every class (`get_description` in label-map order). With 'skip', a
   * missing file is left out as the original does, and `classIndex` of the result tells which
   * class each description belongs to.
   */
  descriptions(policy: MissingFilePolicy = 'error'): { classIndex: number; text: string }[] {
    const out: { classIndex: number; text: string }[] = [];
    this.classNames.forEach((_, c) => {
      const text = this.read(c);
      if (text === null) {
        if (policy === 'error') throw new Error(`conversation file missing: ${this.path(c)}`);
        return;
      }
      out.push({ classIndex: c, text: extractDescription(text) });
    });
    return out;
  }
}
