/**
 * Python `str` semantics that the original's text handling relies on and JavaScript does not share:
 * `str.isspace()` / `re`'s `\s` (which include U+001C–U+001F and U+0085 but not U+FEFF, unlike JS)
 * and `str.strip()`.
 */

/** Every character for which CPython's `str.isspace()` is true, as a regex character-class body. */
export const PY_WHITESPACE_CLASS =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const LEADING = new RegExp(`^[${PY_WHITESPACE_CLASS}]+`);
const TRAILING = new RegExp(`[${PY_WHITESPACE_CLASS}]+$`);
const RUNS = new RegExp(`[${PY_WHITESPACE_CLASS}]+`, 'g');

/** Python's `s.strip()` with no argument. */
export function pyStrip(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}

/** Python's `re.sub(r'\s+', ' ', s)`. */
export function pyCollapseWhitespace(s: string): string {
  return s.replace(RUNS, ' ');
}
