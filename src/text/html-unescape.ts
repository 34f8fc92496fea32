/**
 * Python's `html.unescape` (CPython 3.x, HTML5 rules): named references with the longest-prefix
 * rule for legacy names without ';', decimal and hexadecimal references with the HTML5 replacement
 * table for invalid code points. The CLIP tokenizer applies it twice after ftfy.
 *
 * The WHATWG named-reference table comes from the `entities` package (its HTML decoder applies
 * the same longest-legacy-prefix rule). Numeric references stay here: Python drops control code
 * points (`_invalid_codepoints`) that an HTML decoder keeps.
 */
import { DecodingMode, decodeHTML, decodeHTMLStrict } from 'entities';
import { CP1252_HIGH_CONTROLS } from './cp1252.js';

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

/** HTML5 "numeric character reference end state" replacements (Python's `_invalid_charrefs`). */
function invalidCharref(num: number): string | undefined {
  if (num === 0x00) return '\ufffd';
  if (num === 0x0d) return '\r';
  if (num >= 0x80 && num <= 0x9f) return CP1252_HIGH_CONTROLS[num - 0x80];
  return undefined;
}

/** Code points that Python's `html.unescape` drops (its `_invalid_codepoints`). */
function isDroppedCodePoint(num: number): boolean {
  return (num >= 0x1 && num <= 0x8) || num === 0xb || (num >= 0xe && num <= 0x1f) ||
    (num >= 0x7f && num <= 0x9f) || (num >= 0xfdd0 && num <= 0xfdef) || (num & 0xfffe) === 0xfffe;
}

function numericReference(body: string): string {
  const digits = body.replace(/;$/, '');
  const hex = digits[1] === 'x' || digits[1] === 'X';
  // Arbitrarily long digit strings are legal; anything past 0x10FFFF is replaced anyway.
  const num = hex ? parseInt(digits.slice(2), 16) : parseInt(digits.slice(1), 10);
  const replaced = invalidCharref(num);
  if (replaced !== undefined) return replaced;
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
  if (isDroppedCodePoint(num)) return '';
  return String.fromCodePoint(num);
}

/** A name, or the longest legacy name (without ';') it starts with: "&notit;" -> "¬it;". */
function namedReference(body: string): string {
  return decodeHTML('&' + body, DecodingMode.Legacy);
}

/** Python's `html.unescape(s)`. */
export function htmlUnescape(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(CHARREF, (_m, body: string) => (body[0] === '#' ? numericReference(body) : namedReference(body)));
}

/** `html.entities.html5[name]` for a name ending in ';' ("amp;"), or undefined when there is none. */
export function namedReference5(name: string): string | undefined {
  if (!name.endsWith(';') || name.indexOf(';') !== name.length - 1) return undefined;
  const ref = '&' + name;
  const decoded = decodeHTMLStrict(ref);
  return decoded === ref ? undefined : decoded;
}
