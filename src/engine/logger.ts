/**
 * Run logs in a work dir: a human-readable text log (`<timestamp>.log`, also echoed to stderr)
 * and a JSON-lines log (`<timestamp>.log.json`, one object per event) for plots and tools.
 * Lines are appended and flushed as they come, so a killed run keeps everything logged so far.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export class RunLogger {
  readonly textPath: string;
  readonly jsonPath: string;
  /** `enabled` false: a logger that writes nothing (ranks other than 0 of a multi-process run). */
  constructor(workDir: string, private readonly echo = true, private readonly enabled = true) {
    if (enabled) mkdirSync(workDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');
    this.textPath = join(workDir, `${stamp}.log`);
    this.jsonPath = join(workDir, `${stamp}.log.json`);
  }

  info(message: string): void {
    if (!this.enabled) return;
    const line = `${new Date().toISOString()} - ${message}`;
    appendFileSync(this.textPath, line + '\n');
    if (this.echo) process.stderr.write(line + '\n');
  }

  /** One structured event, e.g. {mode: 'train', epoch, iter, lr, loss, top1_acc}. */
  event(record: Record<string, unknown>): void {
    if (!this.enabled) return;
    appendFileSync(this.jsonPath, JSON.stringify(record) + '\n');
  }
}
