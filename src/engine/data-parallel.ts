/**
 * Data-parallel training over a c10d process group, with the semantics of the original's
 * launcher (PyTorch DDP with find_unused_parameters=True, broadcast_buffers=False):
 * - the model's state (parameters and buffers) is broadcast from rank 0 once, at the start;
 * - after each backward the gradients are averaged over the ranks, in buckets of about 25 MiB
 *   (DDP's bucket_cap_mb) in reverse parameter order, all buckets in flight before one wait.
 *   The buckets are flat buffers made once: each gradient is copied into its slice, the bucket is
 *   reduced in place, and the parameters' gradients become views of their slices (no copy back,
 *   no allocation per step). The bridge has no autograd hooks, so the allreduce follows the
 *   backward instead of overlapping it (DDP starts a bucket as soon as its gradients are ready);
 * - a parameter without a gradient on some ranks gets the average of the others' (as DDP, where
 *   unused parameters contribute zeros); one without a gradient on every rank keeps none;
 * - BatchNorm running statistics stay per rank (never synchronised after the start);
 * - evaluation is sharded (DistributedSampler order) and the scores gathered back into split
 *   order as mmcv's collect_results does.
 *
 * Faults: each rank marks in the rendezvous store how many collectives it has started; when a
 * collective fails (a peer died, or the timeout passed because one hangs) the error names the
 * rank(s) that fell behind, or rank 0 when its store is unreachable.
 */
import { cat, empty, keep, noGrad, tensor, tidy, type DType, type Tensor } from '../torch/index.js';
import { ProcessGroup, Work } from '../torch/distributed.js';
import type { Module } from '../torch/nn/index.js';

const BUCKET_BYTES = 25 * 1024 * 1024;
const ELEMENT_BYTES: Partial<Record<DType, number>> = { float16: 2, bfloat16: 2, float32: 4, float64: 8 };

/** A persistent flat buffer a group of gradients is averaged in (one dtype and device). */
interface Bucket {
  /** Indices into the trainable parameters, in bucket order. */
  members: number[];
  flat: Tensor;
  /** The members' slices of `flat`, shaped as their parameters. */
  views: Tensor[];
}

/** The buckets of one list of trainable parameters (rebuilt when the list changes). */
interface BucketLayout {
  paramIds: number[];
  buckets: Bucket[];
}

export class DistributedFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DistributedFailure';
  }
}

export class DataParallel {
  private collectives = 0;
  private layout: BucketLayout | null = null;

  constructor(readonly group: ProcessGroup) {}

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
        await this.run('initial state broadcast', () => [this.group.broadcast([flat], 0)]);
        tidy(() => noGrad(() => unflattenInto(flat, group)));
      } finally {
        flat.dispose();
      }
    }
  }

  /**
   * Averages the gradients of `params` over the ranks (see the module comment). Afterwards each
   * gradient is a view of a persistent bucket, valid until the next call (the optimiser step uses
   * it, `zeroGrad` drops it). `nonFinite`: this rank's loss was NaN/inf; resolves with whether any
   * rank's was (so that all ranks skip the same steps).
   */
  async averageGradients(params: readonly Tensor[], nonFinite = false): Promise<boolean> {
    const trainable = params.filter((p) => p.requiresGrad);
    const { buckets } = this.bucketsFor(trainable);
    const grads = trainable.map((p) => p.grad);
    // One small allreduce: which parameters have a gradient anywhere, and whether any loss was NaN/inf.
    const used = tensor(Float32Array.from([...grads.map((g) => (g ? 1 : 0)), nonFinite ? 1 : 0]), [grads.length + 1]);
    try {
      noGrad(() => {
        for (const b of buckets) {
          b.members.forEach((i, k) => { const g = grads[i]; if (g) b.views[k].copy_(g); else b.views[k].zero_(); });
        }
      });
      await this.run('gradient allreduce', () => [this.group.allreduce([used], 'sum'), ...buckets.map((b) => this.group.allreduce([b.flat], 'avg'))]);
      const usedAnywhere = used.toFloat32Array();
      for (const b of buckets) {
        b.members.forEach((i, k) => { if (usedAnywhere[i] > 0) trainable[i].grad = b.views[k]; });
      }
      return usedAnywhere[grads.length] > 0;
    } finally {
      used.dispose();
      for (const g of grads) g?.dispose();
    }
  }

  /**
   * The buckets of `trainable`, made on first use: per dtype and device, filled in reverse
   * parameter order up to BUCKET_BYTES each (DDP's assignment).
   */
  private bucketsFor(trainable: readonly Tensor[]): BucketLayout {
    const paramIds = trainable.map((p) => p.id);
    if (this.layout && this.layout.paramIds.length === paramIds.length && this.layout.paramIds.every((id, i) => id === paramIds[i])) return this.layout;
    this.releaseBuckets();
    const open = new Map<string, { members: number[]; bytes: number }>();
    const groups: number[][] = [];
    for (let i = trainable.length - 1; i >= 0; i--) {
      const p = trainable[i];
      const key = `${p.dtype}@${p.device}`;
      const b = open.get(key) ?? { members: [], bytes: 0 };
      open.set(key, b);
      b.members.push(i);
      b.bytes += p.numel * (ELEMENT_BYTES[p.dtype] ?? 4);
      if (b.bytes >= BUCKET_BYTES) { groups.push(b.members); open.delete(key); }
    }
    for (const b of open.values()) groups.push(b.members);
    const buckets = groups.map((members) => {
      const first = trainable[members[0]];
      const flat = keep(empty([members.reduce((n, i) => n + trainable[i].numel, 0)], { dtype: first.dtype, device: first.device }));
      let offset = 0;
      const views = members.map((i) => {
        const p = trainable[i];
        const view = keep(tidy(() => flat.narrow(0, offset, p.numel).view(...p.shape)));
        offset += p.numel;
        return view;
      });
      return { members, flat, views };
    });
    this.layout = { paramIds, buckets };
    return this.layout;
  }

  /** Frees the persistent buckets (gradients that are views of them keep their memory alive). */
  private releaseBuckets(): void {
    for (const b of this.layout?.buckets ?? []) {
      b.flat.dispose();
      for (const v of b.views) v.dispose();
    }
    this.layout = null;
  }

  /**
   * Scores of a sharded evaluation back in split order: rank r scored the split's samples
   * r, r + W, r + 2W, ... (padded to equal counts); `local` is [rows, cols] row-major.
   */
  async gatherRows(local: Float32Array, cols: number, total: number): Promise<Float32Array> {
    const rows = local.length / cols;
    const mine = tensor(local, [rows, cols]);
    let parts: Tensor[] = [];
    try {
      await this.run('evaluation gather', () => [], async () => { parts = await this.group.allgather(mine); });
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
    await this.run(what, () => [], () => this.group.barrier());
  }

  /** Starts a collective (marking this rank's progress first), waits, and names the culprit on failure. */
  private async run(what: string, start: () => Work[], waitOther?: () => Promise<void>): Promise<void> {
    const n = ++this.collectives;
    try {
      this.group.storeSet(`progress/${this.rank}`, String(n));
      const works = start();
      await Work.all(works);
      await waitOther?.();
    } catch (err) {
      throw new DistributedFailure(`rank ${this.rank}: ${what} (collective #${n}) failed: ${(err as Error).message.split('\n')[0]}\n  ${this.diagnose(n)}`);
    }
  }

  /** Which rank fell behind, from the progress marks in the store. */
  private diagnose(n: number): string {
    let marks: number[];
    try {
      marks = Array.from({ length: this.worldSize }, (_, r) => (this.group.storeHas(`progress/${r}`) ? Number(this.group.storeGet(`progress/${r}`)) : 0));
    } catch {
      return this.rank === 0
        ? 'the rendezvous store cannot be read'
        : 'rank 0 is gone or hangs: the rendezvous store it serves cannot be reached';
    }
    const behind = marks.map((m, r) => [m, r]).filter(([m]) => m < n).map(([m, r]) => `rank ${r} (at collective #${m})`);
    return behind.length > 0
      ? `${behind.join(', ')} did not reach collective #${n}: died or hangs`
      : `every rank reached collective #${n}; a rank failed during it (see the other ranks' messages)`;
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
