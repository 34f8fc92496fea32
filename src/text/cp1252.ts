/**
 * What bytes 0x80–0x9F mean in Windows-1252, with the five bytes that Windows-1252 leaves undefined
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D) mapped to the C1 control of the same number. This is both ftfy's
 * "sloppy-windows-1252" for that range and the table Python's `html.unescape` uses for numeric
 * references &#128;–&#159;.
 */
export const CP1252_HIGH_CONTROLS: readonly string[] = [
  '\u20ac', '\x81', '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021',
  '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', '\x8d', '\u017d', '\x8f',
  '\x90', '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014',
  '\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', '\x9d', '\u017e', '\u0178',
];

/** Sloppy Windows-1252 decoding of one byte. */
export function sloppyCp1252Char(byte: number): string {
  return byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH_CONTROLS[byte - 0x80] : String.fromCharCode(byte);
}

const ENCODE = new Map<string, number>();
for (let b = 0; b < 256; b++) ENCODE.set(sloppyCp1252Char(b), b);

/** The byte a character has in sloppy Windows-1252, or undefined when it has none. */
export function sloppyCp1252Byte(ch: string): number | undefined {
  return ENCODE.get(ch);
}
