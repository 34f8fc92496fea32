/**
 * A training loop (temporal conv + batch norm + SGD with Nesterov momentum, each step in a tidy
 * scope) must not leak: no tensor left in the native table, and a flat resident set size after
 * warm-up, counted outside V8's heap (test/torch/soak.ts).
 *
 * A tensor left behind shows in the native table after a single step, and a leak of native
 * memory per step of 16 KiB or more (a tensor's worth here) shows in a few hundred steps; the
 * long soak that bounds slower leaks (10,000 steps) is `node dist/bench/memory_soak.js`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { soak } from './soak.js';

const WARMUP_STEPS = 50;
const STEPS = 400;
/** Allocator and V8 noise; a leak of 16 KiB per step would show as ~5.5 MiB. */
const RSS_SLACK_BYTES = 4 << 20;

test(`${STEPS} conv + SGD steps: no tensor leaks and a flat RSS outside V8's heap`, async (t) => {
  const r = await soak(STEPS, WARMUP_STEPS);
  assert.ok(r.last < r.first, `the loss decreases (${r.first} → ${r.last}), so the loop really trains`);
  assert.equal(r.liveAtEnd, r.liveAfterWarmup, 'no tensor left behind by a step');
  const growth = r.rssAtEnd - r.rssAfterWarmup;
  t.diagnostic(`RSS outside V8's heap: ${(r.rssAfterWarmup / 2 ** 20).toFixed(1)} MiB after warm-up, ${(r.rssAtEnd / 2 ** 20).toFixed(1)} MiB after ${STEPS} steps`);
  assert.ok(growth < RSS_SLACK_BYTES, `RSS outside V8's heap grew by ${(growth / 2 ** 20).toFixed(2)} MiB over ${STEPS - WARMUP_STEPS} steps`);
});
