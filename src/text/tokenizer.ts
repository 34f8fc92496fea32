/**
 * CLIP's byte-level BPE tokenizer (`clip/simple_tokenizer.py` + `clip.tokenize`), bit-exact with the
 * original: ftfy fix + double HTML unescape + strip, whitespace collapse, lower case, CLIP's
 * pre-tokenisation regex, bytes-to-unicode mapping and BPE over the 48,894 merges of
 * `bpe_simple_vocab_16e6.txt.gz`. The vocabulary file is an input (`--clip-vocab`), never bundled.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type NdArray, ndarray } from '../io/ndarray.js';
import { fixText } from './ftfy.js';
import { htmlUnescape } from './html-unescape.js';
import { PY_WHITESPACE_CLASS, pyCollapseWhitespace, pyStrip } from './python-text.js';

export const SOT_TOKEN = '<|startoftext|>';
export const EOT_TOKEN = '<|endoftext|>';
export const CONTEXT_LENGTH = 77;
/** Merge lines used from the vocabulary file: lines 1..48894 (line 0 is a version header). */
const NUM_MERGES = 49152 - 256 - 2;
/** The real file is 1.6 MB decompressed; a gzip that inflates past this is not a vocabulary. */
const MAX_VOCABULARY_BYTES = 64 << 20;

/**
 * CLIP's pattern. `\s` is spelled out with Python's whitespace set; after whitespace_clean the only
 * whitespace left is ' ' anyway. The original compiles it with IGNORECASE, so 'i' is kept.
 */
const PIECE_RE = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^${PY_WHITESPACE_CLASS}\\p{L}\\p{N}]+`,
  'giu');

/**
 * GPT-2/CLIP `bytes_to_unicode`: every byte to a printable character (BMP, below U+0144), as
 * [byte, char] pairs in the original dict's order (printable bytes first), which is also the order
 * of the first 256 vocabulary entries.
 */
function bytesToUnicode(): [number, string][] {
  const pairs: [number, string][] = [];
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  for (let b = 0; b < 256; b++) if (printable(b)) pairs.push([b, String.fromCharCode(b)]);
  let n = 0;
  for (let b = 0; b < 256; b++) if (!printable(b)) pairs.push([b, String.fromCharCode(256 + n++)]);
  return pairs;
}

/** A merge line that is exactly "a b" (the whole real file): the line is its own rank key. */
const PLAIN_MERGE = /^\S+ \S+$/;

/**
 * Lines 1..NUM_MERGES of the vocabulary as [a, b, the line when it already reads "a b"]; a line is
 * split on whitespace like the original's `merge.split()` and must give exactly two symbols.
 */
function readMerges(text: string, source: string): [string, string, string?][] {
  const merges: [string, string, string?][] = [];
  let end = text.indexOf('\n'); // the version header
  while (merges.length < NUM_MERGES && end >= 0) {
    const start = end + 1;
    end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    if (PLAIN_MERGE.test(line)) {
      const space = line.indexOf(' ');
      merges.push([line.slice(0, space), line.slice(space + 1), line]);
      continue;
    }
    const pair = line.split(/\s+/).filter((s) => s.length > 0);
    if (pair.length !== 2) throw new Error(`${source}:${merges.length + 2}: expected a merge "a b", found '${line}'`);
    merges.push([pair[0], pair[1]]);
  }
  if (merges.length < NUM_MERGES) {
    throw new Error(`${source}: expected at least ${NUM_MERGES + 1} lines of BPE merges, found ${text.split('\n').length}`);
  }
  return merges;
}

const UTF8 = new TextEncoder();
const UTF8_REPLACING = new TextDecoder('utf-8');

/** Thrown by `tokenize` for a text longer than the context and `truncate` off; same text as CLIP's. */
export class TextTooLongError extends Error {
  constructor(readonly text: string, readonly tokenCount: number, readonly contextLength: number) {
    super(`Input ${text} is too long for context length ${contextLength}`);
    this.name = 'TextTooLongError';
  }
}

export interface TokenizeOptions {
  contextLength?: number;
  /** Cut to the context and end with EOT instead of throwing (CLIP's `truncate=True`). */
  truncate?: boolean;
}

export class ClipTokenizer {
  readonly sot: number;
  readonly eot: number;
  readonly vocabSize: number;
  /** byte value -> character */
  private readonly byteEncoder: string[] = [];
  private readonly byteDecoder = new Map<string, number>();
  private readonly encoder = new Map<string, number>();
  private readonly decoder: string[] = [];
  /** "first second" -> merge rank. Symbols never contain a space (byte 0x20 maps to 'Ġ'). */
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>([[SOT_TOKEN, [SOT_TOKEN]], [EOT_TOKEN, [EOT_TOKEN]]]);

  /**
   * @param mergesText the decompressed vocabulary file; `source` names it in errors. Only the
   * first NUM_MERGES lines after the header are read (the file has 262,145 lines; CLIP uses these),
   * walked in place instead of split into one string per line: a third of the parse time, and the
   * garbage of 262k line strings, went there.
   */
  constructor(mergesText: string, source = '<bpe vocabulary>') {
    const byteUnicode = bytesToUnicode();
    for (const [byte, ch] of byteUnicode) { this.byteEncoder[byte] = ch; this.byteDecoder.set(ch, byte); }
    const merges = readMerges(mergesText, source);
    let id = 0;
    const add = (token: string) => { this.encoder.set(token, id); this.decoder[id++] = token; };
    for (const [, ch] of byteUnicode) add(ch);
    for (const [, ch] of byteUnicode) add(ch + '</w>');
    for (const [a, b] of merges) add(a + b);
    add(SOT_TOKEN);
    add(EOT_TOKEN);
    merges.forEach(([a, b, key], rank) => this.ranks.set(key ?? `${a} ${b}`, rank));
    this.sot = this.encoder.get(SOT_TOKEN)!;
    this.eot = this.encoder.get(EOT_TOKEN)!;
    this.vocabSize = id;
  }

  /** Loads `bpe_simple_vocab_16e6.txt.gz` (gzip or plain text). */
  static fromFile(path: string): ClipTokenizer {
    let raw: Buffer;
    try {
      raw = readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read the CLIP BPE vocabulary '${path}': ${(err as Error).message}`);
    }
    return ClipTokenizer.fromBytes(raw, path);
  }

  /** The vocabulary file's bytes (gzip or plain text); `source` names it in errors. */
  static fromBytes(raw: Uint8Array, source: string): ClipTokenizer {
    const gzipped = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
    let text: string;
    try {
      const bytes = gzipped ? gunzipSync(raw, { maxOutputLength: MAX_VOCABULARY_BYTES }) : raw;
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    } catch (err) {
      throw new Error(`${source}: not a readable gzip file (${(err as Error).message})`);
    }
    return new ClipTokenizer(text, source);
  }

  /** `basic_clean`: ftfy, HTML-unescape twice, strip. */
  basicClean(text: string): string {
    return pyStrip(htmlUnescape(htmlUnescape(fixText(text))));
  }

  /** `whitespace_clean(basic_clean(text)).lower()`: the string the regex splits. */
  normalize(text: string): string {
    return pyStrip(pyCollapseWhitespace(this.basicClean(text))).toLowerCase();
  }

  /** CLIP regex pieces of the normalised text. */
  pieces(text: string): string[] {
    return Array.from(this.normalize(text).matchAll(PIECE_RE), (m) => m[0]);
  }

  /** A piece's UTF-8 bytes as bytes_to_unicode characters. */
  byteLevel(piece: string): string {
    let out = '';
    for (const b of UTF8.encode(piece)) out += this.byteEncoder[b];
    return out;
  }

  /** BPE symbols of one byte-level piece (the last carries '</w>'). */
  bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    let word = token.split('');
    word[word.length - 1] += '</w>';
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) { bestRank = rank; best = i; }
      }
      if (best < 0) break;
      const first = word[best];
      const second = word[best + 1];
      // Merge every non-overlapping occurrence of the pair, left to right.
      const merged: string[] = [];
      for (let i = 0; i < word.length;) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i++]);
        }
      }
      word = merged;
    }
    this.cache.set(token, word);
    return word;
  }

  /** `encode`: token ids without SOT/EOT. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const piece of this.pieces(text)) {
      for (const symbol of this.bpe(this.byteLevel(piece))) ids.push(this.encoder.get(symbol)!);
    }
    return ids;
  }

  /** `decode`: ids back to text, '</w>' as a space, invalid UTF-8 replaced by U+FFFD. */
  decode(ids: Iterable<number>): string {
    const bytes: number[] = [];
    for (const id of ids) {
      const token = this.decoder[id];
      if (token === undefined) throw new Error(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
      for (const ch of token) bytes.push(this.byteDecoder.get(ch)!);
    }
    return UTF8_REPLACING.decode(new Uint8Array(bytes)).replaceAll('</w>', ' ');
  }

  /** Whether `text` tokenises within `contextLength` (SOT and EOT included) without truncation. */
  fits(text: string, contextLength = CONTEXT_LENGTH): boolean {
    return this.encode(text).length + 2 <= contextLength;
  }

  /**
   * `clip.tokenize(texts)`: int32 [texts, contextLength], each row SOT + ids + EOT, zero-padded.
   * Throws TextTooLongError when a text does not fit and `truncate` is off.
   */
  tokenize(texts: string | readonly string[], options: TokenizeOptions = {}): NdArray<'int32'> {
    const list = typeof texts === 'string' ? [texts] : texts;
    const contextLength = options.contextLength ?? CONTEXT_LENGTH;
    const out = new Int32Array(list.length * contextLength);
    list.forEach((text, row) => {
      let tokens = [this.sot, ...this.encode(text), this.eot];
      if (tokens.length > contextLength) {
        if (!options.truncate) throw new TextTooLongError(text, tokens.length, contextLength);
        tokens = tokens.slice(0, contextLength);
        tokens[contextLength - 1] = this.eot;
      }
      out.set(tokens, row * contextLength);
    });
    return ndarray('int32', [list.length, contextLength], out);
  }
}
