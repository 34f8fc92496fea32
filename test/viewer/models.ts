/**
 * Recognition models for the Live tests: configs/quick/j's network, freshly built with the
 * fixture's classes, exported to ONNX into <fixture>/models/. For a 2D layout (coco, uav) the
 * graph and the test pipeline are the 2D datasets' (UniformSampleFrames, PoseDecode, GenSkeFeat,
 * FormatGCNInput) with quick/j's small network.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { SYNTH_CLASS_NAMES } from '../../src/data/index.js';
import { buildModel } from '../../src/engine/build.js';
import { exportMetadata } from '../../src/export/export.js';
import { exportInferenceGraph } from '../../src/export/onnx-model.js';
import { metadataProps } from '../../src/runtime/metadata.js';
import { CLASSES, type ViewerFixture } from './fixture.js';

export function exportFixtureModel(fx: ViewerFixture, layout: 'nturgb+d' | 'coco' | 'uav'): string {
  const config = structuredClone(loadConfig('quick/j'));
  config.model.backbone.num_classes = CLASSES;
  config.model.cls_head.num_classes = CLASSES;
  let name = 'quick/j';
  if (layout !== 'nturgb+d') {
    name = `quick/j (${layout})`;
    config.model.backbone.graph_cfg.layout = layout;
    config.model.cls_head.joint_cfg = layout;
    config.data.test.pipeline = [
      { type: 'UniformSampleFrames', clip_len: 32, num_clips: 1 }, { type: 'PoseDecode' },
      { type: 'GenSkeFeat', dataset: layout, feats: ['j'] }, { type: 'FormatGCNInput', num_person: 2 },
      { type: 'Collect', keys: ['keypoint', 'label'], meta_keys: [] }, { type: 'ToTensor', keys: ['keypoint'] },
    ];
  }
  const model = buildModel(config, { seed: 1 });
  try {
    model.eval();
    const metadata = exportMetadata(config, name, '0'.repeat(64), SYNTH_CLASS_NAMES.slice(0, CLASSES));
    const { bytes } = exportInferenceGraph(model, { metadata: metadataProps(metadata), producerVersion: 'test', inChannels: metadata.inChannels });
    mkdirSync(join(fx.root, 'models'), { recursive: true });
    const path = join(fx.root, 'models', `quick_j_${layout.replace(/\W/g, '')}.onnx`);
    writeFileSync(path, bytes);
    return path;
  } finally {
    model.dispose();
  }
}
