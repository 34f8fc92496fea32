/**
 * A short fuzz run of every parser of outside input (the long campaigns are bench/fuzz.ts, figures
 * in docs/robustness.md): each mutant is accepted or refused with the parser's own error, never a
 * crash, within the per-input limit. Plus the size fields the fuzzer rarely hits exactly: a header
 * that claims a huge array is refused before anything is allocated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { encodeNpy, parseNpy } from '../../src/io/npy.js';
import { zeros } from '../../src/io/ndarray.js';
import { ZipReader, zipChunks } from '../../src/io/zip.js';
import { loadPickle, ANNOTATION_GLOBALS, PickleError } from '../../src/io/pickle/index.js';
import { fuzz } from './run.js';
import { TARGETS } from './targets.js';

/** Inputs per parser: a few seconds each on a loaded 2-core machine. */
const SHORT_RUN = Number(process.env.SKAGENT_FUZZ_INPUTS ?? 1500);

for (const target of TARGETS) {
  test(`fuzz ${target.name}: ${target.slow ? SHORT_RUN / 10 : SHORT_RUN} mutants, no crash, none over 10 s`, async () => {
    const stats = await fuzz(target, { inputs: target.slow ? SHORT_RUN / 10 : SHORT_RUN, seed: 7, timeLimitMs: 10_000, seconds: 20 });
    assert.deepEqual(stats.crashes.map((c) => `#${c.index}: ${c.error}`), []);
    assert.deepEqual(stats.overTime.map((c) => `#${c.index}: ${c.error}`), []);
    assert.ok(stats.refused > 0, 'mutants were refused (the mutator reaches the checks)');
  });
}

const HUGE = 100 * 2 ** 30; // 100 GiB

test('size fields: a .npy header claiming 100 GiB is refused before allocating', () => {
  const real = encodeNpy(zeros('float32', [2, 2]));
  const text = Buffer.from(real).toString('latin1').replace("'shape': (2, 2)", `'shape': (${HUGE / 4}, 1)`);
  const bytes = Buffer.from(text.length === real.length ? text : text, 'latin1');
  assert.throws(() => parseNpy(bytes, 'huge.npy'), /huge\.npy: .*(truncated|header)/);
  assert.equal(parseNpy(real, 'ok.npy').shape.join(), '2,2');
});

test('size fields: a pickle BINBYTES8 / BINUNICODE8 claiming 100 GiB is refused before allocating', () => {
  for (const opcode of [0x8e, 0x8d]) {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(HUGE));
    const bytes = Buffer.concat([Buffer.from([0x80, 4, opcode]), len, Buffer.from('abc.')]);
    assert.throws(() => loadPickle(bytes, { globals: ANNOTATION_GLOBALS, source: 'huge.pkl' }), (err) => err instanceof PickleError && /exceeds/.test(err.message));
  }
});

test('size fields: a zip entry claiming 100 GiB (stored or deflated) is refused before allocating', () => {
  const data = Buffer.from('hello hello hello hello');
  const archive = Buffer.concat(zipChunks([{ name: 'a/data.pkl', data }]));
  // Rewrite the central directory's sizes: stored with a lying size, then deflated with a lying size.
  const cd = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  const lying = Buffer.from(archive);
  lying.writeUInt32LE(0xfffffff0, cd + 24);
  assert.throws(() => ZipReader.fromBytes(lying, 'huge.zip').read('a/data.pkl'), /huge\.zip: entry 'a\/data\.pkl'/);
  const deflated = deflateRawSync(data);
  const bomb = Buffer.from(archive);
  bomb.writeUInt16LE(8, cd + 10);
  bomb.writeUInt32LE(deflated.length, cd + 20);
  bomb.writeUInt32LE(0xfffffff0, cd + 24);
  assert.throws(() => ZipReader.fromBytes(bomb, 'bomb.zip').read('a/data.pkl'), /bomb\.zip: entry 'a\/data\.pkl'.*(deflate|past the end)/);
});
