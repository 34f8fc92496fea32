/**
 * Data-parallel training over a c10d process group, with the semantics of the original's
 * launcher (PyTorch DDP with find_unused_parameters=True, broadcast_buffers=False):
 * - the model's state (parameters and buffers) is broadcast from rank 0 once, at the start;
 * - after each backward the gradients are averaged over the ranks, in buckets of about 25 MiB
 *   (DDP's bucket_cap_mb) in reverse parameter order, all buckets in flight before one wait.
 *   The bridge has no autograd hooks, so the allreduce follows the backward instead of
 *   overlapping it (DDP starts a bucket as soon as its gradients are ready);
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
import { cat, noGrad, tensor, tidy, zeros, type Tensor } from '../torch/index.js';
import { ProcessGroup, Work } from '../torch/distributed.js';
import type { Module } from '../torch/nn/index.js';

const BUCKET_BYTES = 25 * 1024 * 1024;

export class DistributedFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DistributedFailure';
  }
}

export class DataParallel {
  private collectives = 0;

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
   * Averages the gradients of `params` over the ranks, in place (see the module comment).
   * `nonFinite`: this rank's loss was NaN/inf; resolves with whether any rank's was (so that all
   * ranks skip the same steps).
   */
  async averageGradients(params: readonly Tensor[], nonFinite = false): Promise<boolean> {
    const trainable = params.filter((p) => p.requiresGrad);
    const grads = trainable.map((p) => p.grad);
    const buckets: { members: number[]; flat: Tensor }[] = [];
    // One small allreduce: which parameters have a gradient anywhere, and whether any loss was NaN/inf.
    const used = tensor(Float32Array.from([...grads.map((g) => (g ? 1 : 0)), nonFinite ? 1 : 0]), [grads.length + 1]);
    try {
      noGrad(() => {
        let members: number[] = [];
        let bytes = 0;
        const close = () => {
          if (members.length === 0) return;
          const parts = members;
          buckets.push({ members, flat: tidy(() => cat(parts.map((i) => grads[i] ? grads[i]!.reshape(-1) : zeros([trainable[i].numel], { dtype: trainable[i].dtype, device: trainable[i].device })))) });
          members = []; bytes = 0;
        };
        for (let i = trainable.length - 1; i >= 0; i--) {
          members.push(i);
          bytes += trainable[i].numel * 4;
          if (bytes >= BUCKET_BYTES) close();
        }
        close();
      });
      await this.run('gradient allreduce', () => [this.group.allreduce([used], 'sum'), ...buckets.map((b) => this.group.allreduce([b.flat], 'avg'))]);
      const usedAnywhere = used.toFloat32Array();
      tidy(() => noGrad(() => {
        for (const b of buckets) {
          let offset = 0;
          for (const i of b.members) {
            const n = trainable[i].numel;
            const avg = b.flat.narrow(0, offset, n).view(...trainable[i].shape);
            offset += n;
            if (grads[i]) grads[i]!.copy_(avg);
            else if (usedAnywhere[i] > 0) trainable[i].grad = avg.clone();
          }
        }
      }));
      return usedAnywhere[grads.length] > 0;
    } finally {
      used.dispose();
      for (const g of grads) g?.dispose();
      for (const b of buckets) b.flat.dispose();
    }
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
