/** `skagent transform` end to end: annotation pickle → config pipeline → .npy files. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { writeSynthetic } from '../../src/data/synthetic.js';
import { bytesOf } from '../../src/io/ndarray.js';
import { readNpy } from '../../src/io/npy.js';
import { fixture, needFixtures } from '../fixtures.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'skagent-transform-'));
}

function sameBytes(a: string, b: string): boolean {
  return Buffer.compare(Buffer.from(bytesOf(readNpy(a))), Buffer.from(bytesOf(readNpy(b)))) === 0;
}

test('test mode reproduces the reference 10-clip NTU input; train mode reproduces a seeded FineGYM run', { skip: needFixtures() }, async () => {
  const out = tmp();
  assert.equal(await main(['transform', 'ntu60_xsub/j', '--ann-file', fixture('annotations', 'ntu60_3d_p4.pkl'), '--mode', 'test', '--out', out]), 0);
  assert.ok(sameBytes(join(out, 'S001C002P003R002A058.npy'), fixture('pipelines', 'ntu60_xsub_j', 'ntu_1_test', '03_FormatGCNInput__keypoint.npy')));
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
  assert.deepEqual(index.samples, [{ frame_dir: 'S001C002P003R002A058', label: 57, file: 'S001C002P003R002A058.npy', shape: [10, 2, 100, 25, 3] }]);

  const gym = tmp();
  assert.equal(await main(['transform', 'finegym/j', '--ann-file', fixture('annotations', 'gym_2d_p4.pkl'), '--split', 'val', '--mode', 'train', '--seed', '0', '--out', gym]), 0);
  assert.ok(sameBytes(join(gym, 'YmfsKBHldFE_E_004217_004309_A_0041_0043.npy'), fixture('pipelines', 'train', 'finegym_j', 'gym_1', '05_FormatGCNInput__keypoint.npy')));
});

test('quick configs run on the built-in synthetic data', async () => {
  const dir = tmp();
  const ann = join(dir, 'synth_ntu.pkl');
  writeSynthetic(ann, { layout: 'nturgb+d', classes: 3, perClass: 3, seed: 1 });
  for (const [config, mode, clips] of [['quick/b', 'train', 1], ['quick/k', 'test', 2]] as const) {
    const out = join(dir, `${config.replace('/', '_')}_${mode}`);
    assert.equal(await main(['transform', config, '--ann-file', ann, '--mode', mode, '--limit', '2', '--out', out]), 0);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { samples: { file: string; shape: number[] }[] };
    assert.equal(index.samples.length, 2);
    for (const s of index.samples) {
      const a = readNpy(join(out, s.file));
      assert.deepEqual(a.shape, [clips, 2, 32, 25, 3]);
      assert.equal(a.dtype, 'float32');
    }
  }
});

test('usage errors exit with code 2, bad input with 3', async () => {
  const out = tmp();
  assert.equal(await main(['transform', 'ntu60_xsub/j', '--mode', 'dev', '--out', out]), 2);
  assert.equal(await main(['transform', 'ntu60_xsub/j']), 2);
  assert.equal(await main(['transform', 'ntu60_xsub/zz', '--out', out]), 3);
  assert.equal(await main(['transform', 'ntu60_xsub/j', '--ann-file', join(out, 'missing.pkl'), '--out', out]), 3);
});
