/**
 * The bridge's caching CPU allocator (native/src/allocator.cc): large blocks are reused after
 * free, the data of reused blocks is what the ops write (no stale values leak through ops that
 * initialise their output), the cache stays within its budget, it can be emptied, and
 * SKAGENT_CPU_CACHE=0 turns it off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpuCacheStats, emptyCpuCache, full, ones, randn, tidy, zeros } from '../../src/torch/index.js';

const MiB = 1 << 20;
/** 4 MiB of float32: above the 1 MiB threshold, so served by the cache. */
const BIG = [1 << 20];

test('large blocks are reused after free; small ones bypass the cache', () => {
  emptyCpuCache();
  const before = cpuCacheStats()!;
  assert.ok(before, 'the cache is on by default');
  const a = full(BIG, 7);
  const afterAlloc = cpuCacheStats()!;
  assert.equal(afterAlloc.liveBytes - before.liveBytes, 4 * MiB);
  a.dispose();
  const afterFree = cpuCacheStats()!;
  assert.equal(afterFree.liveBytes, before.liveBytes);
  assert.equal(afterFree.cachedBytes - before.cachedBytes, 4 * MiB);
  // Same size again: a hit, and zeros() really zero-fills the reused block.
  const b = zeros(BIG);
  const afterReuse = cpuCacheStats()!;
  assert.equal(afterReuse.hits, afterFree.hits + 1);
  assert.equal(b.sum().item(), 0);
  b.dispose();
  // Small tensors do not touch the cache's counters.
  const small = tidy(() => ones([1000]).mul(2).sum().item());
  assert.equal(small, 2000);
  const afterSmall = cpuCacheStats()!;
  assert.equal(afterSmall.hits + afterSmall.misses, afterReuse.hits + afterReuse.misses);
});

test('results are right when blocks are recycled through a chain of ops', () => {
  for (let i = 0; i < 5; i++) {
    const got = tidy(() => {
      const x = randn([512, 1024]);
      const y = x.mul(2).add(1).sub(x).sub(x); // = 1 everywhere, through several 2 MiB temporaries
      return y.sub(1).abs().max().item();
    });
    assert.ok(got < 1e-5, `iteration ${i}: max |y − 1| = ${got}`);
  }
});

test('emptyCpuCache returns every cached block', () => {
  full(BIG, 1).dispose();
  assert.ok(cpuCacheStats()!.cachedBytes > 0);
  emptyCpuCache();
  assert.equal(cpuCacheStats()!.cachedBytes, 0);
});

test('live + cached stays within the budget (1.25 × the live peak)', () => {
  emptyCpuCache();
  // Many distinct sizes, each freed at once: without a budget the cache would hold them all.
  for (let i = 1; i <= 40; i++) full([(1 << 18) * i], 1).dispose();
  const s = cpuCacheStats()!;
  assert.ok(s.liveBytes + s.cachedBytes <= 1.25 * 40 * MiB * 1.07, `live ${s.liveBytes} + cached ${s.cachedBytes}`);
  emptyCpuCache();
});

test('SKAGENT_CPU_CACHE=0 turns the cache off', () => {
  const script = `import('${new URL('../../src/torch/index.js', import.meta.url).href}').then((t) => { t.full([1 << 20], 1).dispose(); console.log(JSON.stringify(t.cpuCacheStats())); })`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, SKAGENT_CPU_CACHE: '0' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'null');
});
