/** Eval-mode forward of the four fixture models against the original (fixtures README "Models"). */
import { test } from 'node:test';
import { needFixtures } from '../fixtures.js';
import { noGrad, setNumThreads, tidy, zeros } from '../../src/torch/index.js';
import { Recognizer } from '../../src/model/recognizer.js';
import type { BackboneVariant } from '../../src/model/backbone.js';
import { fixtureStateDict } from './checkpoint-fixture.js';
import { fixtureTensor, manifest, assertClose } from './helpers.js';

const CONFIGS = ['ntu60_xsub_j', 'finegym_j', 'uav_csv1_j', 'k400_j'] as const;

function buildFromFixture(config: string): Recognizer {
  const sd = fixtureStateDict(config);
  const [numClasses, numJoints] = sd.get('backbone.examplar')!.shape;
  const variant: BackboneVariant = sd.has('backbone.to_joint_embedding.weight') ? 'GCN_Module_LLM' : 'GCN_Module_LLM_K400';
  const model = new Recognizer({ variant, numClasses, numJoints, graph: zeros([8, numJoints, numJoints]), examplar: zeros([numClasses, numJoints, numJoints]) });
  model.loadCheckpointState(sd, `${config} fixture checkpoint`);
  return model.eval();
}

for (const config of CONFIGS) for (const memoryFormat of ['channels_last', 'contiguous'] as const) {
  test(`${config} (${memoryFormat}): eval forward matches the original (x, x1, x2, per-clip logits, 1- and 10-clip scores)`, { skip: needFixtures() }, () => {
    setNumThreads(2);
    const m = manifest(config);
    const model = buildFromFixture(config);
    model.backbone.memoryFormat = memoryFormat;
    try {
      noGrad(() => tidy(() => {
        const input = fixtureTensor('models', config, 'input_1clip.npy');
        const [N, nc, ...rest] = input.shape;
        const out = model.backbone.forward(input.reshape(N * nc, ...rest));
        const loose = { atol: 1e-3, rtol: 1e-5 };
        assertClose(out.x1, fixtureTensor(m.eval.val_backbone.x_1.file), { ...loose, what: 'x_1' });
        assertClose(out.x2, fixtureTensor(m.eval.val_backbone.x_2.file), { ...loose, what: 'x_2' });
        assertClose(out.features.mean([3, 4]), fixtureTensor(m.eval.val_backbone.x_pooled.file), { ...loose, what: 'x pooled over T, V' });
        if (m.eval.val_backbone.x?.file) {
          assertClose(out.features.narrow(0, 0, 1), fixtureTensor(m.eval.val_backbone.x.file), { atol: 2e-3, rtol: 1e-5, what: 'x of sample 0' });
        }
        for (const split of ['val', 'test'] as const) {
          const x = fixtureTensor('models', config, split === 'val' ? 'input_1clip.npy' : 'input_10clip.npy');
          const logits = model.predict(x, null);
          assertClose(logits, fixtureTensor('models', config, `${split}_cls_score_per_clip.npy`), { ...loose, what: `${split} per-clip logits` });
          assertClose(model.predict(x, 'prob'), fixtureTensor('models', config, `${split}_final_scores.npy`), { atol: 1e-5, rtol: 0, what: `${split} final scores` });
        }
      }));
    } finally {
      model.dispose();
    }
  });
}
