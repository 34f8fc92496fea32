/** Conversation files: exact round trip of all 834 shipped files, description extraction, formats. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  SEPARATOR, conversationFileName, extractDescription, followUpHistory, formatConversation, formatOfflineRound,
  formatOnlineConversation, parseConversation,
} from '../../src/agent/conversation.js';
import { ConversationStore, readLabelMap } from '../../src/agent/store.js';
import { fixture, needFixtures, needOriginal, original } from '../fixtures.js';

const DATASETS = ['nturgbd_60', 'nturgbd_120', 'finegym', 'k400', 'uav_human'];

describe('shipped conversation files', { skip: needOriginal() }, () => {
  it('file names follow NNN_<name>.txt from the label maps (834 files)', () => {
    let total = 0;
    for (const ds of DATASETS) {
      const names = readLabelMap(original('text', 'label_map', `${ds}.txt`));
      const expected = names.map((n, c) => conversationFileName(c, n)).sort();
      assert.deepEqual(readdirSync(original('text', 'gpt4o', ds)).sort(), expected, ds);
      total += names.length;
    }
    assert.equal(total, 834);
    assert.equal(conversationFileName(1, 'eat meal/snack'), '002_eat_meal_snack.txt');
  });

  it('parse + format reproduces every file byte for byte; all have 5 rounds', () => {
    for (const ds of DATASETS) {
      const dir = original('text', 'gpt4o', ds);
      for (const f of readdirSync(dir)) {
        const text = readFileSync(join(dir, f), 'utf8');
        const rounds = parseConversation(text, f);
        assert.deepEqual(rounds.map((r) => r.number), [1, 2, 3, 4, 5], f);
        assert.equal(formatConversation(rounds), text, f);
      }
    }
  });

  it('the Questioner rebuilds 5 (user, assistant) pairs; the online writer keeps them stable', () => {
    const text = readFileSync(original('text', 'gpt4o', 'nturgbd_60', '001_drink_water.txt'), 'utf8');
    const history = followUpHistory(text);
    assert.equal(history.length, 10);
    assert.deepEqual(history.map((m) => m.role), Array.from({ length: 10 }, (_, i) => (i % 2 ? 'assistant' : 'user')));
    // Trailing spaces of the stored round-2 answer lines are trimmed, blank lines dropped.
    assert.ok(history[3].content.startsWith('Head: Tilts slightly back as mouth opens to drink.\nHand:'));
    assert.ok(history[4].content.includes('represented as 25 skeleton joints.\nThe labels'));
    const online = formatOnlineConversation(history);
    assert.deepEqual(followUpHistory(online), history);
    assert.equal(extractDescription(online), extractDescription(text));
  });
});

describe('get_description', { skip: needFixtures() || needOriginal() }, () => {
  it('matches the original for every shipped class', () => {
    const expected = JSON.parse(readFileSync(fixture('clip', 'descriptions', 'descriptions.json'), 'utf8')).datasets;
    for (const ds of DATASETS) {
      const names = readLabelMap(original('text', 'label_map', `${ds}.txt`));
      const store = new ConversationStore(names, original('text', 'gpt4o', ds), '/nonexistent');
      assert.deepEqual(store.descriptions().map((d) => d.text), expected[ds].descriptions, ds);
    }
  });
});

describe('format details', () => {
  const round = { number: 2, question: 'Q *bold*\nline', answer: 'A1  \n \t \nA2' };

  it('the common layout', () => {
    assert.equal(formatConversation([round]), `\nRound 2 Question:\nQ *bold*\nline\n\nRound 2 Answer:\nA1  \n \t \nA2\n\n${SEPARATOR}`);
  });

  it('offline writer: asterisks removed, whitespace-only lines emptied, trailing spaces kept', () => {
    assert.equal(formatOfflineRound(round), `\nRound 2 Question:\nQ bold\nline\n\nRound 2 Answer:\nA1  \n\nA2\n\n${SEPARATOR}`);
  });

  it('description uses the round count: a skipped round leaves the whole last piece', () => {
    const full = formatConversation([{ number: 1, question: 'q1', answer: 'a1' }, { number: 2, question: 'q2', answer: ' final \n' }]);
    assert.equal(extractDescription(full), 'final');
    const gap = formatConversation([{ number: 1, question: 'q1', answer: 'a1' }, { number: 3, question: 'q3', answer: 'a3' }]);
    assert.equal(extractDescription(gap), 'Round 3 Question:\nq3\n\nRound 3 Answer:\na3');
    assert.equal(extractDescription(''), '');
  });

  it('parse errors name the file and block', () => {
    assert.throws(() => parseConversation('no separator', 'x.txt'), /x\.txt: .*80 '='/);
    assert.throws(() => parseConversation(`\nRound 1 Question:\nq\n\nRound 2 Answer:\na\n\n${SEPARATOR}`, 'y.txt'), /y\.txt: block 1/);
  });

  it('lenient parse: text after the marker, pieces not starting with Round, incomplete rounds', () => {
    const text = `junk\n${SEPARATOR}\nRound 1 Question: inline\nmore\nRound 1 Answer:\n  a  \n\n${SEPARATOR}\nRound 2 Question:\nq\n\n${SEPARATOR}`;
    assert.deepEqual(followUpHistory(text), [{ role: 'user', content: 'inline\nmore' }, { role: 'assistant', content: 'a' }]);
  });

  it('the store copies the source into the run dir at the first write and reads there afterwards', () => {
    const src = mkdtempSync(join(tmpdir(), 'skagent-src-'));
    const run = join(mkdtempSync(join(tmpdir(), 'skagent-run-')), 'ds');
    const names = ['a b', 'c/d'];
    names.forEach((n, c) => writeFileSync(join(src, conversationFileName(c, n)), formatConversation([{ number: 1, question: 'q', answer: `desc ${c}` }])));
    const store = new ConversationStore(names, src, run);
    assert.equal(store.currentDir, src);
    store.write(1, formatConversation([{ number: 1, question: 'q', answer: 'new' }]));
    assert.equal(store.currentDir, run);
    assert.deepEqual(store.descriptions().map((d) => d.text), ['desc 0', 'new']);
    assert.equal(readFileSync(join(src, '002_c_d.txt'), 'utf8').includes('desc 1'), true, 'source untouched');
  });
});
