/**
 * A bounded pool for model runs shared by every request and stream of a server: at most
 * `concurrency` run at once, at most `queue` wait; beyond that `run` refuses at once (the server
 * answers 503) instead of letting latency and memory grow without bound.
 */
export class PoolFullError extends Error {
  constructor(readonly concurrency: number, readonly queue: number) {
    super(`busy: ${concurrency} recognitions running and ${queue} waiting; retry later`);
    this.name = 'PoolFullError';
  }
}

export class BoundedPool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly concurrency: number, readonly queue: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`pool concurrency must be a positive integer, got ${concurrency}`);
    if (!Number.isInteger(queue) || queue < 0) throw new Error(`pool queue must be a non-negative integer, got ${queue}`);
  }

  get running(): number { return this.active; }
  get queued(): number { return this.waiting.length; }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.queue) throw new PoolFullError(this.concurrency, this.queue);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.active--;
    }
  }
}
