/**
 * A progress bar with rate and ETA on stderr. On a terminal it redraws one line; otherwise
 * (logs, CI) it prints a plain line when another `plainEvery` percent is done and at least
 * `plainMinSeconds` passed since the last one, and the final line: a redirected log gets a few
 * lines per pass, never one per batch, however few batches a pass has.
 */
export interface ProgressOptions {
  label: string;
  total: number;
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Percent between plain lines (default 10). */
  plainEvery?: number;
  /** Seconds at least between plain lines, the final one excepted (default 5). */
  plainMinSeconds?: number;
  /** Draws nothing (the ranks other than 0 of a multi-process run). */
  quiet?: boolean;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

export class Progress {
  private done = 0;
  private readonly start = performance.now();
  private lastDraw = 0;
  private lastPlainPercent = 0;
  private lastPlainTime = this.start;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY) && !process.env.CI;
  }

  /** Advances by n units; `info` is appended (e.g. "loss 1.23 acc 45%"). */
  tick(n = 1, info = ''): void {
    this.done += n;
    if (this.o.quiet) return;
    const now = performance.now();
    const finished = this.done >= this.o.total;
    if (this.tty) {
      if (finished || now - this.lastDraw > 100) {
        this.stream.write(`\r\x1b[K${this.line(info)}`);
        if (finished) this.stream.write('\n');
        this.lastDraw = now;
      }
      return;
    }
    const percent = Math.floor((100 * this.done) / Math.max(1, this.o.total));
    const every = this.o.plainEvery ?? 10;
    const due = Math.floor(percent / every) > Math.floor(this.lastPlainPercent / every)
      && now - this.lastPlainTime >= 1000 * (this.o.plainMinSeconds ?? 5);
    if (finished || due) {
      this.stream.write(`${this.line(info)}\n`);
      this.lastPlainPercent = percent;
      this.lastPlainTime = now;
    }
  }

  private line(info: string): string {
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = this.done / Math.max(elapsed, 1e-9);
    const eta = (this.o.total - this.done) / Math.max(rate, 1e-12);
    const width = 24;
    const filled = Math.round((width * this.done) / Math.max(1, this.o.total));
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const unit = this.o.unit ?? 'it';
    const rateText = rate >= 1 ? `${rate.toFixed(2)} ${unit}/s` : `${(1 / Math.max(rate, 1e-12)).toFixed(2)} s/${unit}`;
    return `${this.o.label} ${bar} ${this.done}/${this.o.total} [${formatDuration(elapsed)}<${formatDuration(eta)}, ${rateText}]${info ? ` ${info}` : ''}`;
  }
}
