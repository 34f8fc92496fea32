/**
 * AgentLoop end to end on the shipped NTU-60 conversations with a loopback LLM: statistics from
 * training batches, an update at the right validation, files in the run's own directory, failed
 * classes keeping their description, tokens following the descriptions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConversation } from '../../src/agent/conversation.js';
import { LlmClient } from '../../src/agent/llm.js';
import { AgentLoop } from '../../src/agent/loop.js';
import { readLabelMap } from '../../src/agent/store.js';
import { readNpy } from '../../src/io/npy.js';
import { ClipTokenizer } from '../../src/text/tokenizer.js';
import { fixture, needFixtures, needOriginal, original } from '../fixtures.js';
import { type FakeLlm, quotedAction, scriptedAgent, startFakeLlm } from './llm-server.js';

const KEY = 'sk-loop-SECRET-abcdef';
const CLASSES = 60;

/** Logits [N, 60] predicting `preds`. */
function logitsFor(preds: number[]): Float32Array {
  const out = new Float32Array(preds.length * CLASSES);
  preds.forEach((p, i) => { out[i * CLASSES + p] = 1; });
  return out;
}

describe('AgentLoop', { skip: needOriginal() || needFixtures() }, () => {
  let server: FakeLlm;
  let loop: AgentLoop;
  let workDir: string;
  let names: string[];
  const logs: string[] = [];
  const source = () => original('text', 'gpt4o', 'nturgbd_60');

  before(async () => {
    const agent = scriptedAgent();
    server = await startFakeLlm((request) => {
      const action = quotedAction(request.messages[0].content);
      if (action === 'drink water') return { status: 500, message: `upstream down (key ${KEY})` };
      if (action === 'throw') return { refusal: 'I cannot help with throwing.' };
      if (action === 'clapping') return { content: 'Two\nlines' };
      return agent(request);
    });
    names = readLabelMap(original('text', 'label_map', 'nturgbd_60.txt'));
    workDir = mkdtempSync(join(tmpdir(), 'skagent-loop-'));
    const llm = new LlmClient({ apiKey: KEY, baseURL: server.url, backoffMs: 1, maxAttempts: 2, answerRetries: 0, log: (l) => logs.push(l) });
    loop = new AgentLoop({
      dataset: 'nturgbd_60', layout: 'nturgb+d', classNames: names, conversationsDir: source(), workDir,
      tokenizer: ClipTokenizer.fromFile(original('bpe_simple_vocab_16e6.txt.gz')), llm, interval: 2, log: (l) => logs.push(l),
    });
  });
  after(async () => server.close());

  it('starts from the shipped descriptions, tokens and critical joints (written with the run)', () => {
    const want = readNpy(fixture('clip', 'descriptions', 'nturgbd_60_tokens.npy'));
    assert.deepEqual(Array.from(loop.tokens.data), Array.from(want.data as Int32Array));
    for (const m of ['j', 'b', 'k']) {
      const file = `nturgbd_60_${m}_critical_joints.npy`;
      assert.deepEqual(readFileSync(join(workDir, 'cls_matrix', file)), readFileSync(original('cls_matrix', file)));
    }
    assert.equal(loop.criticalJoints('bm'), loop.criticalJoints('b'));
    const batch = loop.tokensFor([3, 3, 0]);
    assert.deepEqual(batch.shape, [3, 77]);
    assert.deepEqual(Array.from(batch.data.subarray(77 * 2, 77 * 3)), Array.from(loop.tokens.data.subarray(0, 77)));
  });

  it('epoch 1 closes without asking the LLM', async () => {
    loop.observeTrainingBatch([5, 6, 6], logitsFor([6, 6, 6]));
    assert.equal(await loop.onValidationBatch(), null);
    assert.equal(await loop.onEpochEnd(1), null, 'the corrected hook is inert in reproduce mode');
    assert.equal(server.requests.length, 0);
  });

  it('epoch 2 updates every class; failures keep their description', async () => {
    loop.observeTrainingBatch([5, 6, 6], logitsFor([6, 6, 6])); // class 5 'pickup' mistaken for 6 'throw'
    const before = loop.descriptions.slice();
    const update = await loop.onValidationBatch();
    assert.ok(update);
    assert.equal(update.epoch, 2);
    assert.deepEqual(update.failedClasses.map((f) => [f.classIndex, f.kind]), [[0, 'failed'], [6, 'refused'], [9, 'malformed']]);
    assert.equal(update.updatedClasses.length, CLASSES - 3);
    assert.equal(await loop.onValidationBatch(), null, 'later validation batches do nothing');

    // Round-6 prompt of 'pickup': the ten-class list holds 'throw' (the confusion) and the zero-count padding.
    const pickup = server.requests.find((r) => quotedAction(r.messages[0].content) === 'pickup')!;
    assert.equal(pickup.messages.length, 11);
    assert.match(pickup.messages[10].content, /'pickup' action needs to be distinguished from similar actions like 'drink water', 'eat meal\/snack', .*'throw'/);

    for (const c of [0, 6, 9]) assert.equal(loop.descriptions[c], before[c]);
    assert.equal(loop.descriptions[5], 'Refined: pickup differs from its look-alikes by its timing.');
    assert.deepEqual(Array.from(update.tokens.data), Array.from(loop.tokens.data));
    const shipped = readNpy(fixture('clip', 'descriptions', 'nturgbd_60_tokens.npy')).data as Int32Array;
    assert.notDeepEqual(Array.from(loop.tokens.data.subarray(5 * 77, 6 * 77)), Array.from(shipped.subarray(5 * 77, 6 * 77)));
    assert.deepEqual(Array.from(loop.tokens.data.subarray(0, 77)), Array.from(shipped.subarray(0, 77)));
  });

  it('files: a complete copy in <workDir>/<dataset>, 6 rounds where updated, the source untouched', () => {
    const runDir = join(workDir, 'nturgbd_60');
    assert.equal(loop.textDir, runDir);
    assert.equal(readdirSync(runDir).filter((f) => f.endsWith('.txt')).length, CLASSES);
    const updated = readFileSync(join(runDir, '006_pickup.txt'), 'utf8');
    assert.equal(parseConversation(updated, 'pickup').length, 6);
    const kept = readFileSync(join(runDir, '001_drink_water.txt'));
    assert.deepEqual(kept, readFileSync(join(source(), '001_drink_water.txt')));
    for (const f of readdirSync(source())) assert.ok(statSync(join(source(), f)).isFile());
    assert.equal(parseConversation(readFileSync(join(source(), '006_pickup.txt'), 'utf8'), 'src').length, 5);
  });

  it('the next update re-uses rounds 1-5 and replaces round 6', async () => {
    const requestsBefore = server.requests.length;
    for (const epoch of [3, 4]) {
      loop.observeTrainingBatch([1], logitsFor([2]));
      const update = await loop.onValidationBatch();
      assert.equal(update === null, epoch === 3);
    }
    const pickup = server.requests.slice(requestsBefore).find((r) => quotedAction(r.messages[0].content) === 'pickup')!;
    assert.equal(pickup.messages.length, 11, 'history is rounds 1-5 only');
    assert.equal(parseConversation(readFileSync(join(workDir, 'nturgbd_60', '006_pickup.txt'), 'utf8'), 'pickup').length, 6);
  });

  it('the key is in no log line', () => {
    assert.ok(logs.length > 0);
    assert.ok(!logs.join('\n').includes(KEY));
    assert.ok(logs.some((l) => l.includes("class 6 'throw' keeps its description")));
  });
});
