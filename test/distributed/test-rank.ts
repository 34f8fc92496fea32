/**
 * One rank of a sharded test for test/distributed/sharded-test.test.ts, as a real subprocess
 * (torchrun environment):
 *   node test-rank.js <checkpoint> <annFile> <outDir>
 * Scores the quick/j test split with the config's test pipeline, this rank's DistributedSampler
 * shard gathered back (engine/tester.ts testScores with a DataParallel), and writes
 * {"labels": [...], "scores": [...]} (the gathered result) to <outDir>/rank<r>.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { ProcessGroup } from '../../src/torch/distributed.js';
import { DataParallel } from '../../src/engine/data-parallel.js';
import { testScores } from '../../src/engine/tester.js';

export const TEST_RUN = { configName: 'quick/j', batchSize: 2, runtime: { threads: 1, workers: 0, device: 'cpu' } } as const;

async function main(): Promise<void> {
  const [checkpoint, annFile, outDir] = process.argv.slice(2);
  const rank = Number(process.env.RANK);
  const group = await ProcessGroup.init({ rank, worldSize: Number(process.env.WORLD_SIZE), masterAddr: process.env.MASTER_ADDR!, masterPort: Number(process.env.MASTER_PORT), backend: 'gloo', timeoutMs: 60_000 });
  const r = await testScores({ ...TEST_RUN, config: loadConfig(TEST_RUN.configName), checkpoint, annFile, out: '', parallel: new DataParallel(group) });
  writeFileSync(join(outDir, `rank${rank}.json`), JSON.stringify({ labels: Array.from(r.labels), scores: Array.from(r.scores.data) }));
}

if (process.env.RANK !== undefined) {
  main().then(() => process.exit(0), (err) => { process.stderr.write(`${(err as Error).stack}\n`); process.exit(1); });
}
