/** A randomly initialised configs/quick/j model (NTU layout, 3D) exported to ONNX for the live tests (export needs libtorch). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad } from '../../src/torch/index.js';
import { loadConfig } from '../../src/config/index.js';
import { buildModel } from '../../src/engine/build.js';
import { exportInferenceGraph } from '../../src/export/onnx-model.js';
import { exportMetadata } from '../../src/export/export.js';
import { metadataProps } from '../../src/runtime/metadata.js';

export function exportQuickModel(dir: string, name = 'j', seed = 1): string {
  const config = loadConfig(`quick/${name}`);
  const model = buildModel(config, { seed });
  const labels = Array.from({ length: config.model.backbone.num_classes }, (_, i) => `action ${i}`);
  const path = join(dir, `quick_${name}.onnx`);
  try {
    const metadata = exportMetadata(config, `quick/${name}`, 'f'.repeat(64), labels);
    noGrad(() => writeFileSync(path, exportInferenceGraph(model.eval(), { metadata: metadataProps(metadata), producerVersion: 'test', inChannels: 3 }).bytes));
  } finally {
    model.dispose();
  }
  return path;
}

/** NTU-25 poses (x, y, z) of `people` tracks over `frames` frames, deterministic. */
export function ntuFrames(frames: number, people = 1): { id: number; keypoints: number[][] }[][] {
  return Array.from({ length: frames }, (_, t) => Array.from({ length: people }, (_, p) => ({
    id: p + 1,
    keypoints: Array.from({ length: 25 }, (_, j) => [Math.sin(t * 0.1 + j + p), Math.cos(t * 0.07 * j) + p, 2 + 0.01 * j]),
  })));
}
