/**
 * Data-parallel training over a c10d process group, with the semantics of the original's
 * launcher (PyTorch DDP with find_unused_parameters=True, broadcast_buffers=False):
 * - the model's state (parameters and buffers) is broadcast from rank 0 once, at the start;
 * - the gradients are averaged over the ranks during the backward by PyTorch's own DDP reducer
 *   (c10d::Reducer through the bridge): buckets of 25 MiB (DDP's bucket_cap_mb default; a first
 *   one of 1 MiB), each allreduced as soon as its gradients are ready, so the communication
 *   overlaps the rest of the backward; the parameters' gradients are views of the buckets;
 * - a parameter without a gradient on some ranks gets the average of the others' (unused
 *   parameters contribute zeros); one without a gradient on every rank keeps none;
 * - with gradient accumulation only the last micro-batch's backward reduces (DDP's no_sync);
 * - BatchNorm running statistics stay per rank (never synchronised after the start);
 * - evaluation is sharded (DistributedSampler order) and the scores gathered back into split
 *   order as mmcv's collect_results does;
 * - small shared state (the agent's statistics and descriptions) goes through `sumIntoMain` and
 *   `shareFromMain`.
 *
 * Faults: each rank marks in the rendezvous store how many collectives it has started, and which
 * one failed on it; when a collective fails (a peer died, or the timeout passed because one hangs)
 * the error names the rank(s) that fell behind, or that started it and then went silent, or rank 0
 * when its store is unreachable.
 */
import { cat, noGrad, tensor, tidy, type Tensor } from '../torch/index.js';
import type { GradientReducer, ProcessGroup } from '../torch/distributed.js';
import type { Module } from '../torch/nn/index.js';

export interface DataParallelOptions {
  /** Where this rank's model lives; the small tensors of its own collectives go there too (NCCL takes CUDA tensors only). Default 'cpu'. */
  device?: string;
  /** DDP's bucket_cap_mb: the size of the gradient buckets (MiB), default 25. */
  bucketCapMb?: number;
}

/** The reducer of one list of trainable parameters (rebuilt when the list changes). */
interface AttachedReducer {
  /** The parameters' tensor ids, joined. */
  key: string;
  reducer: GradientReducer;
}

/** How long a failed rank waits for the others that started the same collective to fail it too (at most the collective timeout). */
const SILENCE_GRACE_MS = 10_000;

export class DistributedFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DistributedFailure';
  }
}

export class DataParallel {
  private collectives = 0;
  private attached: AttachedReducer | null = null;

  readonly device: string;
  private readonly bucketBytes: number;

  constructor(readonly group: ProcessGroup, o: DataParallelOptions = {}) {
    this.device = o.device ?? 'cpu';
    const mb = o.bucketCapMb ?? 25;
    if (!(mb > 0)) throw new RangeError(`bucket cap must be > 0 MiB, got ${mb}`);
    this.bucketBytes = Math.round(mb * 1024 * 1024);
  }

  get rank(): number { return this.group.rank; }
  get worldSize(): number { return this.group.worldSize; }
  get isMain(): boolean { return this.group.rank === 0; }

  /** Rank 0's parameters and buffers into every rank's model (DDP's initial sync). */
  async broadcastState(model: Module): Promise<void> {
    const state = [...model.stateDict().values()];
    const byDtype = new Map<string, Tensor[]>();
    for (const t of state) byDtype.set(t.dtype, [...(byDtype.get(t.dtype) ?? []), t]);
    for (const group of byDtype.values()) {
      const flat = tidy(() => noGrad(() => cat(group.map((t) => t.reshape(-1)))));
      try {
        await this.collective('initial state broadcast', () => this.group.broadcast([flat], 0).wait());
        tidy(() => noGrad(() => unflattenInto(flat, group)));
      } finally {
        flat.dispose();
      }
    }
  }

  /**
   * `loss.backward()` with the gradients of `model`'s trainable parameters averaged over the
   * ranks during it (see the module comment). Afterwards each gradient is a view of a reducer
   * bucket, valid until the next reducing backward (the optimiser step uses it, `zeroGrad` drops it).
   */
  backward(model: Module, loss: Tensor): void {
    const reducer = this.reducerFor(model);
    this.collective('gradient allreduce (during backward)', () => {
      reducer.prepare([loss]);
      loss.backward();
    });
  }

  /** Whether any rank's loss since the last update was NaN/inf, so that all ranks skip the same steps. */
  async anyNonFinite(nonFinite: boolean): Promise<boolean> {
    const flag = tensor(Float32Array.of(nonFinite ? 1 : 0), [1], { device: this.device });
    try {
      await this.collective('non-finite loss check', () => this.group.allreduce([flag], 'max').wait());
      return flag.toFloat32Array()[0] > 0;
    } finally {
      flag.dispose();
    }
  }

  /**
   * Sums `counts` over the ranks into rank 0's copy and zeroes the others' (their share now lives
   * on rank 0), so that counts accumulated on every rank and read on rank 0 cover all the data.
   */
  async sumIntoMain(what: string, counts: Float64Array): Promise<void> {
    const total = tensor(counts, [counts.length], { device: this.device });
    try {
      await this.collective(what, () => this.group.allreduce([total], 'sum').wait());
      if (this.isMain) counts.set(total.toFloat64Array());
      else counts.fill(0);
    } finally {
      total.dispose();
    }
  }

  /**
   * Rank 0's `value` on every rank (others pass anything, e.g. null), as JSON through the
   * rendezvous store: for small, rare messages, whatever the backend's devices.
   */
  shareFromMain<T>(what: string, value: T): T {
    return this.collective(what, (n) => {
      const key = `shared/${n}`;
      if (this.isMain) {
        this.group.storeSet(key, JSON.stringify(value));
        return value;
      }
      return JSON.parse(this.group.storeGet(key)) as T; // waits for rank 0, up to the timeout
    });
  }

  /** The reducer's timings, as DDP logs them (`GradientReducer.stats`); null before the first reducing backward. */
  reducerStats(): Record<string, number> | null {
    return this.attached?.reducer.stats() ?? null;
  }

  /** The reducer of `model`'s trainable parameters, made on first use (and again if they change). */
  private reducerFor(model: Module): GradientReducer {
    const named = new Map<number, [string, Tensor]>();
    for (const [name, p] of model.namedParameters()) if (p.requiresGrad && !named.has(p.id)) named.set(p.id, [name, p]);
    const key = [...named.keys()].join();
    if (this.attached?.key === key) return this.attached.reducer;
    this.attached?.reducer.dispose();
    const entries = [...named.values()];
    this.attached = { key, reducer: this.group.reducer(entries.map(([, p]) => p), entries.map(([n]) => n), this.bucketBytes) };
    return this.attached.reducer;
  }

  /**
   * Scores of a sharded evaluation back in split order: rank r scored the split's samples
   * r, r + W, r + 2W, ... (padded to equal counts); `local` is [rows, cols] row-major.
   */
  async gatherRows(local: Float32Array, cols: number, total: number): Promise<Float32Array> {
    const rows = local.length / cols;
    const mine = tensor(local, [rows, cols], { device: this.device });
    let parts: Tensor[] = [];
    try {
      parts = await this.collective('evaluation gather', () => this.group.allgather(mine));
      const out = new Float32Array(total * cols);
      parts.forEach((p, r) => {
        const data = p.toFloat32Array();
        for (let i = 0; i < rows; i++) {
          const row = i * this.worldSize + r;
          if (row < total) out.set(data.subarray(i * cols, (i + 1) * cols), row * cols);
        }
      });
      return out;
    } finally {
      mine.dispose();
      for (const p of parts) p.dispose();
    }
  }

  async barrier(what: string): Promise<void> {
    await this.collective(what, () => this.group.barrier());
  }

  /**
   * Runs `body`, which starts a collective and completes it (synchronously, as the reducer's in
   * backward, or as a returned Promise), after marking this rank's progress; a failure, thrown or
   * rejected, becomes a DistributedFailure naming the rank that fell behind.
   */
  private collective<T>(what: string, body: (n: number) => T): T {
    const n = ++this.collectives;
    const fail = (err: unknown): never => { throw this.failure(what, n, err); };
    try {
      this.markProgress(n);
      const result = body(n);
      return (result instanceof Promise ? result.catch(fail) : result) as T;
    } catch (err) {
      return fail(err);
    }
  }

  private markProgress(n: number): void {
    this.group.storeSet(`progress/${this.rank}`, String(n));
  }

  private failure(what: string, n: number, err: unknown): DistributedFailure {
    try { this.group.storeSet(`failed/${this.rank}`, String(n)); } catch { /* the diagnosis reports an unreachable store */ }
    return new DistributedFailure(`rank ${this.rank}: ${what} (collective #${n}) failed: ${(err as Error).message.split('\n')[0]}\n  ${this.diagnose(n)}`);
  }

  /** Which rank fell behind or hangs inside collective #n, from the marks in the store. */
  private diagnose(n: number): string {
    let marks: number[];
    try {
      marks = Array.from({ length: this.worldSize }, (_, r) => this.readMark(`progress/${r}`));
    } catch {
      return this.rank === 0
        ? 'the rendezvous store cannot be read'
        : 'rank 0 is gone or hangs: the rendezvous store it serves cannot be reached';
    }
    const behind = marks.map((m, r) => [m, r]).filter(([m]) => m < n).map(([m, r]) => `rank ${r} (at collective #${m})`);
    if (behind.length > 0) return `${behind.join(', ')} did not reach collective #${n}: died or hangs`;
    // Every rank started collective #n. A collective that overlaps computation (the reducing
    // backward) is started long before its communication, so starting it proves little: the ranks
    // that fail it too say so in the store within about the same timeout; the silent ones hang in it.
    const inside = marks.flatMap((m, r) => (r !== this.rank && m === n ? [r] : []));
    const graceMs = Math.min(this.group.timeoutMs, SILENCE_GRACE_MS);
    const silent = this.silentRanks(inside, n, graceMs);
    return silent.length > 0
      ? `${silent.map((r) => `rank ${r}`).join(', ')} started collective #${n} but neither finished nor failed it within ${graceMs / 1000} s: died or hangs`
      : `every rank reached collective #${n}; a rank failed during it (see the other ranks' messages)`;
  }

  /** Those of `ranks` that, within `graceMs`, neither fail collective #n nor move past it (all of them if the store goes away). */
  private silentRanks(ranks: readonly number[], n: number, graceMs: number): number[] {
    let pending = [...ranks];
    const deadline = Date.now() + graceMs;
    const tick = new Int32Array(new SharedArrayBuffer(4));
    while (pending.length > 0) {
      try {
        pending = pending.filter((r) => this.readMark(`failed/${r}`) < n && this.readMark(`progress/${r}`) <= n);
      } catch {
        return pending;
      }
      if (pending.length === 0 || Date.now() >= deadline) break;
      Atomics.wait(tick, 0, 0, 100); // a synchronous pause: this rank has nothing else left to do
    }
    return pending;
  }

  private readMark(key: string): number {
    return this.group.storeHas(key) ? Number(this.group.storeGet(key)) : 0;
  }
}

/** Copies consecutive slices of `flat` into `targets` (any memory layout). */
function unflattenInto(flat: Tensor, targets: readonly Tensor[]): void {
  let offset = 0;
  for (const t of targets) {
    const n = t.numel;
    t.copy_(flat.narrow(0, offset, n).view(...t.shape));
    offset += n;
  }
}
