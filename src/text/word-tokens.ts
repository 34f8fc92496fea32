/**
 * Word-level token ids without any vocabulary file: lower-cased words (letters and digits runs)
 * hashed to 31-bit ids. Lets the built-in text encoder run with nothing downloaded; with CLIP's
 * BPE vocabulary available, BPE tokens are used instead (they share sub-words between classes).
 */
export interface TokenEncoder {
  encode(text: string): number[];
}

/** 32-bit FNV-1a over UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const wordTokens: TokenEncoder = {
  encode(text: string): number[] {
    return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => fnv1a(w) & 0x7fffffff);
  },
};
