/**
 * The part of ftfy 6.1 `fix_text` (default configuration) that CLIP's `basic_clean` depends on for
 * realistic English text. Implemented, in ftfy's order and with its loop-until-stable per line:
 *
 *   unescape_html        ftfy's own entity table (HTML5 names with ';', their upper-case forms for
 *                        lower-case names, numeric references); disabled for the rest of the text
 *                        from the first line that contains '<' (ftfy's "auto" mode)
 *   fix_encoding         SUBSET: UTF-8 read as Latin-1 / sloppy Windows-1252 ("donâ€™t"). The whole
 *                        line is re-decoded when it encodes to valid UTF-8 in one of them; otherwise
 *                        each run that forms a valid multi-byte UTF-8 sequence is re-decoded on its
 *                        own. ftfy's badness heuristic is replaced by "contains such a sequence";
 *                        the other single-byte encodings (1250/1251/1253/1254, ISO-8859-2, MacRoman,
 *                        cp437), restore_byte_a0, replace_lossy_sequences and CESU-8 are not handled.
 *   fix_c1_controls, fix_latin_ligatures, fix_character_width, uncurl_quotes, fix_line_breaks,
 *   fix_surrogates, remove_terminal_escapes, remove_control_chars, NFC normalisation: complete.
 *
 * Not implemented: the 1,000,000-character segment limit (lines are never split).
 */
import { sloppyCp1252Byte, sloppyCp1252Char } from './cp1252.js';
import { htmlUnescape, namedReference5 } from './html-unescape.js';

// ---- unescape_html -------------------------------------------------------------------------------

/**
 * ftfy's HTML_ENTITIES lookup: "&name;" for every HTML5 name ending in ';', plus "&NAME;" for an
 * all-lower-case name when "&NAME;" itself means nothing to html.unescape (value upper-cased).
 */
function ftfyEntity(entity: string): string | undefined {
  const name = entity.slice(1);
  const exact = namedReference5(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  if (lower === name || lower.toUpperCase() !== name || htmlUnescape(entity) !== entity) return undefined;
  return namedReference5(lower)?.toUpperCase();
}

const HTML_ENTITY_RE = /&#?[0-9A-Za-z]{1,24};/g;

function unescapeHtml(text: string): string {
  return text.replace(HTML_ENTITY_RE, (entity) => {
    const named = ftfyEntity(entity);
    if (named !== undefined) return named;
    if (entity.startsWith('&#')) {
      const unescaped = htmlUnescape(entity);
      // A partial decode (e.g. "&#12a;") keeps its ';': ftfy then leaves the reference alone.
      return unescaped.includes(';') ? entity : unescaped;
    }
    return entity;
  });
}

// ---- fix_encoding (subset) -----------------------------------------------------------------------

type SingleByteEncoding = 'latin-1' | 'sloppy-windows-1252';

function encodeSingleByte(text: string, encoding: SingleByteEncoding): Uint8Array | null {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const byte = encoding === 'latin-1' ? (code < 0x100 ? code : undefined) : sloppyCp1252Byte(text[i]);
    if (byte === undefined) return null;
    out[i] = byte;
  }
  return out;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/** Characters whose sloppy Windows-1252 byte is a UTF-8 continuation byte (0x80–0xBF). */
const CONTINUATION = '[\\u0080-\\u00bf' +
  Array.from({ length: 0x20 }, (_, i) => sloppyCp1252Char(0x80 + i)).filter((c) => c.charCodeAt(0) > 0xff).join('') + ']';

/** A UTF-8 lead byte (as Latin-1 / Windows-1252 text) followed by its continuation bytes. */
const UTF8_MOJIBAKE_RE = new RegExp(
  `[\\u00c2-\\u00df]${CONTINUATION}|[\\u00e0-\\u00ef]${CONTINUATION}{2}|[\\u00f0-\\u00f4]${CONTINUATION}{3}`, 'g');

function decodeMojibakeRun(run: string): string {
  const bytes = encodeSingleByte(run, 'sloppy-windows-1252');
  return (bytes && decodeUtf8(bytes)) ?? run;
}

function fixEncodingOnce(text: string): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  UTF8_MOJIBAKE_RE.lastIndex = 0;
  if (!UTF8_MOJIBAKE_RE.test(text)) return text;
  for (const encoding of ['latin-1', 'sloppy-windows-1252'] as const) {
    const bytes = encodeSingleByte(text, encoding);
    if (!bytes) continue;
    const decoded = decodeUtf8(bytes);
    if (decoded !== null) return decoded;
  }
  return text.replace(UTF8_MOJIBAKE_RE, decodeMojibakeRun);
}

function fixEncoding(text: string): string {
  for (;;) {
    const fixed = fixEncodingOnce(text);
    if (fixed === text) return text;
    text = fixed;
  }
}

// ---- the character-level fixers ------------------------------------------------------------------

const C1_CONTROL_RE = /[\x80-\x9f]/g;

function fixC1Controls(text: string): string {
  return text.replace(C1_CONTROL_RE, (c) => sloppyCp1252Char(c.charCodeAt(0)));
}

const LIGATURES: Readonly<Record<string, string>> = {
  '\u0132': 'IJ', '\u0133': 'ij', '\u0149': '\u02bcn',
  '\u01f1': 'DZ', '\u01f2': 'Dz', '\u01f3': 'dz', '\u01c4': 'D\u017d', '\u01c5': 'D\u017e', '\u01c6': 'd\u017e',
  '\u01c7': 'LJ', '\u01c8': 'Lj', '\u01c9': 'lj', '\u01ca': 'NJ', '\u01cb': 'Nj', '\u01cc': 'nj',
  '\ufb00': 'ff', '\ufb01': 'fi', '\ufb02': 'fl', '\ufb03': 'ffi', '\ufb04': 'ffl', '\ufb05': '\u017ft', '\ufb06': 'st',
};
const LIGATURE_RE = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'g');

function fixLatinLigatures(text: string): string {
  return text.replace(LIGATURE_RE, (c) => LIGATURES[c]);
}

/** Halfwidth and fullwidth forms U+FF01–U+FFEF to their NFKC form; U+3000 to a space. */
function fixCharacterWidth(text: string): string {
  return text.replace(/[\u3000\uff01-\uffef]/g, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')));
}

function uncurlQuotes(text: string): string {
  return text.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"');
}

function fixLineBreaks(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\r\u2028\u2029\u0085]/g, '\n');
}

/** Unpaired surrogates become U+FFFD (paired ones are already single code points in JS). */
function fixSurrogates(text: string): string {
  return text.replace(/[\ud800-\udfff]/gu, '\ufffd');
}

function removeTerminalEscapes(text: string): string {
  return text.replace(/\x1b\[(?:\p{Nd}|;)*[a-zA-Z]/gu, '');
}

function removeControlChars(text: string): string {
  return text.replace(/[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g, '');
}

// ---- driver --------------------------------------------------------------------------------------

/** ftfy's `fix_and_explain` loop: apply every fixer until the text stops changing. */
function fixSegment(segment: string, unescape: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (unescape) text = unescapeHtml(text);
    text = fixEncoding(text);
    text = fixC1Controls(text);
    text = fixLatinLigatures(text);
    text = fixCharacterWidth(text);
    text = uncurlQuotes(text);
    text = fixLineBreaks(text);
    text = fixSurrogates(text);
    text = removeTerminalEscapes(text);
    text = removeControlChars(text);
    text = text.normalize('NFC');
    if (text === before) return text;
  }
}

/** ftfy 6.1 `fix_text(text)` with its default configuration, within the subset documented above. */
export function fixText(text: string): string {
  const out: string[] = [];
  let unescape = true;
  let pos = 0;
  while (pos < text.length) {
    const newline = text.indexOf('\n', pos);
    const end = newline < 0 ? text.length : newline + 1;
    const segment = text.slice(pos, end);
    // "auto": once a line looks like HTML, entities stay escaped for the rest of the text.
    if (segment.includes('<')) unescape = false;
    out.push(fixSegment(segment, unescape));
    pos = end;
  }
  return out.join('');
}
