/**
 * Batches for training and evaluation. With workers > 0 the pipelines run in worker threads
 * and prefetch ahead of the consumer, so data preparation overlaps the engine's compute.
 */
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { SampleSource, sampleSeed, type Sample, type SampleSourceSpec, type WorkerSourceSpec } from './samples.js';
import { RunAnnotations } from './annotations.js';
import { PythonRandom } from '../rng/index.js';
import { distributedIndices, samplesPerRank } from './distributed-sampler.js';

export interface Batch {
  /** [B, clips, M, T, V, C], C order. */
  keypoint: Float32Array;
  shape: number[];
  labels: Int32Array;
  /** Dataset indices of the batch's samples. */
  indices: number[];
}

export interface LoaderOptions {
  batchSize: number;
  workers: number;
  shuffle: boolean;
  seed: number;
  /** Samples requested ahead of the consumer (default 2 batches). */
  prefetch?: number;
  /**
   * Multi-process runs: this rank's share of every epoch, PyTorch's DistributedSampler order
   * (engine/distributed-sampler.ts). Without it one process visits the whole split.
   */
  shard?: { rank: number; worldSize: number };
}

interface Pending { resolve: (s: Sample) => void; reject: (e: Error) => void }

export class BatchLoader {
  private readonly local: SampleSource | null;
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  readonly length: number;
  readonly labels: readonly number[];

  private readonly annotations: RunAnnotations;
  private readonly ownsAnnotations: boolean;

  /**
   * `annotations`: the run's opened annotation files, shared with its other loaders (the
   * caller closes them); without it the loader opens its own.
   */
  constructor(spec: SampleSourceSpec, private readonly o: LoaderOptions, annotations?: RunAnnotations) {
    this.annotations = annotations ?? new RunAnnotations();
    this.ownsAnnotations = !annotations;
    // The main thread keeps a source too: it knows lengths and labels, and runs the pipeline when workers = 0.
    this.local = SampleSource.open(spec, this.annotations);
    this.length = this.local.length;
    this.labels = this.local.labels;
    const workerData: WorkerSourceSpec | null = o.workers > 0 ? { spec, store: this.annotations.storeFor(this.local.annFile) } : null;
    for (let w = 0; w < o.workers; w++) {
      const worker = new Worker(new URL('./loader-worker.js', import.meta.url), { workerData });
      worker.on('message', (m: { id: number; error?: string; exitCode?: number; shape: number[]; data: Float32Array; label: number }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error) p.reject(new UserError(m.error, m.exitCode));
        else p.resolve({ keypoint: { dtype: 'float32', shape: m.shape, data: m.data }, label: m.label });
      });
      worker.on('error', (err) => { for (const p of this.pending.values()) p.reject(err); this.pending.clear(); });
      this.workers.push(worker);
    }
  }

  /** Samples this process visits per epoch: the split, or this rank's padded share of it. */
  get samplesPerEpoch(): number {
    return this.o.shard ? samplesPerRank(this.length, this.o.shard.worldSize) : this.length;
  }

  /** Number of batches per epoch (the last one may be smaller: the original does not drop it). */
  get batchesPerEpoch(): number { return Math.ceil(this.samplesPerEpoch / this.o.batchSize); }

  /** The sample order of an epoch: a seeded shuffle for training, dataset order otherwise. */
  order(epoch: number): number[] {
    const shard = this.o.shard;
    if (shard) return distributedIndices({ size: this.length, ...shard, seed: this.o.seed, epoch, shuffle: this.o.shuffle });
    const idx = Array.from({ length: this.length }, (_, i) => i);
    if (this.o.shuffle) new PythonRandom(sampleSeed(this.o.seed, epoch, -1)).shuffle(idx);
    return idx;
  }

  private fetch(index: number, seed: number): Promise<Sample> {
    if (this.workers.length === 0) {
      try { return Promise.resolve(this.local!.get(index, seed)); } catch (err) { return Promise.reject(err); }
    }
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, index, seed });
    });
  }

  /** The batches of one epoch, in order; `skipBatches` resumes mid-epoch. */
  async *epoch(epoch: number, skipBatches = 0): AsyncGenerator<Batch> {
    const order = this.order(epoch).slice(skipBatches * this.o.batchSize);
    const ahead = Math.max(this.o.prefetch ?? 2 * this.o.batchSize, this.o.batchSize);
    const inflight: Promise<Sample>[] = [];
    let requested = 0;
    const request = () => {
      while (requested < order.length && inflight.length < ahead) {
        const index = order[requested++];
        const p = this.fetch(index, sampleSeed(this.o.seed, epoch, index));
        p.catch(() => undefined); // rejections are observed when the batch awaits them
        inflight.push(p);
      }
    };
    for (let start = 0; start < order.length; start += this.o.batchSize) {
      request();
      const size = Math.min(this.o.batchSize, order.length - start);
      const samples: Sample[] = [];
      for (let i = 0; i < size; i++) {
        samples.push(await inflight.shift()!);
        request();
      }
      yield stackBatch(samples, order.slice(start, start + size));
    }
  }

  async close(): Promise<void> {
    this.local?.close();
    await Promise.all(this.workers.map((w) => w.terminate()));
    if (this.ownsAnnotations) this.annotations.close();
  }
}

function stackBatch(samples: Sample[], indices: number[]): Batch {
  const shape0 = samples[0].keypoint.shape;
  const per = samples[0].keypoint.data.length;
  const keypoint = new Float32Array(per * samples.length);
  samples.forEach((s, i) => {
    if (s.keypoint.data.length !== per) {
      throw new UserError(`sample ${indices[i]}: network input [${s.keypoint.shape.join(', ')}] differs from the batch's [${shape0.join(', ')}]`);
    }
    keypoint.set(s.keypoint.data, i * per);
  });
  return { keypoint, shape: [samples.length, ...shape0], labels: Int32Array.from(samples, (s) => s.label), indices };
}
