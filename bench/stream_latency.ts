/**
 * Live-stream latency of skeletonagent/runtime: a PoseStream over a one-model recognizer and over
 * a six-model (J, B, K, JM, BM, KM) ensemble, fed NTU-25 frames with two people; per prediction
 * the time from the push that completed the stride to the scores (p50 / p99), and the peak RSS of
 * the measuring process (a child that imports only the runtime, not libtorch).
 *
 *   node dist/bench/stream_latency.js [--window 32] [--stride 8] [--predictions 60] [--threads 1]
 *
 * Models are randomly initialised configs/quick models (16 base channels, 32-frame clips, 1
 * clip) exported to ONNX; the motion streams use the quick configs with the motion feature.
 * Latency depends on the model size, not the weights.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({ options: { window: { type: 'string' }, stride: { type: 'string' }, predictions: { type: 'string' }, threads: { type: 'string' }, run: { type: 'string' } } });
const window = Number(values.window ?? 32);
const stride = Number(values.stride ?? 8);
const predictions = Number(values.predictions ?? 60);
const threads = Number(values.threads ?? 1);

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };

async function measure(models: string[]): Promise<void> {
  const { Recognizer } = await import('../src/runtime/node.js');
  const { PoseStream } = await import('../src/live/stream.js');
  const { poseTargetOf } = await import('../src/live/poses.js');
  const rec = await Recognizer.load(models, { threads });
  const stream = new PoseStream(rec, poseTargetOf(rec), { window, stride });
  const lat: number[] = [];
  const frames = window + stride * (predictions + 2);
  for (let t = 0; t < frames; t++) {
    const people = [0, 1].map((p) => ({ id: p, keypoints: Array.from({ length: 25 }, (_, j) => [Math.sin(t * 0.1 + j + p), Math.cos(t * 0.07 * j) + p, 2 + 0.01 * j]) }));
    const r = await stream.push({ people });
    if (r !== null && t >= window + 2 * stride) lat.push(r.latencyMs); // the first two predictions warm up
  }
  await rec.dispose();
  console.log(JSON.stringify({ models: models.length, predictions: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), mean: lat.reduce((a, b) => a + b, 0) / lat.length, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

async function main(): Promise<void> {
  if (values.run !== undefined) return measure(values.run.split(','));
  const { noGrad } = await import('../src/torch/index.js');
  const { loadConfig } = await import('../src/config/index.js');
  const { buildModel } = await import('../src/engine/build.js');
  const { exportInferenceGraph } = await import('../src/export/onnx-model.js');
  const { exportMetadata } = await import('../src/export/export.js');
  const { metadataProps } = await import('../src/runtime/metadata.js');
  const dir = mkdtempSync(join(tmpdir(), 'skagent-stream-bench-'));
  try {
    const paths = ['j', 'b', 'k', 'jm', 'bm', 'km'].map((m, i) => {
      const config = structuredClone(loadConfig(`quick/${m[0]}`)) as ReturnType<typeof loadConfig>;
      if (m.length === 2) {
        for (const key of ['train_pipeline', 'val_pipeline', 'test_pipeline'] as const) {
          for (const step of (config as unknown as Record<string, { type: string; feats?: string[] }[]>)[key] ?? []) if (step.type === 'GenSkeFeat') step.feats = [m];
        }
        (config as { modality: string }).modality = m;
        (config.model.backbone as unknown as { llm_modality: string }).llm_modality = m;
      }
      const model = buildModel(config, { seed: i + 1 });
      const path = join(dir, `quick_${m}.onnx`);
      try {
        noGrad(() => writeFileSync(path, exportInferenceGraph(model.eval(), { metadata: metadataProps(exportMetadata(config, `quick/${m}`, '0'.repeat(64), null)), producerVersion: 'bench', inChannels: 3 }).bytes));
      } finally {
        model.dispose();
      }
      return path;
    });
    console.log(`stream latency: window ${window}, stride ${stride}, ${predictions} predictions, ${threads} ONNX Runtime thread(s), NTU-25 frames, 2 people`);
    for (const set of [paths.slice(0, 1), paths]) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--run', set.join(','), '--window', String(window), '--stride', String(stride), '--predictions', String(predictions), '--threads', String(threads)], { encoding: 'utf8' });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { models: number; predictions: number; p50: number; p99: number; mean: number; peakRssMiB: number };
      console.log(`${r.models === 1 ? 'one model (J)  ' : 'six models (6M)'}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, mean ${r.mean.toFixed(1)} ms over ${r.predictions} predictions; peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
