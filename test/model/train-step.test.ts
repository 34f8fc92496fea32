/**
 * One training step against the original (fixtures README "Models", training step): mixed batch,
 * every loss term, BatchNorm running statistics, the listed gradients (text-embedding gradient
 * included) and the parameters and momentum buffers after one SGD step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needFixtures } from '../fixtures.js';
import { manualSeed, setNumThreads, tensor, tidy, zeros, type Tensor } from '../../src/torch/index.js';
import { SGD } from '../../src/torch/optim/index.js';
import { PythonRandom } from '../../src/rng/index.js';
import { MIX_GROUPS } from '../../src/skeleton/tables.js';
import { Recognizer } from '../../src/model/recognizer.js';
import { forwardTrain, stepLabels } from '../../src/model/train-forward.js';
import { fixtureStateDict } from './checkpoint-fixture.js';
import { fixtureTensor, manifest, jsonValue, assertClose } from './helpers.js';

const CASES = [
  { config: 'ntu60_xsub_j', variant: 'swap', layout: 'nturgb+d' },
  { config: 'ntu60_xsub_j', variant: 'linear', layout: 'nturgb+d' },
  { config: 'finegym_j', variant: 'swap', layout: 'coco_new' },
  { config: 'uav_csv1_j', variant: 'swap', layout: 'uav' },
] as const;

const GRAD_TOL = { atol: 1e-5, rtol: 1e-4 };

/**
 * Gradients inside the GCN stack are discontinuous in the input: ReLU zeros and max-pool ties
 * route them, so rounding-level forward differences move them visibly in PyTorch itself
 * (bench/reference/grad_sensitivity.py: input × (1 + 1e-7) moves d loss/d gcn.0.gcn.A by 7e-4 of a
 * 0.1 maximum; alpha/beta, sums of such terms, move by several %). Those are compared by
 * relative L2 error (≤ 10 %: a wrong formula gives O(1)) or, for gradients that are themselves
 * rounding noise (biases in front of BatchNorm, ~1e-5), by the fixtures' absolute 1e-5; the
 * head-side gradients, which are smooth, elementwise.
 */
const CHAOTIC = /^backbone\.(gcn\.\d+\.|to_joint_embedding\.|pos_embedding)/;

/**
 * The original's layout ('contiguous') is checked in full at the fixtures' tolerances.
 * Channels-last, the fast CPU default, runs the same operators on another memory layout, so its
 * kernels round differently: the smooth gradients get a wider band (measured worst: uav's
 * direct_fc.weight, 2.6e-5 off at 8.9e-3; a wrong formula is off by O(1)), and the chaotic ones
 * above move by more than their bands (gcn.0.gcn.beta by up to 33 % relative L2 against this
 * implementation's own contiguous run), so in that layout they are left to
 * memory-format.test.ts, which shows in float64 that both layouts compute the same gradients.
 */
const LAYOUTS = [
  { memoryFormat: 'contiguous', gradTol: GRAD_TOL, chaotic: true },
  { memoryFormat: 'channels_last', gradTol: { atol: 5e-5, rtol: 1e-3 }, chaotic: false },
] as const;

function compareGrad(name: string, got: Tensor, expected: Tensor, what: string, tol: { atol: number; rtol: number }, compareChaotic: boolean): void {
  if (!CHAOTIC.test(name)) {
    assertClose(got, expected, { ...tol, what });
    return;
  }
  if (!compareChaotic) return;
  const rel = got.sub(expected).norm().item() / Math.max(expected.norm().item(), 1e-12);
  const worst = got.sub(expected).abs().max().item();
  assert.ok(rel <= 0.1 || worst <= GRAD_TOL.atol, `${what}: relative L2 error ${rel.toExponential(2)} exceeds 10 % (max |difference| ${worst})`);
}

for (const c of CASES) for (const layout of LAYOUTS) {
  test(`${c.config} train_${c.variant} (${layout.memoryFormat}): losses, BN statistics, gradients and SGD step match`, { skip: needFixtures() }, () => {
    setNumThreads(2);
    const all = manifest(c.config);
    const m = all.train[c.variant];
    const sd = fixtureStateDict(c.config);
    const [numClasses, numJoints] = sd.get('backbone.examplar')!.shape;
    const model = new Recognizer({ variant: 'GCN_Module_LLM', numClasses, numJoints, graph: zeros([8, numJoints, numJoints]), examplar: zeros([numClasses, numJoints, numJoints]) });
    model.loadCheckpointState(sd);
    model.backbone.memoryFormat = layout.memoryFormat;
    model.train();
    try {
      tidy(() => {
        const labels = stepLabels(Int32Array.from(jsonValue(m.labels) as number[]));
        const text = fixtureTensor(m.text.embedding.file).requiresGrad_(true);
        const rng = new PythonRandom(m.seeds.python_random);
        manualSeed(m.seeds.torch_manual_seed);
        const r = forwardTrain(model, fixtureTensor(all.train.input.file), labels, {
          mix: { groups: MIX_GROUPS[c.layout]!, numClasses }, rng,
          weights: { constraint: m.config.weight_1, align: m.config.weight_2 },
          textEmbedding: () => text,
        });
        assertClose(r.logits, fixtureTensor(m.cls_score_all.file), { atol: 1e-3, rtol: 1e-5, what: 'cls_score_all' });
        assertClose(r.x1, fixtureTensor(m.x_1_all.file), { atol: 1e-3, rtol: 1e-5, what: 'x_1_all' });
        assertClose(r.x2, fixtureTensor(m.x_2_all.file), { atol: 1e-3, rtol: 1e-5, what: 'x_2_all' });
        const total = jsonValue(m.losses.total) as number;
        assert.ok(Math.abs(r.losses.total.item() - total) <= 1e-5 * Math.abs(total), `total loss ${r.losses.total.item()} vs ${total}`);

        const state = model.stateDict();
        for (const [name, stats] of Object.entries<any>(m.bn_running_stats_after_forward)) {
          assertClose(state.get(`${name}.running_mean`)!, fixtureTensor(stats.running_mean.file), { atol: 1e-5, rtol: 1e-5, what: `${name}.running_mean` });
          assertClose(state.get(`${name}.running_var`)!, fixtureTensor(stats.running_var.file), { atol: 1e-5, rtol: 1e-5, what: `${name}.running_var` });
          assert.equal(state.get(`${name}.num_batches_tracked`)!.item(), stats.num_batches_tracked);
        }

        r.losses.total.backward();
        assertClose(text.grad!, fixtureTensor(m.text.embedding_grad.file), { ...layout.gradTol, what: 'd loss / d text embedding' });
        const params = new Map(model.namedParameters());
        for (const [name, g] of Object.entries<any>(m.grads)) {
          const grad = params.get(name)!.grad!;
          const expected = fixtureTensor(g.file);
          const got = expected.shape[0] !== grad.shape[0] ? grad.narrow(0, 0, expected.shape[0]) : grad;
          compareGrad(name, got, expected, `grad of ${name}`, layout.gradTol, layout.chaotic);
        }

        if (m.sgd_step?.params_after) {
          const o = m.sgd_step.optimizer;
          const sgd = new SGD(model.parameters(), { lr: m.sgd_step.lr_used, momentum: o.momentum, weightDecay: o.weight_decay, nesterov: o.nesterov });
          sgd.step();
          const buffers = sgd.stateDict().state;
          const indexOf = new Map([...params.keys()].map((k, i) => [k, i]));
          for (const [name, after] of Object.entries<any>(m.sgd_step.params_after)) {
            const expected = fixtureTensor(after.value.file);
            const p = params.get(name)!;
            const got = expected.shape[0] !== p.shape[0] ? p.narrow(0, 0, expected.shape[0]) : p;
            // Parameters after the step are dominated by their values before it: compared in both layouts.
            compareGrad(name, got, expected, `${name} after the step`, layout.gradTol, true);
            const buf = (buffers as any)[indexOf.get(name)!]?.momentum_buffer ?? (buffers as any).get?.(indexOf.get(name)!)?.momentum_buffer;
            const expBuf = fixtureTensor(after.momentum_buffer.file);
            compareGrad(name, expBuf.shape[0] !== buf.shape[0] ? buf.narrow(0, 0, expBuf.shape[0]) : buf, expBuf, `${name} momentum buffer`, layout.gradTol, layout.chaotic);
          }
        }
      });
    } finally {
      model.dispose();
    }
  });
}
