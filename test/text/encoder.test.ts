/**
 * Text encoders for the alignment loss: the trained CLIP encoder against PyTorch (forward and
 * backward in training mode, duplicates in the batch), the frozen cache, the built-in hashed
 * encoder, .npy embeddings, and the factory's errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor, tensor, tidy, noGrad, randn } from '../../src/torch/index.js';
import { writeNpy, readNpy } from '../../src/io/npy.js';
import { ndarray } from '../../src/io/ndarray.js';
import { ClipTokenizer } from '../../src/text/tokenizer.js';
import { loadClipTextModel } from '../../src/text/clip-weights.js';
import { TrainableClipEncoder, FrozenClipEncoder } from '../../src/text/encoder-clip.js';
import { BuiltinTextEncoder } from '../../src/text/encoder-builtin.js';
import { FileTextEncoder } from '../../src/text/encoder-file.js';
import { createTextEncoder } from '../../src/text/encoder-factory.js';
import { wordTokens, type TokenEncoder } from '../../src/text/word-tokens.js';
import type { ClipTextModel } from '../../src/text/clip-model.js';
import { needFixtures, fixture, REPO_ROOT } from '../fixtures.js';
import { assertClose } from '../model/helpers.js';
import { needPythonTorch, runPythonJson } from '../torch/python-torch.js';

const skip = needFixtures();
const TINY = () => fixture('clip', 'tiny_text_encoder.pth');
let tokenizerCache: ClipTokenizer | null = null;
const tokenizer = () => (tokenizerCache ??= ClipTokenizer.fromFile(fixture('clip', 'bpe_simple_vocab_16e6.txt.gz')));
const ntu60 = () => JSON.parse(readFileSync(fixture('clip', 'descriptions', 'descriptions.json'), 'utf8')).datasets.nturgbd_60.descriptions as string[];
const tinyModel = () => loadClipTextModel(TINY()).model;

/** The original's text tower in PyTorch 1.13 (train mode): encodes every row, duplicates included. */
const PYTORCH_TEXT_TOWER = `
inp = json.load(sys.stdin)
sys.dont_write_bytecode = True
sys.path.insert(0, inp['tower_dir'])
from encoder_torch_tower import TextTower
ck = torch.load(inp['pth'])
sd, hp = ck['state_dict'], ck['meta']['hyper_parameters']
m = TextTower(hp['vocab_size'], hp['context_length'], hp['transformer_width'], hp['transformer_heads'], hp['transformer_layers'], hp['embed_dim'])
m.load_state_dict(sd)
m.train()
tokens = torch.tensor(inp['tokens'], dtype=torch.long)
emb = m(tokens)
(emb * torch.tensor(inp['weights'])).sum().backward()
ids = sorted(set(tokens.flatten().tolist()))
print(json.dumps({
    'embedding': emb.detach().flatten().tolist(),
    'grads': {n: p.grad.flatten().tolist() for n, p in m.named_parameters() if n in inp['grads']},
    'token_ids': ids,
    'token_grad': m.token_embedding.weight.grad[ids].flatten().tolist(),
}))
`;

test('trained CLIP encoder: embeddings and gradients match PyTorch, duplicates in the batch included', { skip: skip || needPythonTorch() }, () => {
  const descriptions = ntu60();
  const classes = [5, 17, 5, 40, 17];
  const fixtureTokens = readNpy(fixture('clip', 'descriptions', 'nturgbd_60_tokens.npy'));
  const tokens = classes.map((c) => Array.from(fixtureTokens.data.subarray(c * 77, (c + 1) * 77) as Int32Array));
  const weights = tidy(() => randn([classes.length, 32]));
  const gradNames = ['text_projection', 'positional_embedding', 'transformer.resblocks.0.attn.in_proj_weight', 'transformer.resblocks.1.mlp.c_fc.weight', 'transformer.resblocks.1.ln_2.bias', 'ln_final.weight'];
  const ref = runPythonJson<{ embedding: number[]; grads: Record<string, number[]>; token_ids: number[]; token_grad: number[] }>(PYTORCH_TEXT_TOWER,
    { tower_dir: join(REPO_ROOT, 'test', 'text'), pth: TINY(), tokens, weights: chunks(Array.from(weights.dataSync() as Float32Array), 32), grads: gradNames });

  const encoder = new TrainableClipEncoder(tinyModel(), tokenizer());
  const embedding = encoder.embed(classes, descriptions);
  assert.deepEqual(embedding.shape, [classes.length, 32]);
  assertClose(embedding, ref.embedding, { atol: 1e-5, rtol: 0, what: 'embedding' });
  tidy(() => embedding.mul(weights).sum().backward());
  // Gradients here reach ~100 and are sums over positions and samples with cancellation, so the
  // absolute tolerance follows each tensor's largest value (float32 summation-order noise).
  const gradTolerance = (ref: number[], what: string) => ({ atol: 2e-6 * Math.max(...ref.map(Math.abs)), rtol: 1e-4, what });
  const params = new Map(encoder.model.namedParameters());
  for (const name of gradNames) {
    tidy(() => assertClose(params.get(name)!.grad!, ref.grads[name], gradTolerance(ref.grads[name], `grad ${name}`)));
  }
  tidy(() => {
    const ids = tensor(BigInt64Array.from(ref.token_ids, BigInt), [ref.token_ids.length]);
    assertClose(params.get('token_embedding.weight')!.grad!.indexSelect(0, ids), ref.token_grad, gradTolerance(ref.token_grad, 'token embedding grad'));
  });
  embedding.dispose();
  weights.dispose();
  encoder.dispose();
});

function chunks(values: number[], width: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < values.length; i += width) out.push(values.slice(i, i + width));
  return out;
}

test('trained CLIP encoder: installable module under the original key layout, parameters to train', { skip }, () => {
  const encoder = new TrainableClipEncoder(tinyModel(), tokenizer());
  assert.equal(encoder.trainable, true);
  assert.equal(encoder.dim, 32);
  const keys = [...encoder.module.stateDict('model_text_dict.ViT-B/32.').keys()];
  assert.equal(keys[0], 'model_text_dict.ViT-B/32.model.positional_embedding');
  assert.equal(keys.length, 30);
  assert.deepEqual(encoder.parameters().map((t) => t.id), encoder.module.parameters().map((t) => t.id));
  // Rows of the same class are identical, and match encoding the class alone.
  const descriptions = ntu60();
  tidy(() => {
    const batch = encoder.embed(Int32Array.from([3, 9, 3]), descriptions);
    assert.equal(batch.requiresGrad, true);
    assertClose(batch.narrow(0, 2, 1), batch.narrow(0, 0, 1), { atol: 0, rtol: 0, what: 'duplicate rows' });
    assertClose(encoder.embed([9], descriptions), batch.narrow(0, 1, 1), { atol: 1e-6, rtol: 0, what: 'class alone' });
  });
  assert.throws(() => encoder.embed([60], descriptions), /class index 60 \(sample 0\) is outside 0\.\.59 \(60 descriptions\)/);
  assert.throws(() => encoder.embed([0], ['word '.repeat(80)]), /description of class 0 has 82 tokens, more than CLIP's 77/);
  encoder.dispose();
});

/** Counts the rows a model encodes. */
function countEncodedRows(model: ClipTextModel): { rows: number } {
  const counter = { rows: 0 };
  const encodeText = model.encodeText.bind(model);
  model.encodeText = (tokens: Tensor) => {
    counter.rows += tokens.shape[0];
    return encodeText(tokens);
  };
  return counter;
}

test('frozen CLIP encoder: same values without gradients, each description encoded once until it changes', { skip }, () => {
  const descriptions = ntu60();
  const trained = new TrainableClipEncoder(tinyModel(), tokenizer());
  const frozen = new FrozenClipEncoder(tinyModel(), tokenizer(), undefined, 16);
  assert.deepEqual([frozen.trainable, frozen.parameters().length, frozen.module], [false, 0, null]);
  assert.ok(frozen.model.parameters().every((p) => !p.requiresGrad));
  const encoded = countEncodedRows(frozen.model);
  tidy(() => {
    const out = frozen.embed([1, 2, 1], descriptions);
    assert.equal(out.requiresGrad, false);
    assertClose(out, noGrad(() => trained.embed([1, 2, 1], descriptions)), { atol: 1e-6, rtol: 0, what: 'frozen vs trained' });
  });
  assert.equal(encoded.rows, 2);
  tidy(() => frozen.embed([2, 1], descriptions));
  assert.equal(encoded.rows, 2, 'cached rows are not re-encoded');

  const updated = [...descriptions];
  updated[2] = 'A person brushes their hair with the right hand.';
  tidy(() => {
    const out = frozen.embed([2, 3], updated);
    assertClose(out, noGrad(() => trained.embed([2, 3], updated)), { atol: 1e-6, rtol: 0, what: 'after a description update' });
  });
  assert.equal(encoded.rows, 4, 'the changed class and the new class');
  frozen.refresh(updated);
  assert.equal(encoded.rows, 61, 'refresh encodes the 57 classes not seen yet');
  tidy(() => frozen.embed(Array.from({ length: 60 }, (_, c) => c), updated));
  assert.equal(encoded.rows, 61);
  trained.dispose();
  frozen.dispose();
});

function cosine(a: Tensor, i: number, j: number): number {
  return tidy(() => {
    const x = a.select(0, i);
    const y = a.select(0, j);
    return x.dot(y).item() / Math.sqrt(x.dot(x).item() * y.dot(y).item());
  });
}

/** The builtin encoder's two token sources: hashed words (the default, no file needed) and CLIP's BPE (with the vocabulary). */
const BUILTIN_TOKENS: readonly { name: string; tokens: () => TokenEncoder; skip: string | false }[] = [
  { name: 'hashed words (default)', tokens: () => wordTokens, skip: false },
  { name: 'CLIP BPE tokens', tokens: () => tokenizer(), skip },
];

/** Descriptions of a few classes, in the conversations' style (no fixture needed). */
const DESCRIPTIONS = [
  'A person raises the left hand above the head.',
  'A person raises the right hand above the head.',
  'Someone kicks a ball forward with the foot.',
  'A person sits down on a chair and leans back.',
  'A person drinks water from a cup held in the right hand.',
];

for (const source of BUILTIN_TOKENS) {
  test(`builtin encoder, ${source.name}: deterministic, unit rows, descriptions sharing words are similar`, { skip: source.skip }, () => {
    const texts = [
      'A person raises the left hand above the head.',
      'A person raises the right hand above the head.',
      'Someone kicks a ball forward with the foot.',
      'Someone kicks a ball forward with the foot.',
    ];
    const a = new BuiltinTextEncoder(source.tokens(), { dim: 256 });
    const b = new BuiltinTextEncoder(source.tokens(), { dim: 256 });
    const other = new BuiltinTextEncoder(source.tokens(), { dim: 256, seed: 7 });
    assert.deepEqual([a.trainable, a.module, a.parameters().length, a.dim], [false, null, 0, 256]);
    tidy(() => {
      const e = a.embed([0, 1, 2, 3], texts);
      assert.deepEqual(e.shape, [4, 256]);
      assertClose(e.norm(2, 1), [1, 1, 1, 1], { atol: 1e-6, rtol: 0, what: 'row norms' });
      assertClose(b.embed([0, 1, 2, 3], texts), e, { atol: 0, rtol: 0, what: 'same seed' });
      assert.ok(other.embed([0], texts).sub(e.narrow(0, 0, 1)).abs().max().item() > 0.01, 'another seed projects differently');
      const close = cosine(e, 0, 1);
      const far = cosine(e, 0, 2);
      assert.ok(close > 0.6, `left/right-hand sentences: cosine ${close}`);
      assert.ok(Math.abs(far) < 0.25, `unrelated sentences: cosine ${far}`);
      assert.ok(Math.abs(cosine(e, 2, 3) - 1) < 1e-6);
    });
    tidy(() => {
      // A changed description changes its row.
      const before = a.embed([2], texts);
      const after = a.embed([2], [texts[0], texts[1], 'Someone throws a ball.', texts[3]]);
      assert.ok(after.sub(before).abs().max().item() > 0.01);
    });
    a.dispose();
    b.dispose();
    other.dispose();
  });

  test(`builtin encoder, ${source.name}, with the trainable layer: identity at start, gradients reach it`, { skip: source.skip }, () => {
    const fixed = new BuiltinTextEncoder(source.tokens(), { dim: 64 });
    const trainable = new BuiltinTextEncoder(source.tokens(), { dim: 64, trainable: true });
    assert.deepEqual([...trainable.module!.stateDict().keys()], ['builtin_proj.weight', 'builtin_proj.bias']);
    tidy(() => {
      const out = trainable.embed([0, 4, 0], DESCRIPTIONS);
      assertClose(out, fixed.embed([0, 4, 0], DESCRIPTIONS), { atol: 1e-6, rtol: 0, what: 'identity start' });
      out.sum().backward();
      const [weight] = trainable.parameters();
      assert.ok(weight.grad!.abs().sum().item() > 0);
    });
    fixed.dispose();
    trainable.dispose();
  });
}

test('file encoder: rows of a [classes, dim] .npy, checked against the class count', () => {
  const dir = mkdtempSync(join(tmpdir(), 'text-file-'));
  try {
    const path = join(dir, 'emb.npy');
    writeNpy(path, ndarray('float64', [3, 2], Float64Array.from([1, 2, 3, 4, 5, 6])));
    const encoder = new FileTextEncoder(path);
    assert.deepEqual([encoder.dim, encoder.numClasses, encoder.followsDescriptions], [2, 3, false]);
    tidy(() => {
      const out = encoder.embed([2, 0, 2], ['a', 'b', 'c']);
      assert.equal(out.dtype, 'float32');
      assert.deepEqual(Array.from(out.dataSync() as Float32Array), [5, 6, 1, 2, 5, 6]);
    });
    assert.throws(() => encoder.embed([0], ['a', 'b']), /emb\.npy: has 3 rows but the dataset has 2 classes/);
    assert.throws(() => encoder.embed([3], ['a', 'b', 'c']), /class index 3/);
    encoder.dispose();
    const flat = join(dir, 'flat.npy');
    writeNpy(flat, ndarray('float32', [4], new Float32Array(4)));
    assert.throws(() => new FileTextEncoder(flat), /flat\.npy: text embeddings must be a 2-D float array \[classes, dim\], got float32 \[4\]/);
    assert.throws(() => createTextEncoder({ kind: 'file', file: path, dim: 512 }), /emb\.npy \(embedding width\) is 2, but the model's alignment branch expects 512/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('factory: the default builtin encoder and the file kind need no downloaded file; missing parts are named', () => {
  // Without a vocabulary the builtin encoder hashes words: nothing to download, still deterministic.
  const builtin = createTextEncoder({ kind: 'builtin' });
  assert.ok(builtin instanceof BuiltinTextEncoder);
  assert.equal(builtin.dim, 512);
  builtin.dispose();
  const wordsOnly = createTextEncoder({ kind: 'builtin', dim: 16 });
  const e = wordsOnly.embed([0, 1], ['a person waves the right hand', 'a person kicks with the right leg']);
  assert.deepEqual(e.shape, [2, 16]);
  e.dispose();
  wordsOnly.dispose();
  assert.throws(() => createTextEncoder({ kind: 'clip' }), /'clip' needs CLIP's BPE vocabulary file/);
  assert.throws(() => createTextEncoder({ kind: 'clip-frozen', vocab: '/nonexistent/bpe.txt.gz', weights: '/nonexistent/w.pth' }), /cannot read the CLIP BPE vocabulary '\/nonexistent\/bpe\.txt\.gz'/);
  assert.throws(() => createTextEncoder({ kind: 'builtin', vocab: '/nonexistent/bpe.txt.gz' }), /cannot read the CLIP BPE vocabulary '\/nonexistent\/bpe\.txt\.gz'/);
  assert.throws(() => createTextEncoder({ kind: 'file' }), /'file' needs the path/);
  assert.throws(() => createTextEncoder({ kind: 'bert' as 'clip' }), /unknown text encoder kind 'bert'/);
});

test('factory: builds the CLIP kinds and explains what does not fit', { skip }, () => {
  const vocab = fixture('clip', 'bpe_simple_vocab_16e6.txt.gz');
  assert.throws(() => createTextEncoder({ kind: 'clip', vocab: '/nonexistent/bpe.txt.gz', weights: TINY() }), /cannot read the CLIP BPE vocabulary '\/nonexistent\/bpe\.txt\.gz'/);
  assert.throws(() => createTextEncoder({ kind: 'clip', tokenizer: tokenizer() }), /'clip' needs CLIP weights/);
  assert.throws(() => createTextEncoder({ kind: 'clip-frozen', tokenizer: tokenizer(), weights: TINY(), dim: 512 }),
    /tiny_text_encoder\.pth \(CLIP text projection width\) is 32, but the model's alignment branch expects 512/);

  const builtin = createTextEncoder({ kind: 'builtin', vocab });
  assert.equal(builtin.dim, 512);
  builtin.dispose();
  const clip = createTextEncoder({ kind: 'clip', tokenizer: tokenizer(), weights: TINY(), dim: 32 });
  assert.ok(clip instanceof TrainableClipEncoder);
  clip.dispose();
  const frozen = createTextEncoder({ kind: 'clip-frozen', tokenizer: tokenizer(), weights: TINY() });
  assert.ok(frozen instanceof FrozenClipEncoder);
  frozen.dispose();
});
