/**
 * Pickle fuzzer: mutates the fixture pickles (bit flips, truncations, byte insertions, deletions,
 * overwrites with boundary bytes, chunk duplication) and checks that every mutant either decodes
 * or throws a PickleError, within a per-input time limit. Deterministic (seeded).
 *
 *   node dist/bench/fuzz_pickle.js [count=12000] [seed=1]
 *
 * Exit status 1 if any mutant escapes with a non-PickleError, a non-Error, or exceeds the limit.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ANNOTATION_GLOBALS, PickleError, type GlobalsPolicy, type PyValue, loadPickle } from '../src/io/pickle/index.js';
import { CHECKPOINT_GLOBALS, PthStorage } from '../src/io/pth.js';
import { ZipReader } from '../src/io/zip.js';
import { FIXTURES } from '../test/fixtures.js';

const TIME_LIMIT_MS = 2000;

interface Seed {
  name: string;
  bytes: Uint8Array;
  globals: GlobalsPolicy;
  persistentLoad?: (pid: PyValue) => PyValue;
}

/** mulberry32: a small seeded PRNG, so a failing mutant can be regenerated. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Storages for checkpoint pickles: zero-filled float32 of the announced size (capped). */
function fakeStorage(pid: PyValue): PyValue {
  const numel = Array.isArray(pid) && typeof pid[4] === 'number' ? Math.min(Math.max(0, pid[4]), 1 << 20) : 0;
  return new PthStorage(String(Array.isArray(pid) ? pid[2] : ''), 'float32', new Float32Array(numel));
}

function seeds(): Seed[] {
  if (!FIXTURES) throw new Error('fixtures not found (set SKAGENT_FIXTURES)');
  const root = FIXTURES;
  const out: Seed[] = [];
  for (const dir of ['annotations', 'ensemble', 'ntu_raw/output_main']) {
    for (const f of readdirSync(join(root, dir)).filter((n) => n.endsWith('.pkl'))) {
      out.push({ name: `${dir}/${f}`, bytes: readFileSync(join(root, dir, f)), globals: ANNOTATION_GLOBALS });
    }
  }
  const zip = ZipReader.open(join(root, 'clip', 'tiny_text_encoder.pth'));
  out.push({ name: 'clip/tiny_text_encoder.pth:data.pkl', bytes: zip.read('tiny_text_encoder/data.pkl'), globals: CHECKPOINT_GLOBALS, persistentLoad: fakeStorage });
  zip.close();
  return out;
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x28, 0x2e, 0x94, 0x95];
const MUTATIONS = ['bitflip', 'truncate', 'insert', 'delete', 'overwrite', 'duplicate'] as const;
type Mutation = (typeof MUTATIONS)[number];

function mutate(src: Uint8Array, kind: Mutation, rand: () => number): Uint8Array {
  const at = (n: number): number => Math.floor(rand() * n);
  const b = src.slice();
  switch (kind) {
    case 'bitflip': {
      const flips = 1 + at(8);
      for (let i = 0; i < flips; i++) b[at(b.length)] ^= 1 << at(8);
      return b;
    }
    case 'truncate':
      return b.subarray(0, at(b.length));
    case 'insert': {
      const pos = at(b.length + 1);
      const extra = Uint8Array.from({ length: 1 + at(16) }, () => (rand() < 0.5 ? INTERESTING[at(INTERESTING.length)] : at(256)));
      return Buffer.concat([b.subarray(0, pos), extra, b.subarray(pos)]);
    }
    case 'delete': {
      const pos = at(b.length);
      return Buffer.concat([b.subarray(0, pos), b.subarray(pos + 1 + at(16))]);
    }
    case 'overwrite': {
      const pos = at(b.length);
      for (let i = 0; i < 1 + at(4) && pos + i < b.length; i++) b[pos + i] = INTERESTING[at(INTERESTING.length)];
      return b;
    }
    case 'duplicate': {
      const start = at(b.length);
      const chunk = b.subarray(start, start + 1 + at(64));
      const pos = at(b.length + 1);
      return Buffer.concat([b.subarray(0, pos), chunk, b.subarray(pos)]);
    }
  }
}

function main(): void {
  const count = Number(process.argv[2] ?? 12000);
  const seed = Number(process.argv[3] ?? 1);
  const rand = rng(seed);
  const inputs = seeds();
  const outcome = { decoded: 0, pickleError: 0, otherError: 0, nonError: 0, overTime: 0 };
  const reasons = new Map<string, number>();
  const byMutation = Object.fromEntries(MUTATIONS.map((m) => [m, 0])) as Record<Mutation, number>;
  let slowest = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const s = inputs[i % inputs.length];
    const kind = MUTATIONS[Math.floor(rand() * MUTATIONS.length)];
    byMutation[kind]++;
    const bytes = mutate(s.bytes, kind, rand);
    const t0 = performance.now();
    try {
      loadPickle(bytes, { globals: s.globals, persistentLoad: s.persistentLoad, source: `${s.name}#${i}` });
      outcome.decoded++;
    } catch (err) {
      if (err instanceof PickleError) {
        outcome.pickleError++;
        const reason = err.detail.replace(/\d+/g, 'N').replace(/'[^']*'/g, "'…'").slice(0, 70);
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      } else if (err instanceof Error) {
        outcome.otherError++;
        console.log(`ESCAPED (${err.name}) mutant #${i} (${kind} of ${s.name}): ${err.message}`);
      } else {
        outcome.nonError++;
        console.log(`NON-ERROR THROWN mutant #${i} (${kind} of ${s.name}): ${String(err)}`);
      }
    }
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    if (ms > TIME_LIMIT_MS) {
      outcome.overTime++;
      console.log(`OVER TIME LIMIT mutant #${i} (${kind} of ${s.name}): ${ms.toFixed(0)} ms`);
    }
  }
  const total = (performance.now() - started) / 1000;
  console.log(`fuzz_pickle: ${count} mutants of ${inputs.length} seed pickles (seed ${seed}) in ${total.toFixed(1)} s`);
  console.log(`  mutations: ${MUTATIONS.map((m) => `${m} ${byMutation[m]}`).join(', ')}`);
  console.log(`  decoded ${outcome.decoded}, PickleError ${outcome.pickleError}, other Error ${outcome.otherError}, non-Error ${outcome.nonError}, over ${TIME_LIMIT_MS} ms ${outcome.overTime}; slowest ${slowest.toFixed(1)} ms`);
  console.log('  most common PickleError reasons:');
  for (const [reason, n] of [...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${String(n).padStart(6)}  ${reason}`);
  if (outcome.otherError + outcome.nonError + outcome.overTime > 0) process.exitCode = 1;
}

main();
