/**
 * Multi-process collectives on PyTorch's c10d engine (the bridge's native/src/distributed.cc):
 * a TCPStore rendezvous, a Gloo (CPU) or NCCL (CUDA) process group, and allreduce, broadcast,
 * allgather and barrier on tensors, asynchronous as in libtorch. A collective starts at once
 * and returns a Work; awaiting `work.wait()` settles off the Node thread, so the event loop
 * (data loading, progress, signals) keeps running while it is in flight, and a peer that died
 * or hangs turns into a rejected Promise after the timeout instead of a silent hang.
 *
 * `GradientReducer` is PyTorch's own DDP reducer (c10d::Reducer) on a group: the gradients are
 * averaged during the backward, bucket by bucket as they become ready.
 */
import { native, type NativeReducer, type NativeWork } from './native.js';
import { emptyLike } from './creation.js';
import type { Tensor } from './tensor.js';

export type Backend = 'gloo' | 'nccl';
export type ReduceOp = 'sum' | 'avg' | 'max' | 'min';

/** Backends this build of the bridge has (Gloo needs libgloo-dev at build time, NCCL a CUDA libtorch). */
export function availableBackends(): { gloo: boolean; nccl: boolean } {
  const n = native();
  // A bridge built before c10d was added has no c10d at all (rebuild: npm run build:native).
  return typeof n.c10dBackends === 'function' ? n.c10dBackends() : { gloo: false, nccl: false };
}

export interface GroupOptions {
  rank: number;
  worldSize: number;
  /** Where rank 0 serves the rendezvous store (torchrun's MASTER_ADDR / MASTER_PORT). */
  masterAddr: string;
  masterPort: number;
  backend: Backend;
  /** Limit for the rendezvous and for every collective (ms). */
  timeoutMs: number;
}

/** A started collective. `wait()` resolves when it has completed everywhere. */
export class Work {
  constructor(private readonly handle: NativeWork, private readonly timeoutMs: number, private readonly after?: () => void) {}

  async wait(timeoutMs = this.timeoutMs): Promise<void> {
    await native().c10dWait([this.handle], timeoutMs);
    this.after?.();
  }

  /** Waits for several works with one worker-pool thread (a shared deadline). */
  static async all(works: readonly Work[], timeoutMs?: number): Promise<void> {
    if (works.length === 0) return;
    await native().c10dWait(works.map((w) => w.handle), timeoutMs ?? Math.max(...works.map((w) => w.timeoutMs)));
    for (const w of works) w.after?.();
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/;

export class ProcessGroup {
  private constructor(
    private readonly store: number,
    private readonly group: number,
    readonly rank: number,
    readonly worldSize: number,
    readonly backend: Backend,
    readonly timeoutMs: number,
  ) {}

  /**
   * Joins the group: rank 0 serves the store on masterAddr:masterPort, every rank connects, then
   * the process group connects all pairs. Resolves when every member has joined.
   */
  static async init(o: GroupOptions): Promise<ProcessGroup> {
    if (!Number.isInteger(o.worldSize) || o.worldSize < 1) throw new RangeError(`world size must be an integer >= 1, got ${o.worldSize}`);
    if (!Number.isInteger(o.rank) || o.rank < 0 || o.rank >= o.worldSize) throw new RangeError(`rank must be an integer in [0, ${o.worldSize}), got ${o.rank}`);
    const have = availableBackends();
    if (!have[o.backend]) {
      throw new Error(o.backend === 'gloo'
        ? 'c10d Gloo is unavailable in this build of the bridge (Debian/Ubuntu: apt-get install libgloo-dev, then npm run build:native)'
        : 'c10d NCCL is unavailable: the bridge was not built against a CUDA libtorch (libtorch_cuda)');
    }
    const n = native();
    const store = await n.c10dStore(o.masterAddr, o.masterPort, o.rank === 0, o.worldSize, o.timeoutMs);
    // On loopback Gloo binds 127.0.0.1 (the host name may not resolve in containers); otherwise
    // PyTorch's default (the host name's address, or GLOO_SOCKET_IFNAME).
    const deviceHost = LOOPBACK.test(o.masterAddr) ? '127.0.0.1' : null;
    const group = await n.c10dNewGroup(store, o.rank, o.worldSize, o.backend, o.timeoutMs, deviceHost);
    return new ProcessGroup(store, group, o.rank, o.worldSize, o.backend, o.timeoutMs);
  }

  /** In place on `tensors` (one per local device; usually one). 'avg' is a sum divided by the world size. */
  allreduce(tensors: readonly Tensor[], op: ReduceOp = 'sum'): Work {
    const h = native().c10dAllreduce(this.group, tensors.map((t) => t.id), op === 'avg' ? 'sum' : op);
    const after = op === 'avg' ? () => { for (const t of tensors) t.mul_(1 / this.worldSize); } : undefined;
    return new Work(h, this.timeoutMs, after);
  }

  /** Rank `root`'s values into every rank's `tensors`, in place. */
  broadcast(tensors: readonly Tensor[], root = 0): Work {
    return new Work(native().c10dBroadcast(this.group, tensors.map((t) => t.id), root), this.timeoutMs);
  }

  /** Every rank's `input` (same shape everywhere); the result's r-th tensor is rank r's (the caller disposes them). */
  async allgather(input: Tensor): Promise<Tensor[]> {
    const outputs = Array.from({ length: this.worldSize }, () => emptyLike(input));
    try {
      await new Work(native().c10dAllgather(this.group, input.id, outputs.map((t) => t.id)), this.timeoutMs).wait();
    } catch (err) {
      for (const t of outputs) t.dispose();
      throw err;
    }
    return outputs;
  }

  async barrier(): Promise<void> {
    await new Work(native().c10dBarrier(this.group), this.timeoutMs).wait();
  }

  // A few bytes through the rendezvous store (progress marks, fault diagnosis).
  storeSet(key: string, value: string): void { native().c10dStoreSet(this.store, key, value); }
  storeGet(key: string): string { return native().c10dStoreGet(this.store, key); }
  storeHas(key: string): boolean { return native().c10dStoreCheck(this.store, key); }
  storeAdd(key: string, by: number): number { return native().c10dStoreAdd(this.store, key, by); }

  /**
   * PyTorch's DDP reducer over `params` (trainable leaves, each once; `names` for its messages),
   * with DDP's settings: buckets of `bucketCapBytes` (a first one of 1 MiB) filled in parameter
   * order and reduced in reverse, find_unused_parameters=True, gradient_as_bucket_view=True.
   */
  reducer(params: readonly Tensor[], names: readonly string[], bucketCapBytes: number): GradientReducer {
    return new GradientReducer(native().c10dReducer(this.group, params.map((p) => p.id), [...names], bucketCapBytes));
  }

  /** Drops this process's references (a group with a collective still in flight is left to exit). */
  destroy(): void {
    native().c10dDestroy(this.group);
    native().c10dDestroy(this.store);
  }
}

/**
 * Averages the gradients of its parameters over the group during the next backward after
 * `prepare` (DDP's forward then backward): each bucket's allreduce starts as soon as its
 * gradients are ready, and `backward()` returns once all are averaged. Afterwards each
 * parameter's `.grad` is a view of its bucket; a parameter that got no gradient on a rank counts
 * as zeros there, and one that got none on any rank keeps none. Backward passes without
 * `prepare` only accumulate locally (DDP's no_sync). A failed or timed-out collective throws from
 * that `backward()` (after the group's timeout).
 */
export class GradientReducer {
  constructor(private handle: NativeReducer | null) {}

  /** The next backward from `outputs` averages the gradients. */
  prepare(outputs: readonly Tensor[]): void {
    if (!this.handle) throw new Error('c10d reducer: used after dispose()');
    native().c10dReducerPrepare(this.handle, outputs.map((t) => t.id));
  }

  /**
   * DDP's logging fields (`DistributedDataParallel._get_ddp_logging_data()`'s integers): among
   * them avg_backward_compute_time, avg_backward_comm_time and
   * avg_backward_compute_comm_overlap_time, in ns, averaged over the iterations DDP samples
   * (the first ten, then every hundredth) before the current one.
   */
  stats(): Record<string, number> {
    if (!this.handle) throw new Error('c10d reducer: used after dispose()');
    return native().c10dReducerStats(this.handle);
  }

  /** Removes the reducer's hooks from the parameters. */
  dispose(): void {
    if (this.handle) native().c10dReducerDestroy(this.handle);
    this.handle = null;
  }
}
