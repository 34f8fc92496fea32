/**
 * CLIP text tower: parity with the original's `encode_text` on the tiny tower (fixtures/clip),
 * intermediates included, state-dict keys of the ViT-B/32 tower, and the weight-file layouts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad, tidy, randn } from '../../src/torch/index.js';
import { readPth, writePth, PthTensor } from '../../src/io/pth.js';
import { markOrderedDict, type PyValue } from '../../src/io/pickle/index.js';
import { ClipTextModel, TextClip, VIT_B_32_TEXT, causalMask } from '../../src/text/clip-model.js';
import { loadClipTextModel, readClipTextWeights } from '../../src/text/clip-weights.js';
import { needFixtures, fixture } from '../fixtures.js';
import { assertClose, fixtureTensor } from '../model/helpers.js';

const skip = needFixtures();
const TINY = () => fixture('clip', 'tiny_text_encoder.pth');
/** fixtures/README.md, "What to match": tiny text encoder atol 1e-5. */
const TOL = { atol: 1e-5, rtol: 0 };

function loadTiny(): ClipTextModel {
  return loadClipTextModel(TINY()).model.eval();
}

test('tiny tower: encodeText matches the original encode_text (atol 1e-5)', { skip }, () => {
  const model = loadTiny();
  assert.deepEqual({ ...model.config }, { vocabSize: 49408, contextLength: 77, width: 24, heads: 2, layers: 2, embedDim: 32 });
  noGrad(() => tidy(() => {
    const tokens = fixtureTensor('clip', 'tiny_tokens.npy');
    assertClose(model.encodeText(tokens), fixtureTensor('clip', 'tiny_encode_text.npy'), { ...TOL, what: 'encode_text' });
    // int64 tokens (what clip.tokenize returns on torch ≥ 1.8) give the same result.
    assertClose(model.encodeText(tokens.long()), fixtureTensor('clip', 'tiny_encode_text.npy'), { ...TOL, what: 'encode_text (int64 tokens)' });
  }));
  model.dispose();
});

test('tiny tower: intermediates over all 77 positions match (embedding, each resblock in LND, ln_final)', { skip }, () => {
  const model = loadTiny();
  noGrad(() => tidy(() => {
    const tokens = fixtureTensor('clip', 'tiny_tokens.npy');
    const embedded = model.embedTokens(tokens);
    assertClose(embedded, fixtureTensor('clip', 'tiny_token_plus_positional.npy'), { ...TOL, what: 'token + positional embedding' });
    const mask = causalMask(77);
    let x = embedded.permute(1, 0, 2);
    model.transformer.resblocks.items.forEach((block, r) => {
      x = block.forward(x, mask);
      assertClose(x, fixtureTensor('clip', `tiny_resblock${r}_output_LND.npy`), { ...TOL, what: `resblock ${r} output` });
    });
    assertClose(model.lnFinal.forward(x.permute(1, 0, 2)), fixtureTensor('clip', 'tiny_ln_final_output.npy'), { ...TOL, what: 'ln_final output' });
  }));
  model.dispose();
});

test('encodeText reads each row at its largest token id (the EOT position listed in the fixture)', { skip }, () => {
  const meta = JSON.parse(readFileSync(fixture('clip', 'tiny_text_encoder.json'), 'utf8'));
  const tokens = fixtureTensor('clip', 'tiny_tokens.npy');
  assert.deepEqual(Array.from(tokens.argmax(-1).dataSync() as BigInt64Array, Number), meta.eot_positions);
  // A row alone (shorter computed prefix) gives the same embedding as within the batch.
  const model = loadTiny();
  noGrad(() => tidy(() => {
    const all = model.encodeText(tokens);
    for (let i = 0; i < tokens.shape[0]; i++) {
      assertClose(model.encodeText(tokens.narrow(0, i, 1)), all.narrow(0, i, 1), { atol: 1e-6, rtol: 0, what: `row ${i} alone` });
    }
  }));
  model.dispose();
});

test('tiny tower: state-dict keys and shapes in the original order', { skip }, () => {
  const meta = JSON.parse(readFileSync(fixture('clip', 'tiny_text_encoder.json'), 'utf8'));
  const model = new ClipTextModel({ vocabSize: 49408, contextLength: 77, width: 24, heads: 2, layers: 2, embedDim: 32 });
  assert.deepEqual([...model.stateDict()].map(([k, t]) => [k, t.shape]), meta.state_dict_keys.map(([k, shape]: [string, number[]]) => [k, shape]));
  model.dispose();
});

test('ViT-B/32 tower inside TextClip: keys, shapes and order of backbone.model_text_dict.ViT-B/32.model.*', { skip }, () => {
  const prefix = 'backbone.model_text_dict.ViT-B/32.';
  const expected = (JSON.parse(readFileSync(fixture('models', 'ntu60_xsub_j', 'state_dict_keys.json'), 'utf8')) as { key: string; shape: number[] }[])
    .filter((e) => e.key.startsWith(prefix));
  assert.equal(expected.length, 150);
  const clip = new TextClip(new ClipTextModel(VIT_B_32_TEXT));
  assert.deepEqual([...clip.stateDict(prefix)].map(([k, t]) => [k, t.shape]), expected.map((e) => [e.key, e.shape]));
  assert.equal(clip.parameterCount(), 63_428_097);
  clip.dispose();
});

test('the causal mask is 0 on and below the diagonal, −inf above', () => {
  const m = causalMask(3);
  assert.deepEqual(Array.from(m.dataSync() as Float32Array), [0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0]);
  m.dispose();
});

/** Writes `entries` as a torch.save'd dict (optionally wrapped as {state_dict}) and returns the path. */
function savePth(dir: string, name: string, entries: [string, PthTensor][], wrap: boolean): string {
  const sd = markOrderedDict(Object.fromEntries(entries) as Record<string, PyValue>);
  const path = join(dir, name);
  writePth(path, wrap ? { meta: { epoch: 1 }, state_dict: sd } : sd);
  return path;
}

function tinyEntries(): [string, PthTensor][] {
  const sd = (readPth(TINY()).value as { state_dict: Record<string, PthTensor> }).state_dict;
  return Object.entries(sd);
}

test('weights load from an authors\' checkpoint and from a CLIP state dict with the image tower', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clip-weights-'));
  try {
    const entries = tinyEntries();
    const extra = new PthTensor({ dtype: 'float32', shape: [2], data: new Float32Array(2) });
    const authors = savePth(dir, 'best_top1_acc_epoch_3.pth', [
      ['backbone.logit_scale', extra],
      ...entries.map(([k, v]): [string, PthTensor] => [`backbone.model_text_dict.ViT-B/32.model.${k}`, v]),
      ['cls_head.fc_cls.bias', extra],
    ], true);
    const openai = savePth(dir, 'clip.pt', [['visual.proj', extra], ...entries, ['context_length', extra]], false);
    const reference = loadTiny();
    const tokens = fixtureTensor('clip', 'tiny_tokens.npy');
    const expected = noGrad(() => reference.encodeText(tokens));
    for (const [path, layout] of [[authors, 'skeletonagent'], [openai, 'clip']] as const) {
      // Heads cannot be read from shapes (24 is not a multiple of CLIP's 64-wide heads).
      assert.throws(() => readClipTextWeights(path), /cannot infer the attention heads of width 24/);
      const loaded = loadClipTextModel(path, { heads: 2 });
      assert.equal(loaded.layout, layout);
      assertClose(noGrad(() => loaded.model.encodeText(tokens)), expected, { atol: 0, rtol: 0, what: `${layout} layout` });
      loaded.model.dispose();
    }
    assert.throws(() => loadClipTextModel(authors, { heads: 2, textKey: 'RN50' }), /no text encoder under 'backbone\.model_text_dict\.RN50\.model\.\*'.*'ViT-B\/32'/);
    reference.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('weight files without a usable text tower are refused with the reason', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clip-weights-'));
  try {
    assert.throws(() => readClipTextWeights(fixture('models', 'ntu60_xsub_j', 'checkpoint.pth')), /no CLIP text encoder \(per-epoch epoch_<E>\.pth files never do\)/);
    const entries = tinyEntries();
    const noProjection = savePth(dir, 'a.pth', entries.filter(([k]) => k !== 'text_projection'), false);
    assert.throws(() => readClipTextWeights(noProjection, { heads: 2 }), /'text_projection' is missing/);
    const wrongShape = savePth(dir, 'b.pth', entries.map(([k, v]): [string, PthTensor] =>
      k === 'ln_final.bias' ? [k, new PthTensor({ dtype: 'float32', shape: [23], data: new Float32Array(23) })] : [k, v]), false);
    assert.throws(() => loadClipTextModel(wrongShape, { heads: 2 }), /ln_final\.bias: checkpoint \[23\] vs model \[24\]/);
    const unrelated = savePth(dir, 'c.pth', [['weight', entries[0][1]]], false);
    assert.throws(() => readClipTextWeights(unrelated), /no CLIP text-encoder weights found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gradients flow through the tower; logit_scale is a parameter that receives none', { skip }, () => {
  const model = loadTiny().train();
  const tokens = fixtureTensor('clip', 'tiny_tokens.npy');
  tidy(() => {
    const out = model.encodeText(tokens);
    out.mul(randn(out.shape)).sum().backward();
  });
  for (const [name, p] of model.namedParameters()) {
    const g = p.grad;
    if (name === 'logit_scale') assert.equal(g, null);
    else assert.ok(g && g.abs().sum().item() > 0, `${name} has a gradient`);
    g?.dispose();
  }
  model.dispose();
});
