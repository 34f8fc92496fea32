/**
 * Time of the text-encoder part of one training step (batch of 16 samples of NTU-60 classes,
 * their real final descriptions), ViT-B/32 text-tower dimensions with random weights (no
 * download), 2 threads:
 *
 *   trained CLIP, original work: 16 rows × 77 positions, forward + backward (what the original does)
 *   trained CLIP, TrainableClipEncoder: distinct classes only, positions up to the last EOT
 *   frozen CLIP: cached table lookup (plus the one-off encoding of all 60 classes)
 *   built-in encoder: fixed, and with its trainable layer (forward + backward)
 *   PyTorch 1.13 (/usr/bin/python3), the original's 16 × 77 forward + backward, same threads
 *
 * Usage: node dist/bench/text_encoder_bench.js [--steps N] [--vocab bpe.txt.gz] [--descriptions descriptions.json] [--no-python]
 * A ViT-B/32 forward+backward is ~0.3 TFLOP: with a generic-BLAS libtorch (Debian's, ~4 GFLOPS a
 * core) one step takes minutes, so the default is one warm-up and 2 timed steps.
 */
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor, tensor, tidy, arange, randn, manualSeed, setNumThreads, noGrad } from '../src/torch/index.js';
import { ClipTextModel, VIT_B_32_TEXT, causalMask } from '../src/text/clip-model.js';
import { ClipTokenizer } from '../src/text/tokenizer.js';
import { type TextEncoder } from '../src/text/encoder.js';
import { TrainableClipEncoder, FrozenClipEncoder } from '../src/text/encoder-clip.js';
import { BuiltinTextEncoder } from '../src/text/encoder-builtin.js';

const THREADS = 2;
const BATCH = 16;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = (...p: string[]) => resolve(repoRoot, '..', 'shared', ...p);

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const steps = Number(option('steps', '2'));
const vocabPath = option('vocab', shared('fixtures', 'clip', 'bpe_simple_vocab_16e6.txt.gz'));
const descriptionsPath = option('descriptions', shared('fixtures', 'clip', 'descriptions', 'descriptions.json'));
for (const p of [vocabPath, descriptionsPath]) if (!existsSync(p)) throw new Error(`${p} not found (see --vocab / --descriptions)`);

/** Median wall time of fn over `steps` runs after one warm-up, in ms. */
function time(fn: () => void, n = steps): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** One step of the alignment loss's text side: embeddings, a loss on them, backward, grads cleared. */
function trainStep(embed: () => Tensor, params: readonly Tensor[]): void {
  tidy(() => {
    const e = embed();
    if (e.requiresGrad) e.mul(randn(e.shape)).sum().backward();
  });
  for (const p of params) p.grad = null;
}

/** The original's computation: every sample's row, all 77 positions. */
function originalEncode(model: ClipTextModel, tokens: Tensor): Tensor {
  return tidy(() => {
    const L = model.config.contextLength;
    const h = model.transformer.forward(model.embedTokens(tokens).permute(1, 0, 2), causalMask(L)).permute(1, 0, 2);
    return model.lnFinal.forward(h).index([arange(tokens.shape[0]), tokens.argmax(-1)]).matmul(model.textProjection);
  });
}

setNumThreads(THREADS);
manualSeed(0);
const tokenizer = ClipTokenizer.fromFile(vocabPath);
const descriptions: string[] = JSON.parse(readFileSync(descriptionsPath, 'utf8')).datasets.nturgbd_60.descriptions;
// A fixed batch of 16 labels drawn from 60 classes (with the duplicates a random batch has).
const labels = [17, 3, 42, 3, 58, 21, 9, 33, 47, 17, 0, 26, 51, 38, 12, 29];
const batchTokens = tokenizer.tokenize(labels.map((c) => descriptions[c]));
const eotPositions = labels.map((_, i) => batchTokens.data.subarray(i * 77, (i + 1) * 77).indexOf(tokenizer.eot));
console.log(`batch: ${BATCH} samples, ${new Set(labels).size} distinct classes, EOT positions ${Math.min(...eotPositions)}..${Math.max(...eotPositions)}; ${THREADS} threads, median of ${steps} steps`);

const results: [string, number][] = [];
const model = new ClipTextModel(VIT_B_32_TEXT);
const trained: TextEncoder = new TrainableClipEncoder(model, tokenizer);
const params = trained.parameters();
const tokens = tensor(batchTokens.data, batchTokens.shape);
results.push(['trained CLIP, original work (16 × 77), fwd+bwd', time(() => trainStep(() => originalEncode(model, tokens), params))]);
results.push(['trained CLIP, TrainableClipEncoder, fwd+bwd', time(() => trainStep(() => trained.embed(labels, descriptions), params))]);
results.push(['trained CLIP, TrainableClipEncoder, fwd only', time(() => noGrad(() => tidy(() => { trained.embed(labels, descriptions); })))]);

const frozenModel = new ClipTextModel(VIT_B_32_TEXT);
const frozen = new FrozenClipEncoder(frozenModel, tokenizer);
const t0 = performance.now();
frozen.refresh(descriptions);
results.push(['frozen CLIP, one-off encoding of all 60 classes', performance.now() - t0]);
results.push(['frozen CLIP, cached lookup', time(() => trainStep(() => frozen.embed(labels, descriptions), []), 50)]);

const builtin = new BuiltinTextEncoder(tokenizer, { dim: 512 });
const t1 = performance.now();
builtin.refresh(descriptions);
results.push(['built-in, building the 60-class table', performance.now() - t1]);
results.push(['built-in (fixed), lookup', time(() => trainStep(() => builtin.embed(labels, descriptions), []), 50)]);
const builtinTrainable = new BuiltinTextEncoder(tokenizer, { dim: 512, trainable: true });
builtinTrainable.refresh(descriptions);
results.push(['built-in + trainable layer, fwd+bwd', time(() => trainStep(() => builtinTrainable.embed(labels, descriptions), builtinTrainable.parameters()), 50)]);

if (!process.argv.includes('--no-python')) results.push(...pytorchTimings(Array.from(batchTokens.data)));

for (const [what, ms] of results) console.log(`${what.padEnd(52)} ${ms.toFixed(ms < 10 ? 3 : 0).padStart(9)} ms`);

/** The original's trained-CLIP step in PyTorch (same dimensions, threads, tokens). */
function pytorchTimings(flatTokens: number[]): [string, number][] {
  const script = `
import json, sys, time, torch
sys.dont_write_bytecode = True
inp = json.load(sys.stdin)
sys.path.insert(0, inp['tower_dir'])
from encoder_torch_tower import TextTower
torch.set_num_threads(inp['threads'])
torch.manual_seed(0)
c = inp['config']
m = TextTower(c['vocabSize'], c['contextLength'], c['width'], c['heads'], c['layers'], c['embedDim']).train()
tokens = torch.tensor(inp['tokens'], dtype=torch.long).view(-1, c['contextLength'])
def step():
    e = m(tokens)
    (e * torch.randn(e.shape)).sum().backward()
    m.zero_grad(set_to_none=True)
step()
times = []
for _ in range(inp['steps']):
    t0 = time.perf_counter(); step(); times.append((time.perf_counter() - t0) * 1000)
print(json.dumps(sorted(times)[len(times) // 2]))
`;
  const python = process.env.SKAGENT_PYTHON ?? '/usr/bin/python3';
  const input = { tower_dir: join(repoRoot, 'test', 'text'), threads: THREADS, steps, config: VIT_B_32_TEXT, tokens: flatTokens };
  const r = spawnSync(python, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  if (r.status !== 0) {
    console.warn(`PyTorch reference skipped: ${python} failed: ${r.stderr.trim().split('\n').pop()}`);
    return [];
  }
  return [['PyTorch 1.13, original work (16 × 77), fwd+bwd', Number(r.stdout)]];
}
