/** DistributedSampler index lists equal PyTorch's for many (size, world, rank, seed, epoch, shuffle). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { torchAvailable } from '../../src/torch/index.js';
import { distributedIndices, samplesPerRank } from '../../src/engine/distributed-sampler.js';
import { needPythonTorch, runPythonJson } from '../torch/python-torch.js';

const skip = !torchAvailable() ? 'SKIPPED: libtorch bridge not built' : needPythonTorch();

const CASES: { size: number; worldSize: number; seed: number; epoch: number; shuffle: boolean; dropLast: boolean }[] = [];
for (const size of [1, 2, 3, 7, 10, 33, 100, 1000, 40091])
  for (const worldSize of [1, 2, 3, 4, 8])
    for (const [seed, epoch] of [[0, 0], [0, 1], [42, 7], [1234567, 149]])
      for (const shuffle of [true, false])
        for (const dropLast of size >= worldSize ? [false, true] : [false]) CASES.push({ size, worldSize, seed, epoch, shuffle, dropLast });

test('distributedIndices equals torch.utils.data.DistributedSampler for every case and rank', { skip }, () => {
  const expected = runPythonJson<number[][][]>(`
from torch.utils.data import DistributedSampler
out = []
for c in json.load(sys.stdin):
    ranks = []
    for r in range(c['worldSize']):
        s = DistributedSampler(range(c['size']), num_replicas=c['worldSize'], rank=r, shuffle=c['shuffle'], seed=c['seed'], drop_last=c['dropLast'])
        s.set_epoch(c['epoch'])
        ranks.append(list(iter(s)))
    out.append(ranks)
print(json.dumps(out))`, CASES);
  CASES.forEach((c, i) => {
    for (let rank = 0; rank < c.worldSize; rank++) {
      const got = distributedIndices({ ...c, rank });
      assert.equal(got.length, samplesPerRank(c.size, c.worldSize, c.dropLast));
      assert.deepEqual(got, expected[i][rank], `size ${c.size} world ${c.worldSize} rank ${rank} seed ${c.seed} epoch ${c.epoch} shuffle ${c.shuffle} dropLast ${c.dropLast}`);
    }
  });
});

test('distributedIndices refuses a rank outside the world', { skip: !torchAvailable() }, () => {
  assert.throws(() => distributedIndices({ size: 5, worldSize: 2, rank: 2, seed: 0, epoch: 0, shuffle: false }), /rank must be in \[0, 2\)/);
});
