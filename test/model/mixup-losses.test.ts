/**
 * Mix-up and loss terms against the original's training-step fixtures
 * (skeletonagent/models/recognizers/tools.py, skeletonagent/models/heads/base.py).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needFixtures } from '../fixtures.js';
import { manualSeed, tensor, tidy } from '../../src/torch/index.js';
import { PythonRandom } from '../../src/rng/index.js';
import { MIX_GROUPS } from '../../src/skeleton/tables.js';
import { skeletonMix } from '../../src/model/mixup.js';
import { trainingLosses } from '../../src/model/losses.js';
import { fixtureTensor, manifest, jsonValue, assertClose } from './helpers.js';

const CASES = [
  { config: 'ntu60_xsub_j', variant: 'swap', layout: 'nturgb+d' },
  { config: 'ntu60_xsub_j', variant: 'linear', layout: 'nturgb+d' },
  { config: 'finegym_j', variant: 'swap', layout: 'coco_new' },
  { config: 'uav_csv1_j', variant: 'swap', layout: 'uav' },
] as const;

for (const c of CASES) {
  test(`skeletonMix reproduces ${c.config} train_${c.variant}`, { skip: needFixtures() }, () => {
    const m = manifest(c.config).train[c.variant];
    tidy(() => {
      const input = fixtureTensor('models', c.config, 'train_input.npy');
      const x = input.select(1, 0);
      const labels = tensor(BigInt64Array.from(jsonValue(m.labels) as number[], BigInt), { dtype: 'int64' });
      const rng = new PythonRandom(m.seeds.python_random);
      manualSeed(m.seeds.torch_manual_seed);
      const mix = skeletonMix(x, labels, { groups: MIX_GROUPS[c.layout]!, numClasses: m.config.num_classes }, rng);
      const draws = m.mix.draws;
      assert.equal(mix.draws.shift, draws.torch_randint_n);
      assert.deepEqual(mix.draws.joints, draws.spa_idx);
      assert.equal(mix.draws.ct, draws.Ct);
      assert.equal(mix.draws.t0, draws.tem_idx);
      assert.equal(mix.draws.p, draws.p);
      assert.deepEqual([...mix.partner], jsonValue(m.mix.randidx));
      assert.equal(mix.lambda, jsonValue(m.mix.lamb_returned));
      assertClose(mix.data, fixtureTensor('models', c.config, `train_${c.variant}`, 'mix_data.npy'), { atol: 0, rtol: 1e-7, what: 'mix_data' });
      assertClose(mix.labels, fixtureTensor('models', c.config, `train_${c.variant}`, 'mix_label.npy'), { atol: 0, rtol: 0, what: 'mix_label' });
    });
  });

  test(`training losses reproduce ${c.config} train_${c.variant}`, { skip: needFixtures() }, () => {
    const m = manifest(c.config).train[c.variant];
    const dir = `train_${c.variant}`;
    tidy(() => {
      const N = (jsonValue(m.labels) as number[]).length;
      const labels = tensor(BigInt64Array.from(jsonValue(m.labels) as number[], BigInt), { dtype: 'int64' });
      const logits = fixtureTensor('models', c.config, dir, 'cls_score_all.npy');
      const x1 = fixtureTensor('models', c.config, dir, 'x_1_all.npy').narrow(0, 0, N);
      const x2 = fixtureTensor('models', c.config, dir, 'x_2_all.npy').narrow(0, 0, N);
      const text = fixtureTensor(m.text.embedding.file);
      const scale = tensor([[jsonValue(m.logit_scale_used) as number]]);
      const l = trainingLosses({
        logits, mixLabels: fixtureTensor('models', c.config, dir, 'mix_label.npy'), x1, x2, textEmbedding: text, logitScale: scale, labels,
        weights: { constraint: m.config.weight_1, align: m.config.weight_2 },
      });
      const L = m.losses;
      const check = (got: { item(): number }, key: string) => {
        const want = jsonValue(L[key]) as number;
        assert.ok(Math.abs(got.item() - want) <= 1e-5 * Math.abs(want) + 1e-7, `${key}: ${got.item()} vs ${want}`);
      };
      check(l.ce, 'loss_cls_ce');
      check(l.mix, 'cls_mix');
      check(l.cls, 'loss_cls_0');
      check(l.constraint, 'loss_constraint');
      check(l.alignSkeleton, 'loss_align_skeleton');
      check(l.alignText, 'loss_align_text');
      check(l.align, 'loss_align');
      check(l.total, 'total');
      assertClose(l.logitsPerSkeleton, fixtureTensor('models', c.config, dir, 'logits_per_skeleton.npy'), { atol: 1e-6, rtol: 1e-5, what: 'logits_per_skeleton' });
      assertClose(l.logitsPerText, fixtureTensor('models', c.config, dir, 'logits_per_text.npy'), { atol: 1e-6, rtol: 1e-5, what: 'logits_per_text' });
    });
  });
}
