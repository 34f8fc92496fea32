/**
 * The Python text semantics behind the tokenizer, on inputs beyond the reference sentences. Expected
 * values are CPython 3.11 `html.unescape` outputs and ftfy 6.1 behaviour as documented in ftfy.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixText } from '../../src/text/ftfy.js';
import { htmlUnescape } from '../../src/text/html-unescape.js';
import { pyCollapseWhitespace, pyStrip } from '../../src/text/python-text.js';

describe('html.unescape (CPython)', () => {
  it('named, legacy-prefix, numeric and invalid references', () => {
    assert.equal(htmlUnescape('&amp;amp; &notit; &#128; &#x110000; &#1; &am'), '&amp; \u00acit; \u20ac \ufffd  &am');
    assert.equal(htmlUnescape('&lt;3 &quot;x&quot; &copy2023'), '<3 "x" \u00a92023');
    assert.equal(htmlUnescape('&#0; &#13; &#x9d; &#xD800; &#65;&#x42;'), '\ufffd \r \x9d \ufffd AB');
    assert.equal(htmlUnescape('&constructor; &__proto__;'), '&constructor; &__proto__;');
  });
});

describe('ftfy subset', () => {
  it('entities are decoded until stable, and not at all once a line contains "<"', () => {
    assert.equal(fixText('&amp;amp;lt; x'), '< x');
    assert.equal(fixText('a &amp; b\n<p>&amp;</p>\n&amp;'), 'a & b\n<p>&amp;</p>\n&amp;');
  });
  it('upper-cased entity names of lower-case entities', () => {
    assert.equal(fixText('&EACUTE;t&EACUTE;'), '\u00c9t\u00c9');
  });
  it('C1 controls, ligatures, widths, quotes, line breaks, control characters, NFC', () => {
    assert.equal(fixText('\x93quoted\x94'), '"quoted"');
    assert.equal(fixText('\ufb03ce \u01c6'), 'ffice d\u017e');
    assert.equal(fixText('\uff21\uff42\u3000\uff11'), 'Ab 1');
    assert.equal(fixText('a\rb\u2028c'), 'a\nb\nc');
    // fix_c1_controls runs before fix_line_breaks: U+0085 is read as Windows-1252's ellipsis.
    assert.equal(fixText('c\u0085d'), 'c\u2026d');
    assert.equal(fixText('\x1b[31mred\x1b[0m\x07\ufeff'), 'red');
    assert.equal(fixText('e\u0301'), '\u00e9');
    assert.equal(fixText('lone \ud800 surrogate'), 'lone \ufffd surrogate');
  });
  it('UTF-8 mojibake, whole line and in isolation', () => {
    assert.equal(fixText('caf\u00c3\u00a9'), 'caf\u00e9');
    assert.equal(fixText('\u00e2\u20ac\u201d dash \u4e2d'), '\u2014 dash \u4e2d');
    assert.equal(fixText('na\u00efve Stra\u00dfe'), 'na\u00efve Stra\u00dfe');
  });
});

describe('Python whitespace', () => {
  it('strip and \\s follow str.isspace, not JavaScript', () => {
    assert.equal(pyStrip('\x1c\x85 a \u3000'), 'a');
    assert.equal(pyStrip('\ufeffa\ufeff'), '\ufeffa\ufeff');
    assert.equal(pyCollapseWhitespace('a\x1f\x1e b\ufeffc'), 'a b\ufeffc');
  });
});
