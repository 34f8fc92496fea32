/**
 * The data path of a run: the annotation file is opened and validated once (PoseDataset at
 * open; later fetches skip it), shared by the run's loaders, and worker threads read the main
 * thread's validated data from a dataset store instead of parsing the pickle again; batches are
 * the same with and without workers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { writeSynthetic } from '../../src/data/index.js';
import { PoseDataset } from '../../src/data/dataset.js';
import { type PickleSource, openAnnotations } from '../../src/data/source.js';
import { BatchLoader, type Batch } from '../../src/engine/loader.js';
import { RunAnnotations } from '../../src/engine/annotations.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { ntuKeypoint, writeSmallNtu } from '../data/helpers.js';

async function withTempDirAsync(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-loader-'));
  try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

async function epochBatches(loader: BatchLoader, epoch: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of loader.epoch(epoch)) out.push(b);
  return out;
}

test('train and val loaders share one opened file; workers read it from a store and give the same batches', async () => {
  await withTempDirAsync(async (dir) => {
    const annFile = join(dir, 'synth.pkl');
    writeSynthetic(annFile, { layout: 'nturgb+d', classes: 4, perClass: 6, seed: 5 });
    const config = structuredClone(loadConfig('quick/j'));
    const annotations = new RunAnnotations();
    assert.equal(annotations.source(annFile), annotations.source(join(dir, '.', 'synth.pkl')), 'one source per file');
    const spec = { config, mode: 'train' as const, annFile };
    const inline = new BatchLoader(spec, { batchSize: 4, workers: 0, shuffle: true, seed: 3 }, annotations);
    const threaded = new BatchLoader(spec, { batchSize: 4, workers: 2, shuffle: true, seed: 3 }, annotations);
    const val = new BatchLoader({ config, mode: 'val', annFile }, { batchSize: 4, workers: 1, shuffle: false, seed: 3 }, annotations);
    const store = annotations.storeFor(annFile);
    assert.ok(store.endsWith('.skstore') && existsSync(store), 'the pickle is written once as a store for the workers');
    try {
      const [a, b] = [await epochBatches(inline, 2), await epochBatches(threaded, 2)];
      assert.equal(a.length, Math.ceil(inline.length / 4));
      assert.deepEqual(b.map((x) => x.indices), a.map((x) => x.indices));
      a.forEach((x, i) => {
        assert.deepEqual(b[i].shape, x.shape);
        assert.deepEqual(b[i].labels, x.labels);
        assert.ok(Buffer.from(b[i].keypoint.buffer).equals(Buffer.from(x.keypoint.buffer)), `batch ${i}: worker and main-thread inputs differ`);
      });
      assert.equal((await epochBatches(val, 0)).reduce((n, x) => n + x.labels.length, 0), val.length);
    } finally {
      await inline.close();
      await threaded.close();
      await val.close();
      annotations.close();
    }
    assert.ok(!existsSync(store), 'the temporary store is removed with the run');
    assert.ok(!readdirSync(tmpdir()).some((f) => store.includes(f) && f.startsWith('skagent-run-')), 'its folder too');
  });
});

test('a pickle is validated once, at open: bad values fail there, and fetches do not validate again', async () => {
  await withTempDirAsync(async (dir) => {
    const path = join(dir, 'nan.pkl');
    const nan = ntuKeypoint(1, 6);
    nan.data[5] = 0x7e00; // float16 NaN
    writeSmallNtu(path, [
      { frame_dir: 'S001C001P001R001A001', label: 0 },
      { frame_dir: 'S001C001P001R001A002', label: 1, keypoint: nan },
    ], { xsub_train: ['S001C001P001R001A001', 'S001C001P001R001A002'] });
    assert.throws(() => PoseDataset.open(path, { split: 'xsub_train' }), /nan\.pkl: sample 1 \('S001C001P001R001A002'\), field 'keypoint': non-finite value/);

    const good = join(dir, 'good.pkl');
    writeSmallNtu(good, [{ frame_dir: 'S001C001P001R001A001', label: 0 }], { xsub_train: ['S001C001P001R001A001'] });
    const source = openAnnotations(good) as PickleSource;
    const ds = PoseDataset.fromSource(source, { split: 'xsub_train' });
    try {
      // Spoil the record in memory after the open: a fetch that validated again would reject it.
      source.file.annotations[0]!.keypoint!.data[0] = 0x7e00;
      assert.equal(ds.get(0).keypoint!.data[0], 0x7e00, 'fetched without validating again');
    } finally {
      ds.close();
      source.close();
    }
  });
});
