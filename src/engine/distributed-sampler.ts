/**
 * PyTorch's DistributedSampler (torch/utils/data/distributed.py), index for index: the epoch's
 * order is torch.randperm(n) from a torch.Generator seeded with seed + epoch (libtorch's own
 * generator and kernel through the bridge, so exact by construction) or the identity; it is
 * padded by repeating its head to a multiple of the world size (or cut, with dropLast) and each
 * rank takes every worldSize-th index starting at its rank.
 */
import { randpermSeeded } from '../torch/creation.js';

export interface ShardSpec {
  /** Dataset length. */
  size: number;
  worldSize: number;
  rank: number;
  seed: number;
  epoch: number;
  shuffle: boolean;
  dropLast?: boolean;
}

/** Samples each rank gets per epoch (DistributedSampler.num_samples). */
export function samplesPerRank(size: number, worldSize: number, dropLast = false): number {
  return dropLast && size % worldSize !== 0 ? Math.ceil((size - worldSize) / worldSize) : Math.ceil(size / worldSize);
}

/** The dataset indices rank `rank` visits in epoch `epoch`, in order. */
export function distributedIndices(s: ShardSpec): number[] {
  if (!Number.isInteger(s.worldSize) || s.worldSize < 1) throw new RangeError(`world size must be an integer >= 1, got ${s.worldSize}`);
  if (!Number.isInteger(s.rank) || s.rank < 0 || s.rank >= s.worldSize) throw new RangeError(`rank must be in [0, ${s.worldSize}), got ${s.rank}`);
  const numSamples = samplesPerRank(s.size, s.worldSize, s.dropLast);
  const totalSize = numSamples * s.worldSize;
  let indices: number[];
  if (s.shuffle) {
    const perm = randpermSeeded(s.size, s.seed + s.epoch);
    try { indices = Array.from(perm.dataSync() as BigInt64Array, Number); } finally { perm.dispose(); }
  } else {
    indices = Array.from({ length: s.size }, (_, i) => i);
  }
  if (!s.dropLast) {
    const padding = totalSize - indices.length;
    if (padding <= indices.length) indices = indices.concat(indices.slice(0, padding));
    else indices = indices.concat(Array.from({ length: Math.ceil(padding / indices.length) }, () => indices).flat().slice(0, padding));
  } else {
    indices = indices.slice(0, totalSize);
  }
  const mine: number[] = [];
  for (let i = s.rank; i < totalSize; i += s.worldSize) mine.push(indices[i]);
  return mine;
}
