/**
 * `--test-last` / `--test-best` in a multi-process run: the test split is sharded over the ranks
 * (DistributedSampler, no shuffle) and the scores gathered back. 2 real ranks on loopback (Gloo)
 * against one process, on a split of 9 samples: not divisible by 2, so the sampler pads rank 1's
 * shard with a repeat of sample 0, and the gathered rows must be the single process's, in the same
 * order, without the duplicate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed, torchAvailable } from '../../src/torch/index.js';
import { availableBackends } from '../../src/torch/distributed.js';
import { saveCheckpoint } from '../../src/torch/checkpoint.js';
import { loadConfig } from '../../src/config/index.js';
import { writeSynthetic } from '../../src/data/synthetic.js';
import { setUpRun } from '../../src/engine/run-setup.js';
import { testScores } from '../../src/engine/tester.js';
import { samplesPerRank } from '../../src/engine/distributed-sampler.js';
import { runRanks } from './spawn-ranks.js';
import { TEST_RUN } from './test-rank.js';

const script = fileURLToPath(new URL('./test-rank.js', import.meta.url));
const skip = !torchAvailable() ? 'SKIPPED: libtorch bridge not built'
  : !availableBackends().gloo ? 'SKIPPED: bridge built without c10d Gloo (apt-get install libgloo-dev; npm run build:native)' : false;
if (skip) console.warn(`\n*** ${skip} ***\n`);

test('2 ranks: the gathered test scores equal one process\'s, in split order, the padding dropped (9 samples)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-sharded-test-'));
  try {
    const config = loadConfig(TEST_RUN.configName);
    const ann = join(dir, 'synth.pkl');
    const split = writeSynthetic(ann, { layout: 'nturgb+d', classes: 12, perClass: 3 }).split;
    const n = split.get(config.data.test.split)!.length;
    assert.equal(n, 9, 'the synthetic split should hold 9 samples');
    assert.equal(2 * samplesPerRank(n, 2), n + 1, 'the sampler should pad one sample');
    const checkpoint = join(dir, 'model.pth');
    manualSeed(5);
    const run = setUpRun({ config, runtime: TEST_RUN.runtime, semantics: 'random-table', seed: 5 });
    saveCheckpoint(checkpoint, { stateDict: run.model.stateDict() });
    run.dispose();

    const single = await testScores({ ...TEST_RUN, config, checkpoint, annFile: ann, out: '' });
    assert.equal(single.scores.shape[0], n);
    const ranks = await runRanks(script, [checkpoint, ann, dir], 2);
    for (const r of ranks) assert.equal(r.code, 0, `rank ${r.rank}: ${r.stderr}`);
    const C = single.scores.shape[1];
    for (const r of [0, 1]) {
      const got = JSON.parse(readFileSync(join(dir, `rank${r}.json`), 'utf8')) as { labels: number[]; scores: number[] };
      assert.deepEqual(got.labels, Array.from(single.labels), `rank ${r}: labels out of split order`);
      assert.equal(got.scores.length, n * C, `rank ${r}: ${got.scores.length / C} rows gathered, expected ${n}`);
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < C; c++) {
          const [a, b] = [got.scores[i * C + c], single.scores.data[i * C + c]];
          assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `rank ${r}, sample ${i}, class ${c}: ${a} vs ${b} (single process)`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
