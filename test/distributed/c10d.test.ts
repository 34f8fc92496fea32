/**
 * c10d through the bridge with real processes on loopback (Gloo): rendezvous, the collectives'
 * values, several in flight, the event loop running during a wait, and a timeout instead of a
 * hang when a peer never joins.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { torchAvailable } from '../../src/torch/index.js';
import { availableBackends } from '../../src/torch/distributed.js';
import { runRanks } from './spawn-ranks.js';

const script = fileURLToPath(new URL('./c10d-rank.js', import.meta.url));
const skip = !torchAvailable() ? 'SKIPPED: libtorch bridge not built'
  : !availableBackends().gloo ? 'SKIPPED: bridge built without c10d Gloo (apt-get install libgloo-dev; npm run build:native)' : false;
if (skip) console.warn(`\n*** ${skip} ***\n`);

function parse(r: { rank: number; code: number | null; stdout: string; stderr: string }): Record<string, unknown> {
  assert.equal(r.code, 0, `rank ${r.rank} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

test('Gloo collectives across 2 processes: allreduce sum/avg/max, broadcast, allgather, barrier, store', { skip }, async () => {
  const results = (await runRanks(script, ['collectives'], 2)).map(parse);
  for (const r of results) {
    assert.deepEqual(r.sum, [3, 6, 9]);
    assert.deepEqual(r.avg, [1.5, 15]);
    assert.deepEqual(r.max, [1, 0]);
    assert.deepEqual(r.broadcast, [7.5, -2]);
    assert.deepEqual(r.allgather, [[0, 0], [1, 100]]);
    assert.deepEqual(r.inflight, [1, 2]);
    assert.deepEqual(r.store, ['from 0', 'from 1']);
  }
});

test('waiting for a collective does not block the Node event loop', { skip }, async () => {
  const [r0] = (await runRanks(script, ['event-loop'], 2)).map(parse);
  assert.ok((r0.waitedMs as number) > 600, `rank 0 waited ${r0.waitedMs} ms for the late rank`);
  assert.ok((r0.ticks as number) >= 8, `a 50 ms timer ticked ${r0.ticks} times during a ~1 s wait`);
});

test('a peer that never joins a collective makes it fail after the timeout, not hang', { skip }, async () => {
  const [r0] = (await runRanks(script, ['timeout'], 2, { C10D_TIMEOUT_MS: '2000' })).map(parse);
  assert.match(String(r0.error), /allreduce/);
  assert.ok((r0.afterMs as number) >= 1500 && (r0.afterMs as number) < 15000, `failed after ${r0.afterMs} ms`);
});
