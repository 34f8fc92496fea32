/**
 * The agent under data parallelism (engine/trainer.ts, DataParallel.sumIntoMain/shareFromMain),
 * 2 Gloo ranks on loopback running `train()` for 3 epochs with recording semantics
 * (agent-rank.ts): rank 0's epoch hook sees every rank's Questioner counts of that epoch, and
 * every rank trains each epoch on the descriptions rank 0 had after the previous one. The
 * original's other ranks kept their own, never-reset counts and their shipped descriptions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { torchAvailable } from '../../src/torch/index.js';
import { availableBackends } from '../../src/torch/distributed.js';
import { writeSynthetic } from '../../src/data/index.js';
import { runRanks } from './spawn-ranks.js';
import type { AgentRankEvent } from './agent-rank.js';

const script = fileURLToPath(new URL('./agent-rank.js', import.meta.url));
const skip = !torchAvailable() ? 'SKIPPED: libtorch bridge not built'
  : !availableBackends().gloo ? 'SKIPPED: bridge built without c10d Gloo (apt-get install libgloo-dev; npm run build:native)' : false;
if (skip) console.warn(`\n*** ${skip} ***\n`);

const EPOCHS = 3;

/** A rank's training batches in order: the counts each added and the descriptions it embedded with. */
function batches(events: AgentRankEvent[]): { counts: number[]; descriptions: string[] }[] {
  let current: string[] = [];
  return events.flatMap((e) => {
    if (e.kind === 'embed') current = e.descriptions;
    return e.kind === 'observe' ? [{ counts: e.counts, descriptions: current }] : [];
  });
}

function sum(vectors: number[][]): number[] {
  return vectors.reduce((acc, v) => acc.map((x, i) => x + v[i]));
}

test('2 ranks: rank 0\'s agent sees both ranks\' statistics each epoch, and both train on its descriptions', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-ddp-agent-'));
  try {
    const ann = join(dir, 'synth.pkl');
    writeSynthetic(ann, { layout: 'nturgb+d', classes: 12, perClass: 4, seed: 0 });
    const ranks = await runRanks(script, [ann, dir, String(EPOCHS)], 2);
    for (const r of ranks) assert.equal(r.code, 0, `rank ${r.rank}: ${r.stderr}`);
    const logs = [0, 1].map((r) => JSON.parse(readFileSync(join(dir, `agent${r}.json`), 'utf8')) as AgentRankEvent[]);
    const ends = logs[0].flatMap((e) => (e.kind === 'epochEnd' ? [e] : []));
    assert.deepEqual(ends.map((e) => e.epoch), [1, 2, 3]);
    assert.ok(!logs[1].some((e) => e.kind === 'epochEnd'), 'rank 1 never runs the agent');
    // Rank 0's descriptions at the start and after each epoch; epoch 2 left them unchanged.
    const start = logs[0].find((e) => e.kind === 'adopt')!.descriptions;
    assert.match(start[0], /^rank 0's shipped description/);
    const after = [start, ...ends.map((e) => e.wrote)];
    assert.deepEqual(after[2], after[1]);
    // Shared at the start and after epochs 1 and 3 only: unchanged descriptions travel as null.
    for (const log of logs) assert.deepEqual(log.flatMap((e) => (e.kind === 'adopt' ? [e.descriptions] : [])), [after[0], after[1], after[3]]);

    // Both ranks run the same number of batches per epoch (the sampler pads the split).
    const perRank = logs.map(batches);
    assert.equal(perRank[0].length, perRank[1].length);
    const perEpoch = perRank[0].length / EPOCHS;
    assert.ok(Number.isInteger(perEpoch) && perEpoch > 0, `${perRank[0].length} batches over ${EPOCHS} epochs`);
    for (let e = 1; e <= EPOCHS; e++) {
      const inEpoch = perRank.map((list) => list.slice((e - 1) * perEpoch, e * perEpoch));
      assert.ok(sum(inEpoch[1].map((b) => b.counts)).some((x) => x > 0), `rank 1 trained in epoch ${e}`);
      assert.deepEqual(ends[e - 1].counts, sum(inEpoch.flat().map((b) => b.counts)), `epoch ${e}: rank 0's agent sees both ranks' counts, once`);
      for (const [r, list] of inEpoch.entries()) {
        for (const b of list) assert.deepEqual(b.descriptions, after[e - 1], `rank ${r}, epoch ${e}: trained on rank 0's descriptions after epoch ${e - 1}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
