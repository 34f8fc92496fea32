/**
 * `skagent bench infer --engine onnx`: the test forward of the config's model exported to ONNX
 * and run on onnxruntime-node (CPU), timed like engine/bench.ts times the libtorch forward:
 * N samples of the test pipeline's clips per iteration, all clips as one batch.
 */
import type { Config } from '../config/index.js';
import type { Recognizer as TorchRecognizer } from '../model/recognizer.js';
import { noGrad } from '../torch/index.js';
import { peakRssBytes, type BenchModelSpec, type BenchOptions, type BenchResult } from '../engine/bench.js';
import { metadataProps } from '../runtime/metadata.js';
import { Recognizer } from '../runtime/node.js';
import { exportInferenceGraph } from './onnx-model.js';
import { exportMetadata } from './export.js';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export async function benchOnnxInference(config: Config, configName: string, model: TorchRecognizer, spec: BenchModelSpec, o: BenchOptions): Promise<BenchResult> {
  const metadata = exportMetadata(config, configName, '0'.repeat(64), null);
  const { bytes } = noGrad(() => exportInferenceGraph(model.eval(), { metadata: metadataProps(metadata), producerVersion: metadata.projectVersion, inChannels: spec.channels }));
  const rec = await Recognizer.load(bytes, { threads: o.threads });
  try {
    const shape = [o.batch, spec.clips, spec.persons, spec.frames, spec.numJoints, spec.channels];
    const input = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.random() * 2 - 1);
    for (let i = 0; i < o.warmup; i++) await rec.runInput(0, input, shape);
    const seconds: number[] = [];
    for (let i = 0; i < o.iters; i++) {
      const t0 = performance.now();
      await rec.runInput(0, input, shape);
      seconds.push((performance.now() - t0) / 1000);
    }
    const perIter = median(seconds);
    return {
      mode: 'infer', engine: 'onnx', samples_per_s: o.batch / perIter, seconds_per_iter: perIter, seconds, batch: o.batch, clips: spec.clips, input_shape: shape,
      threads: o.threads, device: 'cpu', text_encoder: null, peak_rss_bytes: peakRssBytes(), cpu_cache: null,
    };
  } finally {
    await rec.dispose();
  }
}
