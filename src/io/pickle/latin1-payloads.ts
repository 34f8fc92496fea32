/**
 * The fast path for protocol 0–2 array payloads (see `fusedLatin1Encode`), kept apart from the
 * general opcode handlers in unpickler.ts. It reads the input and says what it read; the unpickler
 * alone changes its stack and memo (see `Latin1Payload`), so this module does not know the
 * Unpickler class.
 */
import type { ByteInput, PayloadArena } from './input.js';
import { OP } from './opcodes.js';
import { decodeLatin1, decodeUtf8, utf8ToLatin1 } from './text.js';
import { PyGlobal, PyTuple } from './values.js';

/** A memo entry computed only if a GET asks for it (see `fusedLatin1Encode`). */
export class LazyMemo {
  constructor(readonly materialize: () => unknown) {}
}

/** `_codecs.encode` payloads smaller than this take the ordinary path. */
const FUSE_MIN_BYTES = 1024;
const LATIN1 = [0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31]; // 'latin1'

/** A memo put: an explicit index, the next index (MEMOIZE), or none. */
type Put = number | 'next' | null;

/** A memo entry to store, in order: at `index`, or at the next free index (MEMOIZE) for 'next'. */
export interface MemoEntry {
  readonly index: number | 'next';
  readonly value: unknown;
}

/**
 * What the fast path consumed from the input:
 * - `str`: the BINUNICODE payload only, as an ordinary str to push;
 * - `encoded`: the whole `_codecs.encode(str, 'latin1')` call through REDUCE: the encode global on
 *   top of the stack is to be replaced by `bytes`, and `memo` stored in order.
 */
export type Latin1Payload =
  | { readonly kind: 'str'; readonly text: string }
  | { readonly kind: 'encoded'; readonly bytes: Uint8Array; readonly memo: readonly MemoEntry[] };

interface CodecsTail {
  /** Bytes from the end of the str payload through REDUCE. */
  readonly length: number;
  readonly strPut: Put;
  readonly encodingPut: Put;
  readonly tuplePut: Put;
}

/** Matches `[PUT] 'latin1' [PUT] TUPLE2 [PUT] REDUCE` at the start of `tail`, or returns null. */
function parseCodecsTail(tail: Uint8Array, memo: readonly unknown[]): CodecsTail | null {
  const dv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const u32At = (at: number): number => (at + 4 <= tail.length ? dv.getUint32(at, true) : -1);
  let i = 0;
  const put = (): Put => {
    switch (tail[i]) {
      case OP.BINPUT: i += 2; return tail[i - 1] ?? -1;
      case OP.LONG_BINPUT: i += 5; return u32At(i - 4);
      case OP.MEMOIZE: i += 1; return 'next';
      default: return null;
    }
  };
  const latin1At = (at: number): boolean => LATIN1.every((c, k) => tail[at + k] === c);
  const strPut = put();
  let encodingPut: Put = null;
  if (tail[i] === OP.BINGET && memo[tail[i + 1]] === 'latin1') i += 2;
  else if (tail[i] === OP.LONG_BINGET && memo[u32At(i + 1)] === 'latin1') i += 5;
  else if (tail[i] === OP.SHORT_BINUNICODE && tail[i + 1] === 6 && latin1At(i + 2)) { i += 8; encodingPut = put(); }
  else if (tail[i] === OP.BINUNICODE && u32At(i + 1) === 6 && latin1At(i + 5)) { i += 11; encodingPut = put(); }
  else return null;
  if (tail[i] !== OP.TUPLE2) return null;
  i += 1;
  const tuplePut = put();
  if (tail[i] !== OP.REDUCE || [strPut, encodingPut, tuplePut].includes(-1)) return null;
  return { length: i + 1, strPut, encodingPut, tuplePut };
}

/**
 * Protocol 0–2 pickles (mmcv.dump: the PYSKL annotation files) hold every array's bytes as
 *   _codecs.encode(<latin-1 str>, 'latin1'):  BINUNICODE [PUT] 'latin1' [PUT] TUPLE2 [PUT] REDUCE
 * with the encode global already on the stack. Building that str (as big as the data, copied by
 * the GC) and encoding it back made such files several times slower to load than protocol 4.
 * When exactly this sequence follows, the UTF-8 is decoded straight into the resulting bytes and
 * the memo gets lazy entries for the str and the tuple. `stackTop` is the value on top of the
 * unpickler's stack and `memo` its memo (read only). Returns null, consuming nothing, when the str
 * payload does not qualify.
 */
export function fusedLatin1Encode(
  input: ByteInput, arena: PayloadArena, n: number, stackTop: unknown, memo: readonly unknown[],
): Latin1Payload | null {
  if (n < FUSE_MIN_BYTES || n > input.maxView || !(stackTop instanceof PyGlobal) || stackTop.pyClass !== '_codecs.encode') return null;
  const out = arena.alloc(n, input.remaining);
  const view = input.view(n);
  const count = utf8ToLatin1(view, out);
  if (count === undefined) {
    arena.trimLast(0);
    return { kind: 'str', text: decodeUtf8(view) };
  }
  const bytes = arena.trimLast(count);
  const tail = parseCodecsTail(input.peek(32), memo);
  if (tail === null) return { kind: 'str', text: decodeLatin1(bytes) }; // an ordinary str after all
  input.skip(tail.length);
  const text = (): string => decodeLatin1(bytes);
  const entries: MemoEntry[] = [];
  const store = (put: Put, value: unknown): void => {
    if (put !== null) entries.push({ index: put, value });
  };
  store(tail.strPut, new LazyMemo(text));
  store(tail.encodingPut, 'latin1');
  store(tail.tuplePut, new LazyMemo(() => PyTuple.adopt([text(), 'latin1'])));
  return { kind: 'encoded', bytes, memo: entries };
}
