/**
 * Input mutation for the fuzzers: byte-level edits (bit flips, truncation, insertion, deletion,
 * boundary bytes, chunk duplication and splicing) and, for text formats, line- and number-level
 * edits (a count replaced by a huge, negative or non-numeric one, lines dropped or repeated).
 * Deterministic for a seed, so a failing input can be regenerated from (seed, index).
 */
import { mulberry32 } from '../../src/rng/mulberry32.js';

/** A seeded generator of floats in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x20, 0x28, 0x2e, 0x94, 0x95];
/** Little-endian integers that make size fields lie: 0, -1, 2^31, 2^32 - 1, 2^53-ish. */
const INTERESTING_WORDS = [
  [0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], [0x00, 0x00, 0x00, 0x80], [0xff, 0xff, 0xff, 0x7f],
  [0, 0, 0, 0, 0, 0, 0x20, 0], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x00, 0xe4, 0x0b, 0x54, 0x02],
];
const INTERESTING_NUMBERS = ['0', '-1', '1', '25', '99999999999', '4294967296', '1e309', '-0', 'NaN', '1.5', '', '+'];

const JSON_NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

const BYTE_MUTATIONS = ['bitflip', 'truncate', 'insert', 'delete', 'overwrite', 'word', 'duplicate', 'splice'] as const;
const TEXT_MUTATIONS = ['number', 'dropLine', 'repeatLine', 'swapLines'] as const;
export type Mutation = (typeof BYTE_MUTATIONS)[number] | (typeof TEXT_MUTATIONS)[number];

export class Mutator {
  private readonly rand: () => number;
  /** `json`: number edits replace a numeric literal inside the line instead of a space-separated token. */
  /** `dictionary`: tokens of the format; with one, a third of the edits insert or overwrite with a token. */
  constructor(seed: number, private readonly text: boolean, private readonly json = false, private readonly dictionary: readonly string[] = []) {
    this.rand = rng(seed);
  }

  /** A random index below n (which corpus entry to mutate next). */
  pick(n: number): number {
    return this.at(n);
  }

  private at(n: number): number {
    return Math.floor(this.rand() * n);
  }

  /** One to three stacked mutations of `src` (`other` is a second corpus entry for splicing). */
  mutate(src: Uint8Array, other: Uint8Array): Uint8Array {
    let out = src;
    const rounds = 1 + (this.rand() < 0.3 ? this.at(3) : 0);
    for (let r = 0; r < rounds; r++) {
      if (this.dictionary.length > 0 && this.rand() < 1 / 3) {
        out = this.token(out);
        continue;
      }
      const kinds: readonly Mutation[] = this.text && this.rand() < 0.5 ? TEXT_MUTATIONS : BYTE_MUTATIONS;
      out = this.apply(out, kinds[this.at(kinds.length)], other);
    }
    return out;
  }

  apply(src: Uint8Array, kind: Mutation, other: Uint8Array): Uint8Array {
    // A copy: on a Buffer (seeds often are), slice() is a view, and edits would corrupt the corpus.
    const b = new Uint8Array(src);
    const at = (n: number): number => this.at(n);
    switch (kind) {
      case 'bitflip': {
        for (let i = 0, n = 1 + at(8); i < n && b.length > 0; i++) b[at(b.length)] ^= 1 << at(8);
        return b;
      }
      case 'truncate':
        return b.subarray(0, at(b.length));
      case 'insert': {
        const pos = at(b.length + 1);
        const extra = Uint8Array.from({ length: 1 + at(16) }, () => (this.rand() < 0.5 ? INTERESTING_BYTES[at(INTERESTING_BYTES.length)] : at(256)));
        return concat(b.subarray(0, pos), extra, b.subarray(pos));
      }
      case 'delete': {
        const pos = at(b.length);
        return concat(b.subarray(0, pos), b.subarray(pos + 1 + at(16)));
      }
      case 'overwrite': {
        const pos = at(b.length);
        for (let i = 0, n = 1 + at(4); i < n && pos + i < b.length; i++) b[pos + i] = INTERESTING_BYTES[at(INTERESTING_BYTES.length)];
        return b;
      }
      case 'word': {
        const w = INTERESTING_WORDS[at(INTERESTING_WORDS.length)];
        const pos = at(Math.max(1, b.length - w.length));
        for (let i = 0; i < w.length && pos + i < b.length; i++) b[pos + i] = w[i];
        return b;
      }
      case 'duplicate': {
        const start = at(b.length);
        const chunk = b.subarray(start, start + 1 + at(64));
        const pos = at(b.length + 1);
        return concat(b.subarray(0, pos), chunk, b.subarray(pos));
      }
      case 'splice': {
        const cut = at(b.length + 1);
        return concat(b.subarray(0, cut), other.subarray(Math.min(cut, other.length)));
      }
      case 'number':
        if (this.json) {
          return this.editLines(b, (lines) => {
            const i = at(lines.length);
            const literals = [...lines[i].matchAll(JSON_NUMBER)];
            if (literals.length === 0) return;
            const m = literals[at(literals.length)];
            lines[i] = lines[i].slice(0, m.index) + INTERESTING_NUMBERS[at(INTERESTING_NUMBERS.length)] + lines[i].slice(m.index! + m[0].length);
          });
        }
        return this.editLines(b, (lines) => {
          const i = at(lines.length);
          const tokens = lines[i].split(' ');
          tokens[at(tokens.length)] = INTERESTING_NUMBERS[at(INTERESTING_NUMBERS.length)];
          lines[i] = tokens.join(' ');
        });
      case 'dropLine':
        return this.editLines(b, (lines) => { lines.splice(at(lines.length), 1 + at(3)); });
      case 'repeatLine':
        return this.editLines(b, (lines) => { const i = at(lines.length); lines.splice(i, 0, ...Array<string>(1 + at(3)).fill(lines[i])); });
      case 'swapLines':
        return this.editLines(b, (lines) => { const i = at(lines.length); const j = at(lines.length); [lines[i], lines[j]] = [lines[j], lines[i]]; });
    }
  }

  /** A dictionary token inserted at, or written over the bytes at, a random position. */
  private token(b: Uint8Array): Uint8Array {
    const token = Buffer.from(this.dictionary[this.at(this.dictionary.length)], 'latin1');
    const pos = this.at(b.length + 1);
    const over = this.rand() < 0.5 ? token.length : 0;
    return concat(b.subarray(0, pos), token, b.subarray(Math.min(b.length, pos + over)));
  }

  private editLines(b: Uint8Array, edit: (lines: string[]) => void): Uint8Array {
    const lines = Buffer.from(b).toString('latin1').split('\n');
    if (lines.length === 0) return b;
    edit(lines);
    return Buffer.from(lines.join('\n'), 'latin1');
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
