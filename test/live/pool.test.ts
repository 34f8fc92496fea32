import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedPool, PoolFullError } from '../../src/live/pool.js';

test('BoundedPool: at most `concurrency` at once, `queue` waiting, the rest refused', async () => {
  const pool = new BoundedPool(2, 1);
  let active = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  const job = () => new Promise<void>((r) => { active++; peak = Math.max(peak, active); releases.push(() => { active--; r(); }); });
  const runs = [pool.run(job), pool.run(job), pool.run(job)];
  await assert.rejects(pool.run(job), PoolFullError);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([pool.running, pool.queued, releases.length], [2, 1, 2]);
  releases[0]();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([pool.running, pool.queued, releases.length], [2, 0, 3]);
  releases[1](); releases[2]();
  await Promise.all(runs);
  assert.deepEqual([pool.running, pool.queued, peak], [0, 0, 2]);
  await assert.rejects(pool.run(async () => { throw new Error('job failed'); }), /job failed/);
  assert.equal(pool.running, 0, 'a failing job frees its slot');
});
