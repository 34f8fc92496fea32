/**
 * Text codecs with Python pickle's semantics: str payloads are UTF-8 with 'surrogatepass' (lone
 * surrogates survive), protocol-0/1 byte strings are read as latin-1 (like `encoding='latin1'`,
 * the setting that loads Python 2 numpy pickles).
 */
import { isUtf8 } from 'node:buffer';

/** Short ASCII strings are the common case (dict keys, names); decoding them by hand is faster. */
const ASCII_FAST_PATH_MAX = 64;

export function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length <= ASCII_FAST_PATH_MAX) {
    let s = '';
    let i = 0;
    for (; i < bytes.length; i++) {
      const b = bytes[i];
      if (b >= 0x80) break;
      s += String.fromCharCode(b);
    }
    if (i === bytes.length) return s;
  }
  // Protocol-2 pickles carry array data as latin-1 strs; V8's general UTF-8 decoding (and
  // TextDecoder's fatal mode even more so) is far slower than this special case.
  const latin1 = Buffer.allocUnsafe(bytes.length);
  const count = utf8ToLatin1(bytes, latin1);
  if (count !== undefined) return latin1.toString('latin1', 0, count);
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  return decodeUtf8SurrogatePass(bytes);
}

/**
 * Decodes UTF-8 text whose characters are all ≤ U+00FF into their latin-1 bytes in `out` (at least
 * `bytes.length` long); returns the count, or undefined if another character (or malformed UTF-8)
 * appears. Branch-free on purpose: array bytes are random, so a branch per byte mispredicts half
 * the time, which made this loop the bottleneck of loading protocol-2 pickles.
 */
export function utf8ToLatin1(bytes: Uint8Array, out: Uint8Array): number | undefined {
  const last = bytes.length - 1;
  let i = 0;
  let j = 0;
  let bad = 0;
  while (i < last) {
    const b = bytes[i];
    const c = bytes[i + 1];
    const lead = b >> 7; // 1: b starts a two-byte sequence, which must be C2/C3 + continuation byte
    out[j++] = b + lead * ((((b & 3) << 6) | (c & 0x3f)) - b);
    bad |= lead * (((b & 0xfe) ^ 0xc2) | ((c & 0xc0) ^ 0x80));
    i += 1 + lead;
  }
  if (i === last) {
    bad |= bytes[i] >> 7;
    out[j++] = bytes[i];
  }
  return bad === 0 ? j : undefined;
}

/** UTF-8 decoding that also accepts encoded surrogates (ED A0..BF xx); other malformed input throws. */
function decodeUtf8SurrogatePass(bytes: Uint8Array): string {
  const units: number[] = [];
  let i = 0;
  const bad = (): never => {
    throw new Error(`invalid UTF-8 in str payload at byte ${i} of ${bytes.length}`);
  };
  const cont = (k: number): number => {
    const b = bytes[i + k];
    if (b === undefined || (b & 0xc0) !== 0x80) bad();
    return b & 0x3f;
  };
  while (i < bytes.length) {
    const b = bytes[i];
    let cp: number;
    let len: number;
    if (b < 0x80) { cp = b; len = 1; }
    else if (b >= 0xc2 && b < 0xe0) { cp = ((b & 0x1f) << 6) | cont(1); len = 2; }
    else if (b >= 0xe0 && b < 0xf0) {
      cp = ((b & 0x0f) << 12) | (cont(1) << 6) | cont(2); len = 3;
      if (cp < 0x800) bad();
    } else if (b >= 0xf0 && b < 0xf5) {
      cp = ((b & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3); len = 4;
      if (cp < 0x10000 || cp > 0x10ffff) bad();
    } else {
      return bad();
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    i += len;
  }
  let s = '';
  for (let k = 0; k < units.length; k += 8192) s += String.fromCharCode(...units.slice(k, k + 8192));
  return s;
}

/** UTF-8 encoding with 'surrogatepass': lone surrogates are encoded as 3-byte sequences, not replaced. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function encodeUtf8(s: string): Uint8Array {
  if (!LONE_SURROGATE.test(s)) return Buffer.from(s, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); i++; }
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** ISO-8859-1 (not windows-1252, which the WHATWG 'latin1' label means): bytes are code points. */
export function decodeLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/** `str.encode('latin1')` into `alloc(s.length)`: throws if a character is above U+00FF, like Python. */
export function encodeLatin1(s: string, where: string, alloc: (n: number) => Uint8Array = (n) => new Uint8Array(n)): Uint8Array {
  if (/[^\x00-\xff]/.test(s)) throw new Error(`${where}: str is not encodable as latin-1`);
  const out = alloc(s.length);
  Buffer.from(out.buffer, out.byteOffset, out.length).write(s, 'latin1');
  return out;
}

/** ASCII text of a protocol-0 line (GLOBAL names, INT/FLOAT literals, PUT/GET indices). */
export function decodeAscii(bytes: Uint8Array, what: string): string {
  for (const b of bytes) if (b >= 0x80) throw new Error(`${what}: non-ASCII byte 0x${b.toString(16)} in text argument`);
  return decodeLatin1(bytes);
}

/** Protocol-0 UNICODE payload: 'raw-unicode-escape' (latin-1 with \uXXXX and \UXXXXXXXX escapes). */
export function decodeRawUnicodeEscape(bytes: Uint8Array): string {
  return decodeLatin1(bytes).replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u4: string | undefined, u8: string | undefined) => {
    const cp = parseInt((u4 ?? u8) as string, 16);
    if (cp > 0x10ffff) throw new Error(`UNICODE payload: escape \\U${u8} is beyond U+10FFFF`);
    return String.fromCodePoint(cp);
  });
}
