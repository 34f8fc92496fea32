/** `skagent bench train|infer`: model throughput as a config trains and tests (src/engine/bench.ts). */
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { loadConfig } from '../../config/index.js';
import { formatProfile } from '../../torch/index.js';
import { type BenchResult, benchInference, benchModelSpec, benchTraining } from '../../engine/bench.js';
import { setUpRun } from '../../engine/run-setup.js';
import { benchOnnxInference } from '../../export/onnx-bench.js';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { intOption } from './data-common.js';
import { RUNTIME_HELP, SEMANTICS_OPTIONS, SEMANTICS_HELP, runtimeOptions, semanticsOptions } from './run-options.js';

const MODES = ['train', 'infer'] as const;
type Mode = (typeof MODES)[number];

const HELP = `skagent bench — throughput of the model's training step or of multi-clip inference

Usage: skagent bench train|infer <config> [--batch N] [--iters N] [--warmup N] [--threads N]
                                          [--engine torch|onnx]
                                          [--device D] [--random-text] [--profile [--shapes]] [--json]
                                          [semantic options]

  train    one training step as the config trains: random input [N, 1, M, T, V, C] of the
           config's shape, mix-up (the backbone sees 2N samples), every loss term including
           the alignment loss with the text encoder, backward, SGD step. A sample is one clip.
  infer    the test forward: eval mode, no gradient, N samples of the test pipeline's clip
           count each (10 for the original configs), softmax averaged over clips.
  <config>      a config name (ntu60_xsub/j, k400/km, quick/j, ...) or a config .json file
  --batch N     samples per iteration (default: the config's videos_per_gpu for train,
                test_dataloader.videos_per_gpu for infer)
  --engine E    infer only: torch (libtorch, default) or onnx (the model exported as
                'skagent export' writes it, on onnxruntime-node's CPU provider)
  --iters N     timed iterations (default 3); the figure is their median
  --warmup N    untimed iterations first (default 1): weight reorders, allocator growth
  --random-text train with a fixed random [classes, 512] text-embedding table instead of the
                text encoder (--text-encoder, default builtin)
  --profile     after timing, run one more iteration under the operator profiler and print
                where it went: every ATen operator and autograd function (forward and backward)
                with calls, self and total seconds; --top N rows (default 25)
  --shapes      with --profile: one row per operator and input shapes
  --json        print one JSON object: samples_per_s, seconds_per_iter, seconds (every timed
                iteration), batch, clips, threads, device, text_encoder {name, trained},
                peak_rss_bytes, cpu_cache (and profile {rows, wallSeconds} with --profile)
${RUNTIME_HELP}

${SEMANTICS_HELP}

Weights are freshly initialised (throughput does not depend on their values). For comparable
runs on a shared machine keep other work off the cores, and set OPENBLAS_NUM_THREADS=1.

Example:
  skagent bench train ntu60_xsub/j --threads 2 --iters 3 --json`;

function modeArg(value: string | undefined): Mode {
  if (!value || !(MODES as readonly string[]).includes(value)) throw new UserError(`expected train or infer, got '${value ?? ''}'`, ExitCode.usage);
  return value as Mode;
}

function summary(r: BenchResult, config: string, top: number): string {
  const unit = r.mode === 'train' ? 'samples/s' : `samples/s (${r.clips} clips each)`;
  const lines = [
    `${r.mode} ${config}${r.engine === 'onnx' ? ' (ONNX Runtime)' : ''}: ${r.samples_per_s.toFixed(3)} ${unit}, ${r.seconds_per_iter.toFixed(3)} s/iteration (median of ${r.seconds.length})`,
    `  batch ${r.batch}, input [${r.input_shape.join(', ')}], ${r.threads} threads, device ${r.device}, peak RSS ${(r.peak_rss_bytes / 2 ** 30).toFixed(2)} GiB`,
    `  iterations: ${r.seconds.map((s) => s.toFixed(3)).join(' ')} s`,
  ];
  if (r.text_encoder) lines.push(`  text encoder: ${r.text_encoder.name}${r.text_encoder.trained ? ' (trained)' : ' (fixed)'}`);
  if (r.cpu_cache) lines.push(`  CPU allocator cache: peak ${(r.cpu_cache.peakBytes / 2 ** 30).toFixed(2)} GiB (live + cached), ${r.cpu_cache.hits} hits, ${r.cpu_cache.misses} misses`);
  if (r.profile) lines.push('', `profile of one more iteration:`, formatProfile(r.profile, top));
  return lines.join('\n');
}

export const benchCommand: Command = {
  path: ['bench'],
  summary: 'Throughput of the training step or of multi-clip inference for a config',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: {
        batch: { type: 'string' }, iters: { type: 'string' }, warmup: { type: 'string' }, 'random-text': { type: 'boolean' },
        profile: { type: 'boolean' }, shapes: { type: 'boolean' }, top: { type: 'string' }, engine: { type: 'string' },
        json: { type: 'boolean' }, threads: { type: 'string' }, device: { type: 'string' }, ...SEMANTICS_OPTIONS,
      },
    });
    if (positionals.length !== 2) throw new UserError(`expected train|infer and <config>, got ${positionals.length} argument(s)`, ExitCode.usage);
    const mode = modeArg(positionals[0]);
    const configName = positionals[1];
    const config = loadConfig(configName);
    const spec = benchModelSpec(config);
    const engine = values.engine ?? 'torch';
    if (engine !== 'torch' && engine !== 'onnx') throw new UserError(`--engine: expected torch or onnx, got '${engine}'`, ExitCode.usage);
    if (engine === 'onnx' && (mode !== 'infer' || values.profile)) throw new UserError('--engine onnx applies to bench infer without --profile', ExitCode.usage);
    if (values.shapes && !values.profile) throw new UserError('--shapes only applies with --profile', ExitCode.usage);
    const top = intOption(values.top, 'top', 25, 1);
    const batch = intOption(values.batch, 'batch', mode === 'train' ? spec.trainBatch : spec.testBatch, 1);
    const iters = intOption(values.iters, 'iters', 3, 1);
    const warmup = intOption(values.warmup, 'warmup', 1, 0);
    const log = (line: string) => { if (!values.json) process.stderr.write(`${line}\n`); };
    // Inference has no text side; the agent loop never runs here (no epochs end), so its work dir is irrelevant.
    const semantics = mode === 'infer' ? null : values['random-text'] ? 'random-table' as const : semanticsOptions(values);
    const run = setUpRun({ config, runtime: runtimeOptions(values), semantics, workDir: tmpdir(), log });
    const o = {
      batch, iters, warmup, threads: run.runtime.threads, device: run.runtime.device,
      ...(values.profile ? { profile: values.shapes ? 'shapes' as const : 'ops' as const } : {}),
    };
    let result: BenchResult;
    try {
      result = mode === 'train' ? benchTraining(run.model, spec, run.semantics!, o)
        : engine === 'onnx' ? await benchOnnxInference(config, configName, run.model, spec, o) : benchInference(run.model, spec, o);
    } finally {
      run.dispose();
    }
    process.stdout.write(values.json ? `${JSON.stringify({ config: configName, ...result })}\n` : `${summary(result, configName, top)}\n`);
    return ExitCode.ok;
  },
};
