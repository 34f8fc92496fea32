import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, configPath, listConfigs, loadConfig, parseConfig, semiVariant } from '../../src/config/index.js';
import { fixture, needFixtures } from '../fixtures.js';

const SPLITS = ['ntu60_xsub', 'ntu60_xview', 'ntu120_xsub', 'ntu120_xset', 'k400', 'finegym', 'uav_csv1', 'uav_csv2'];
const MODALITIES = ['j', 'b', 'k', 'jm', 'bm', 'km'];

test('all 48 original configs and the 3 quick ones load and validate', () => {
  const names = listConfigs();
  const expected = [...SPLITS.flatMap((s) => MODALITIES.map((m) => `${s}/${m}`)), 'quick/j', 'quick/b', 'quick/k'].sort();
  assert.deepEqual(names, expected);
  for (const name of names) {
    const cfg = loadConfig(name);
    assert.equal(cfg.data.train.pipeline, cfg.train_pipeline, `${name}: dataset pipelines resolve to the top-level lists`);
    if (!name.startsWith('quick/')) assert.equal(cfg.meta?.origin, `configs/${name}.py`);
  }
  assert.equal(loadConfig('configs/ntu60_xsub/j.py').model.cls_head.weight_2, 0.5, 'the original file name works too');
});

/**
 * the original's configs/<split>/<modality>.py files, one row per split × modality group: w1/w2 per
 * modality, interval, train augmentation per modality, lr, epochs, batch/workers. An independent
 * transcription to check the data.
 */
const TABLE: Record<string, { cls: number; split: [string, string]; w: Record<string, [number, number]>; interval: number; aug: Record<string, string>; lr: number; epochs: number; batch: [number, number] }> = {
  ntu60_xsub: { cls: 60, split: ['xsub_train', 'xsub_val'], w: { j: [0.2, 0.5], b: [0.2, 0.2], k: [0.2, 0.2] }, interval: 5, aug: { j: '', b: 'flip', k: 'flip' }, lr: 0.025, epochs: 150, batch: [16, 4] },
  ntu60_xview: { cls: 60, split: ['xview_train', 'xview_val'], w: { j: [0.2, 0.5], b: [0.2, 0.2], k: [0.2, 0.2] }, interval: 5, aug: { j: '', b: '', k: 'drop' }, lr: 0.025, epochs: 150, batch: [16, 4] },
  ntu120_xsub: { cls: 120, split: ['xsub_train', 'xsub_val'], w: { j: [0.3, 0.1], b: [0.3, 0.3], k: [0.2, 0.3] }, interval: 5, aug: { j: 'flip', b: 'flip', k: 'drop' }, lr: 0.025, epochs: 150, batch: [16, 4] },
  ntu120_xset: { cls: 120, split: ['xset_train', 'xset_val'], w: { j: [0.3, 0.1], b: [0.3, 0.3], k: [0.2, 0.3] }, interval: 5, aug: { j: '', b: 'flip', k: 'flip' }, lr: 0.025, epochs: 150, batch: [16, 4] },
  k400: { cls: 400, split: ['train', 'val'], w: { j: [0.005, 0.01], b: [0.005, 0.01], k: [0.005, 0.01] }, interval: 50, aug: { j: 'hflip', b: 'hflip', k: 'hflip' }, lr: 0.1, epochs: 150, batch: [64, 16] },
  finegym: { cls: 99, split: ['train', 'val'], w: { j: [0.1, 0.1], b: [0.1, 0.1], k: [0.05, 0.1] }, interval: 5, aug: { j: 'hflip', b: 'hflip', k: 'hflip' }, lr: 0.025, epochs: 150, batch: [16, 4] },
  uav_csv1: { cls: 155, split: ['csv1_train', 'csv1_val'], w: { j: [0.2, 0.2], b: [0.3, 0.2], k: [0.05, 0.2] }, interval: 5, aug: { j: '', b: '', k: '' }, lr: 0.025, epochs: 300, batch: [16, 4] },
  uav_csv2: { cls: 155, split: ['csv2_train', 'csv2_val'], w: { j: [0.2, 0.2], b: [0.3, 0.2], k: [0.05, 0.2] }, interval: 5, aug: { j: '', b: '', k: '' }, lr: 0.025, epochs: 150, batch: [16, 4] },
};

function augmentation(cfg: Config): string {
  const types = cfg.train_pipeline.map((op) => op.type);
  return types.includes('Spatial_Flip') ? 'flip' : types.includes('Part_Drop') ? 'drop' : types.includes('Flip') ? 'hflip' : '';
}

test('every config matches the original settings', () => {
  for (const [split, row] of Object.entries(TABLE)) {
    for (const m of MODALITIES) {
      const cfg = loadConfig(`${split}/${m}`);
      const base = m[0];
      const where = `${split}/${m}`;
      assert.equal(cfg.modality, m, where);
      assert.equal(cfg.model.backbone.num_classes, row.cls, where);
      assert.equal(cfg.model.backbone.type, split === 'k400' ? 'GCN_Module_LLM_K400' : 'GCN_Module_LLM', where);
      assert.deepEqual([cfg.model.cls_head.weight_1, cfg.model.cls_head.weight_2], row.w[base], where);
      assert.equal(cfg.model.cls_head.interval_epoch, row.interval, where);
      assert.equal(augmentation(cfg), row.aug[base], where);
      assert.deepEqual([cfg.data.train.split, cfg.data.val.split, cfg.data.test.split], [row.split[0], row.split[1], row.split[1]], where);
      assert.equal(cfg.optimizer.lr, row.lr, where);
      assert.equal(cfg.total_epochs, row.epochs, where);
      assert.deepEqual([cfg.data.videos_per_gpu, cfg.data.workers_per_gpu], row.batch, where);
      assert.equal(cfg.evaluation.metrics.length, ['k400', 'finegym', 'uav_csv1', 'uav_csv2'].includes(split) ? 2 : 1, where);
      assert.equal(cfg.model.cls_head.work_dir, `./work_dirs/${split}/${m}`);
      assert.ok(cfg.train_pipeline.some((op) => op.type === 'GenSkeFeat' && (op.feats as string[])[0] === m), where);
    }
  }
});

test("pipelines equal the original's, op by op, for every config with reference runs", { skip: needFixtures() }, () => {
  const manifests: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name === 'manifest.json' && !dir.endsWith('ops')) manifests.push(join(dir, e.name));
    }
  };
  walk(fixture('pipelines'));
  assert.ok(manifests.length >= 60);
  for (const path of manifests) {
    const m = JSON.parse(readFileSync(path, 'utf8')) as { config: string; pipeline: 'train_pipeline' | 'val_pipeline' | 'test_pipeline'; stages: { cfg: unknown }[] };
    assert.deepEqual(loadConfig(m.config)[m.pipeline], m.stages.map((s) => s.cfg), `${m.config} ${m.pipeline}`);
  }
});

function withFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-config-'));
  const path = join(dir, 'c.json');
  writeFileSync(path, text);
  return path;
}

test('the validator names the key path of unknown keys, wrong types and bad pipeline ops', () => {
  const good = JSON.parse(readFileSync(configPath('ntu60_xsub/j'), 'utf8')) as Record<string, any>;
  const variant = (edit: (c: Record<string, any>) => void) => {
    const c = structuredClone(good);
    edit(c);
    return c;
  };
  assert.throws(() => parseConfig(variant((c) => { c.model.backbone.graph_cfg.num_filtre = 8; }), 'x'), /x\.model\.backbone\.graph_cfg\.num_filtre: unknown key/);
  assert.throws(() => parseConfig(variant((c) => { c.optimizer.lr = '0.1'; }), 'x'), /x\.optimizer\.lr: expected a number > 0, got "0\.1"/);
  assert.throws(() => parseConfig(variant((c) => { delete c.total_epochs; }), 'x'), /x\.total_epochs: missing/);
  assert.throws(() => parseConfig(variant((c) => { c.data.train.split = 3; }), 'x'), /x\.data\.train\.split: expected a non-empty string, got 3/);
  assert.throws(() => parseConfig(variant((c) => { c.data.val.pipeline = 'eval_pipeline'; }), 'x'), /x\.data\.val\.pipeline: expected/);
  assert.throws(() => parseConfig(variant((c) => { c.train_pipeline[1].theta = -1; }), 'x'), /x: train_pipeline\[1\]\(RandomRot\)\.theta: expected a number >= 0, got -1/);
  assert.throws(() => parseConfig(variant((c) => { c.val_pipeline[0].type = 'Normalize'; }), 'x'), /x: val_pipeline\[0\]\.type: unknown operation 'Normalize'/);
  assert.throws(() => parseConfig(variant((c) => { c.model.cls_head.num_classes = 61; }), 'x'), /model\.cls_head\.num_classes: 61 differs from model\.backbone\.num_classes 60/);
  assert.throws(() => parseConfig(variant((c) => { c.model.backbone.tcn_ms_cfg[4] = ['min', 3]; }), 'x'), /x\.model\.backbone\.tcn_ms_cfg\[4\]: expected/);
  assert.throws(() => loadConfig(withFile('{"modality": "j",')), /c\.json: not valid JSON/);
  assert.throws(() => loadConfig('ntu60_xsub/q'), /ntu60_xsub\/q: no such config/);
  assert.equal(loadConfig(withFile(JSON.stringify(good))).model.cls_head.weight_1, 0.2, 'a path to a .json file loads');
});

test('semi variant swaps recognizer and head types only', () => {
  const cfg = loadConfig('finegym/k');
  const semi = semiVariant(cfg);
  assert.equal(semi.model.type, 'RecognizerGCN_Semi');
  assert.equal(semi.model.cls_head.type, 'SimpleHead_Semi');
  assert.deepEqual({ ...semi.model.cls_head, type: 'SimpleHead' }, cfg.model.cls_head);
  assert.equal(cfg.model.type, 'RecognizerGCN', 'the input is not modified');
});

test('quick configs mark their provisional fields', () => {
  for (const m of ['j', 'b', 'k']) {
    const cfg = loadConfig(`quick/${m}`);
    assert.ok((cfg.meta?.provisional ?? []).includes('model.backbone.base_channels'));
    assert.equal(cfg.model.backbone.base_channels, 16);
    assert.equal(cfg.model.cls_head.in_channels, 64);
    assert.ok(cfg.train_pipeline.some((op) => op.type === 'UniformSampleDecode' && op.clip_len === 32));
  }
});
