/**
 * Throughput of the ntu60_xsub/j training pipeline (samples/s, one thread): this implementation
 * against the numpy reference bench/pipeline_reference.py on the same synthetic NTU-like samples
 * (float16 [M, T, 25, 3], M ∈ {1, 2}, T ∈ [60, 300], empty leading/trailing frames), each sample
 * processed after seeding both generators with its index. Also checks that both sides produce
 * byte-identical outputs.
 *
 *   node dist/bench/pipeline_throughput.js [--samples 200] [--reps 3]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { type NdArray, bytesOf } from '../src/io/ndarray.js';
import { writeNpy } from '../src/io/npy.js';
import { compose } from '../src/transforms/index.js';
import { createPipelineRng } from '../src/rng/index.js';
import { floatToHalfBits } from '../src/transforms/array/half.js';
import { NumpyRandomState } from '../src/rng/index.js';

const PYTHON = process.env.SKAGENT_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'pipeline_reference.py');

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

/** A smooth random motion with some empty frames at both ends, like NTU files. */
function syntheticSample(rng: NumpyRandomState): NdArray<'float16'> {
  const m = rng.rand() < 0.4 ? 2 : 1;
  const t = rng.randint(60, 301);
  const lead = rng.randint(0, 4);
  const trail = rng.randint(0, 4);
  const base = Array.from({ length: m * 25 * 3 }, () => rng.uniform(-1, 1) + (rng.rand() < 0.1 ? 3 : 0));
  const phase = Array.from({ length: m * 25 * 3 }, () => rng.uniform(0, 6.28));
  const data = new Uint16Array(m * t * 25 * 3);
  for (let p = 0; p < m; p++) {
    for (let f = lead; f < t - trail; f++) {
      for (let k = 0; k < 75; k++) {
        data[(p * t + f) * 75 + k] = floatToHalfBits(base[p * 75 + k] + 0.2 * Math.sin(f / 9 + phase[p * 75 + k]));
      }
    }
  }
  return { dtype: 'float16', shape: [m, t, 25, 3], data };
}

function main(): void {
  const count = option('samples', 200);
  const reps = option('reps', 3);
  const gen = new NumpyRandomState(2024);
  const samples = Array.from({ length: count }, () => syntheticSample(gen));
  const dir = mkdtempSync(join(tmpdir(), 'skagent-pipeline-bench-'));
  try {
    samples.forEach((s, i) => writeNpy(join(dir, `sample_${String(i).padStart(5, '0')}.npy`), s));
    const pipeline = compose(loadConfig('ntu60_xsub/j').train_pipeline, 'ntu60_xsub/j train_pipeline');
    const seconds: number[] = [];
    let digest = '';
    for (let rep = 0; rep <= reps; rep++) {
      const sha = createHash('sha1');
      const start = performance.now();
      samples.forEach((kp, i) => {
        const rec = { keypoint: { ...kp }, label: 0, total_frames: kp.shape[1], modality: 'Pose', start_index: 0 };
        const out = pipeline.run(rec, createPipelineRng(i));
        if (rep === 0) sha.update(bytesOf(out.keypoint as NdArray));
      });
      const elapsed = (performance.now() - start) / 1000;
      if (rep === 0) digest = sha.digest('hex');
      else seconds.push(elapsed);
    }
    const ours = count / Math.min(...seconds);
    process.stdout.write(`TypeScript: ${ours.toFixed(0)} samples/s (best of ${reps} passes over ${count} samples)\n`);

    const r = spawnSync(PYTHON, [SCRIPT, dir, String(reps)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) {
      process.stdout.write(`numpy reference unavailable (${PYTHON} exited with ${r.status}); no ratio\n`);
      return;
    }
    const py = JSON.parse(r.stdout) as { samples_per_s: number; sha1: string };
    process.stdout.write(`numpy:      ${py.samples_per_s.toFixed(0)} samples/s\n`);
    process.stdout.write(`ratio:      ${(ours / py.samples_per_s).toFixed(2)}x\n`);
    process.stdout.write(`outputs:    ${py.sha1 === digest ? 'identical' : `DIFFERENT (ours ${digest}, numpy ${py.sha1})`}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
