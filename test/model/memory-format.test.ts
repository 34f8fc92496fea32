/**
 * The two activation layouts of the backbone (channels-last, the CPU default, and the original's
 * contiguous layout) compute the same function. In float32 their kernels round differently and
 * the rounding is amplified in the GCN's gradients (train-step.test.ts), so the equality is
 * shown in float64, where rounding is ~1e-16: a training step (mix-up, every loss, backward)
 * and an eval forward agree to 1e-9 relative in every gradient, BatchNorm statistic and output. Runs on
 * freshly initialised weights, so it needs no fixtures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, randn, setNumThreads, tensor, tidy, keep, noGrad, type MemoryFormat, type Tensor } from '../../src/torch/index.js';
import { PythonRandom } from '../../src/rng/index.js';
import { loadConfig } from '../../src/config/index.js';
import { buildModel, mixConfigOf } from '../../src/engine/build.js';
import { forwardTrain, stepLabels } from '../../src/model/train-forward.js';
import type { Recognizer } from '../../src/model/recognizer.js';

const FORMATS: readonly MemoryFormat[] = ['channels_last', 'contiguous'];
/**
 * ‖a − b‖ ≤ RTOL·‖b‖ + ATOL: float64 rounding amplified by the GCN stack stays orders below RTOL;
 * ATOL covers gradients that are zero in exact arithmetic (biases and pos_embedding in front of
 * a training-mode BatchNorm), whose float64 values are noise of ~1e-16.
 */
const RTOL = 1e-9;
const ATOL = 1e-12;

function assertSame(a: Tensor, b: Tensor, what: string): void {
  const [diff, norm] = tidy(() => [a.sub(b).norm().item(), b.norm().item()]);
  assert.ok(diff <= RTOL * norm + ATOL, `${what}: ‖difference‖ ${diff.toExponential(2)} between layouts exceeds ${RTOL}·${norm.toExponential(2)} + ${ATOL}`);
}

const CONFIG = loadConfig('quick/j');

function float64Model(memoryFormat: MemoryFormat): Recognizer {
  const model = buildModel(CONFIG).to('float64');
  model.backbone.memoryFormat = memoryFormat;
  return model;
}

/** Block activations in the layout asked for (else the test would compare a layout with itself). */
function assertLayout(model: Recognizer, memoryFormat: MemoryFormat, input: Tensor): void {
  const block = model.backbone.blocks.items[0];
  const seen: boolean[] = [];
  const forward = block.forward.bind(block);
  block.forward = (x: Tensor) => { seen.push(x.isChannelsLast()); return forward(x); };
  noGrad(() => tidy(() => { model.backbone.forward(input); }));
  block.forward = forward;
  assert.deepEqual(seen, [memoryFormat === 'channels_last'], `first block input channels-last in ${memoryFormat}`);
}

test('channels-last and contiguous layouts give the same training step in float64', () => {
  setNumThreads(2);
  const input = keep(randn([3, 1, 2, 32, 25, 3], { dtype: 'float64' }));
  const text = keep(randn([3, 512], { dtype: 'float64' }));
  const labels = stepLabels(Int32Array.from([0, 5, 5]));
  keep(labels.tensor);
  const results = FORMATS.map((memoryFormat) => {
    manualSeed(3); // the same initial weights in both runs
    const model = float64Model(memoryFormat);
    assertLayout(model, memoryFormat, input.select(1, 0));
    model.train();
    const r = forwardTrain(model, input, labels, {
      mix: mixConfigOf(CONFIG), rng: new PythonRandom(11),
      weights: { constraint: 0.2, align: 0.5 }, textEmbedding: () => text,
    });
    r.losses.total.backward();
    const out = new Map<string, Tensor>([['logits', keep(r.logits.detach())], ['x1', keep(r.x1.detach())], ['x2', keep(r.x2.detach())], ['loss', keep(r.losses.total.detach())]]);
    for (const [name, p] of model.namedParameters()) if (p.grad) out.set(`grad ${name}`, keep(p.grad.clone()));
    for (const [name, b] of model.namedBuffers()) if (b.dtype === 'float64') out.set(name, keep(b.clone()));
    model.dispose();
    return out;
  });
  const [channelsLast, contiguous] = results;
  assert.equal(channelsLast.size, contiguous.size);
  assert.ok(channelsLast.size > 100, `compared ${channelsLast.size} tensors`);
  for (const [name, expected] of contiguous) assertSame(channelsLast.get(name)!, expected, name);
  for (const t of [input, text, labels.tensor, ...results.flatMap((m) => [...m.values()])]) t.dispose();
});

test('channels-last and contiguous layouts give the same eval forward in float64', () => {
  setNumThreads(2);
  const input = keep(randn([2, 2, 32, 25, 3], { dtype: 'float64' }));
  const [a, b] = FORMATS.map((memoryFormat) => {
    manualSeed(5);
    const model = float64Model(memoryFormat).eval();
    const out = noGrad(() => tidy(() => {
      const o = model.backbone.forward(input);
      return [keep(o.features.contiguous()), keep(o.x1), keep(o.x2)];
    }));
    model.dispose();
    return out;
  });
  ['features', 'x1', 'x2'].forEach((name, i) => assertSame(a[i], b[i], name));
  for (const t of [input, ...a, ...b]) t.dispose();
});
