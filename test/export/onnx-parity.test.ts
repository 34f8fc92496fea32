/**
 * The exported ONNX graph on ONNX Runtime (through the runtime's Recognizer) against the
 * libtorch model it was written from: the fixture models of the four backbones (10-clip final
 * scores within 1e-4 relative, and against the original's own scores), and a fixture-free
 * randomly initialised quick model with perturbed batch-norm statistics (so the folding matters).
 */
import { test } from 'node:test';
import { readNpy } from '../../src/io/npy.js';
import { noGrad, setNumThreads, tensor, tidy, zeros, randn } from '../../src/torch/index.js';
import { Recognizer as TorchRecognizer } from '../../src/model/recognizer.js';
import type { BackboneVariant } from '../../src/model/backbone.js';
import { loadConfig } from '../../src/config/index.js';
import { buildModel } from '../../src/engine/build.js';
import { exportInferenceGraph } from '../../src/export/onnx-model.js';
import { exportMetadata } from '../../src/export/export.js';
import { metadataProps } from '../../src/runtime/metadata.js';
import { Recognizer } from '../../src/runtime/node.js';
import { needFixtures, fixture } from '../fixtures.js';
import { fixtureStateDict } from '../model/checkpoint-fixture.js';
import { assertClose } from '../model/helpers.js';

const FIXTURE_CONFIGS = { ntu60_xsub_j: 'ntu60_xsub/j', finegym_j: 'finegym/j', uav_csv1_j: 'uav_csv1/j', k400_j: 'k400/j' } as const;

function fixtureModel(name: string): TorchRecognizer {
  const sd = fixtureStateDict(name);
  const [numClasses, numJoints] = sd.get('backbone.examplar')!.shape;
  const variant: BackboneVariant = sd.has('backbone.to_joint_embedding.weight') ? 'GCN_Module_LLM' : 'GCN_Module_LLM_K400';
  const model = new TorchRecognizer({ variant, numClasses, numJoints, graph: zeros([8, numJoints, numJoints]), examplar: zeros([numClasses, numJoints, numJoints]) });
  model.loadCheckpointState(sd, `${name} fixture checkpoint`);
  return model.eval();
}

async function onnxScores(model: TorchRecognizer, configName: string, input: { data: Float32Array; shape: number[] }): Promise<Float32Array> {
  const config = loadConfig(configName);
  const metadata = exportMetadata({ ...config, model: { ...config.model, backbone: { ...config.model.backbone, num_classes: model.numClasses } } }, configName, '0'.repeat(64), null);
  const { bytes } = exportInferenceGraph(model, { metadata: metadataProps(metadata), producerVersion: 'test', inChannels: input.shape[5] });
  const rec = await Recognizer.load(bytes, { threads: 2 });
  try {
    return await rec.runInput(0, input.data, input.shape);
  } finally {
    await rec.dispose();
  }
}

for (const [name, configName] of Object.entries(FIXTURE_CONFIGS)) {
  test(`${name}: ONNX Runtime 10-clip scores match libtorch and the original within 1e-4 relative`, { skip: needFixtures() }, async () => {
    setNumThreads(2);
    const model = fixtureModel(name);
    try {
      const x = readNpy(fixture('models', name, 'input_10clip.npy'));
      const input = { data: Float32Array.from(x.data as Float32Array), shape: [...x.shape] };
      const torchScores = noGrad(() => tidy(() => model.predict(tensor(input.data, input.shape), 'prob').toFloat32Array()));
      const ort = await onnxScores(model, configName, input);
      assertClose(ort, torchScores, { atol: 1e-7, rtol: 1e-4, what: `${name} ONNX vs libtorch 10-clip scores` });
      const original = readNpy(fixture('models', name, 'test_final_scores.npy'));
      assertClose(ort, original.data as Float32Array, { atol: 1e-7, rtol: 1e-4, what: `${name} ONNX vs the original's 10-clip scores` });
    } finally {
      model.dispose();
    }
  });
}

test('quick/j random model with perturbed BN statistics: ONNX Runtime matches libtorch (no fixtures needed)', async () => {
  setNumThreads(2);
  const config = loadConfig('quick/j');
  const model = buildModel(config, { seed: 3 });
  try {
    // Non-trivial running statistics, affine parameters and graph coefficients, so that every
    // folded term (and alpha/beta, zero at initialisation) matters.
    noGrad(() => {
      for (const [key, t] of model.stateDict()) {
        if (key.endsWith('running_var')) t.copy_(randn(t.shape).abs().add(0.5));
        else if (key.endsWith('running_mean') || key.endsWith('.bias') || key.endsWith('alpha') || key.endsWith('beta') || key.endsWith('add_coeff')) t.copy_(randn(t.shape).mul(0.3));
        else if (key.match(/bn\.weight$|data_bn\.weight$|\.1\.weight$/) && t.ndim === 1) t.copy_(randn(t.shape).mul(0.2).add(1));
      }
    });
    model.eval();
    const shape = [2, 3, 2, 32, 25, 3];
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37) * 0.8);
    const torchScores = noGrad(() => tidy(() => model.predict(tensor(data, shape), 'prob').toFloat32Array()));
    const ort = await onnxScores(model, 'quick/j', { data, shape });
    assertClose(ort, torchScores, { atol: 1e-7, rtol: 1e-4, what: 'quick/j ONNX vs libtorch scores (batch 2, 3 clips)' });
  } finally {
    model.dispose();
  }
});
