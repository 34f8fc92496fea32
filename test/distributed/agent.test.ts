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

/** A rank's log cut at its sharing points: [before the first, epoch 1, epoch 2, ...]. */
function byEpoch(events: AgentRankEvent[]): AgentRankEvent[][] {
  const parts: AgentRankEvent[][] = [[]];
  for (const e of events) {
    parts[parts.length - 1].push(e);
    if (e.kind === 'adopt') parts.push([]);
  }
  return parts;
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
    const epochs = logs.map(byEpoch);
    // The start, then the end of every epoch.
    for (const parts of epochs) assert.equal(parts.length, EPOCHS + 2, JSON.stringify(parts.map((p) => p.map((e) => e.kind))));
    const ends = logs[0].filter((e) => e.kind === 'epochEnd');
    assert.deepEqual(ends.map((e) => e.epoch), [1, 2, 3]);
    assert.ok(!logs[1].some((e) => e.kind === 'epochEnd'), 'rank 1 never runs the agent');

    let shared = (epochs[0][0].at(-1) as { descriptions: string[] }).descriptions;
    assert.match(shared[0], /^rank 0's shipped description/, 'at the start both ranks take rank 0\'s descriptions');
    for (let e = 1; e <= EPOCHS; e++) {
      const observed = epochs.map((parts) => parts[e].flatMap((ev) => (ev.kind === 'observe' ? [ev.counts] : [])));
      assert.ok(observed[1].length > 0 && sum(observed[1]).some((x) => x > 0), `rank 1 trained in epoch ${e}`);
      const end = ends[e - 1] as { counts: number[]; wrote: string[] };
      assert.deepEqual(end.counts, sum([...observed[0], ...observed[1]]), `epoch ${e}: rank 0's agent sees both ranks' counts, once`);
      for (const [r, parts] of epochs.entries()) {
        const embedded = parts[e].flatMap((ev) => (ev.kind === 'embed' ? [ev.descriptions] : []));
        for (const d of embedded) assert.deepEqual(d, shared, `rank ${r}, epoch ${e}: trained on rank 0's descriptions`);
        const adopted = (parts[e].at(-1) as { kind: string; descriptions: string[] });
        assert.equal(adopted.kind, 'adopt');
        assert.deepEqual(adopted.descriptions, end.wrote, `rank ${r} takes what rank 0's agent wrote after epoch ${e}`);
      }
      shared = end.wrote;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
