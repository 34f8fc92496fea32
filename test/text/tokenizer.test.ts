/**
 * CLIP tokenizer parity with the original (fixtures/clip/tokenizer_cases.json: every stage of 24
 * sentences; descriptions/: tokens of every shipped final description). All comparisons are exact.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, before } from 'node:test';
import { readNpy } from '../../src/io/npy.js';
import { ConversationStore, readLabelMap } from '../../src/agent/store.js';
import { fixText } from '../../src/text/ftfy.js';
import { ClipTokenizer, TextTooLongError } from '../../src/text/tokenizer.js';
import { fixture, needFixtures, needOriginal, original } from '../fixtures.js';

interface TokenizerCase {
  text: string;
  ftfy_fix_text: string;
  basic_clean: string;
  after_whitespace_clean_lower: string;
  regex_pieces: string[];
  byte_level_pieces: string[];
  bpe_tokens: string[][];
  encode_ids: number[];
  decode: string;
  tokenize?: number[];
  tokenize_error?: string;
  tokenize_truncate: number[];
}

const skip = needFixtures() || needOriginal();

describe('CLIP tokenizer: 24 reference sentences', { skip }, () => {
  let tok: ClipTokenizer;
  let cases: TokenizerCase[];
  before(() => {
    tok = ClipTokenizer.fromFile(original('bpe_simple_vocab_16e6.txt.gz'));
    const json = JSON.parse(readFileSync(fixture('clip', 'tokenizer_cases.json'), 'utf8')) as { cases: TokenizerCase[]; special_ids: { sot: number; eot: number }; vocab_size: number };
    cases = json.cases;
    assert.equal(cases.length, 24);
    assert.equal(tok.sot, json.special_ids.sot);
    assert.equal(tok.eot, json.special_ids.eot);
    assert.equal(tok.vocabSize, json.vocab_size);
  });

  it('ftfy, basic_clean and whitespace_clean+lower', () => {
    for (const c of cases) {
      assert.equal(fixText(c.text), c.ftfy_fix_text, `ftfy of ${JSON.stringify(c.text)}`);
      assert.equal(tok.basicClean(c.text), c.basic_clean, `basic_clean of ${JSON.stringify(c.text)}`);
      assert.equal(tok.normalize(c.text), c.after_whitespace_clean_lower, `normalize of ${JSON.stringify(c.text)}`);
    }
  });

  it('regex pieces, byte-level pieces and BPE symbols', () => {
    for (const c of cases) {
      const pieces = tok.pieces(c.text);
      assert.deepEqual(pieces, c.regex_pieces, `pieces of ${JSON.stringify(c.text)}`);
      assert.deepEqual(pieces.map((p) => tok.byteLevel(p)), c.byte_level_pieces);
      assert.deepEqual(pieces.map((p) => tok.bpe(tok.byteLevel(p))), c.bpe_tokens);
    }
  });

  it('encode and decode', () => {
    for (const c of cases) {
      assert.deepEqual(tok.encode(c.text), c.encode_ids, `ids of ${JSON.stringify(c.text)}`);
      assert.equal(tok.decode(c.encode_ids), c.decode);
    }
  });

  it('tokenize: 77 ids with SOT/EOT, the same error text when too long', () => {
    let errors = 0;
    for (const c of cases) {
      if (c.tokenize_error !== undefined) {
        errors++;
        assert.throws(() => tok.tokenize(c.text), (err: unknown) => err instanceof TextTooLongError && err.message === c.tokenize_error);
      } else {
        const t = tok.tokenize(c.text);
        assert.deepEqual(t.shape, [1, 77]);
        assert.deepEqual(Array.from(t.data), c.tokenize);
      }
    }
    assert.equal(errors, 1, 'the fixture has one over-long sentence');
  });

  it('tokenize with truncate matches tokenizer_cases_tokenize_truncate.npy', () => {
    const want = readNpy(fixture('clip', 'tokenizer_cases_tokenize_truncate.npy'));
    const got = tok.tokenize(cases.map((c) => c.text), { truncate: true });
    assert.equal(want.dtype, 'int32');
    assert.deepEqual(got.shape, want.shape);
    assert.deepEqual(Array.from(got.data), Array.from(want.data as Int32Array));
  });
});

describe('CLIP tokenizer: shipped final descriptions', { skip }, () => {
  const datasets = ['nturgbd_60', 'nturgbd_120', 'finegym', 'k400', 'uav_human'];
  let tok: ClipTokenizer;
  let expected: Record<string, { descriptions: string[]; max_tokens_including_sot_eot: number }>;
  before(() => {
    tok = ClipTokenizer.fromFile(original('bpe_simple_vocab_16e6.txt.gz'));
    expected = JSON.parse(readFileSync(fixture('clip', 'descriptions', 'descriptions.json'), 'utf8')).datasets;
  });

  for (const dataset of datasets) {
    it(`${dataset}: descriptions extracted from the conversation files and their token ids`, () => {
      const names = readLabelMap(original('text', 'label_map', `${dataset}.txt`));
      const store = new ConversationStore(names, original('text', 'gpt4o', dataset), '/nonexistent');
      const descriptions = store.descriptions('error').map((d) => d.text);
      assert.deepEqual(descriptions, expected[dataset].descriptions);
      const want = readNpy(fixture('clip', 'descriptions', `${dataset}_tokens.npy`));
      const got = tok.tokenize(descriptions);
      assert.deepEqual(got.shape, want.shape);
      assert.deepEqual(Array.from(got.data), Array.from(want.data as Int32Array));
      const longest = Math.max(...descriptions.map((d) => tok.encode(d).length + 2));
      assert.equal(longest, expected[dataset].max_tokens_including_sot_eot);
    });
  }
});
