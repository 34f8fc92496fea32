/** The Selector rebuilds all 15 shipped critical-joint tensors bit for bit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATASETS } from '../../src/skeleton/datasets.js';
import { buildCriticalJoints, criticalJointNumbers, criticalJointsFileName, selectorModalityOf } from '../../src/agent/selector.js';
import { ConversationStore, readLabelMap } from '../../src/agent/store.js';
import { formatConversation } from '../../src/agent/conversation.js';
import { readNpy } from '../../src/io/npy.js';
import { needOriginal, original } from '../fixtures.js';

function shippedTexts(dataset: string): (string | null)[] {
  const names = readLabelMap(original('text', 'label_map', `${dataset}.txt`));
  const store = new ConversationStore(names, original('text', 'gpt4o', dataset), '/nonexistent');
  return names.map((_, c) => store.read(c));
}

describe('Selector parity', { skip: needOriginal() }, () => {
  for (const [dataset, { layout }] of Object.entries(DATASETS)) {
    it(`${dataset}: j, b, k equal cls_matrix/*.npy exactly`, () => {
      const texts = shippedTexts(dataset);
      for (const m of ['j', 'b', 'k'] as const) {
        const want = readNpy(original('cls_matrix', criticalJointsFileName(dataset, m)));
        const got = buildCriticalJoints(texts, layout, m);
        assert.equal(want.dtype, 'float64');
        assert.deepEqual(got.shape, want.shape);
        let differing = 0;
        for (let i = 0; i < got.data.length; i++) if (got.data[i] !== (want.data as Float64Array)[i]) differing++;
        assert.equal(differing, 0, `${dataset} ${m}: ${differing} differing elements`);
      }
    });
  }

  it('NTU bone rows 20/21 follow pair positions, not bone joints (quirk 12)', () => {
    // Class 0 of NTU-60 names joint 21 (spine, index 20) but not 22 (index 21). Pair position 21 is
    // (20, 20), position 20 is (21, 22): the row marked for joint index 20 is 21, and row 20 stays 0.
    const texts = shippedTexts('nturgbd_60');
    assert.deepEqual(criticalJointNumbers(texts[0]!), [3, 4, 7, 8, 11, 12, 21]);
    const b = buildCriticalJoints(texts, 'nturgb+d', 'b');
    const row = (r: number) => Array.from(b.data.subarray(r * 25, (r + 1) * 25));
    assert.deepEqual(row(21), new Array(25).fill(1));
    assert.deepEqual(row(20), new Array(25).fill(0));
  });
});

describe('Selector rules', () => {
  const withRound4 = (answer: string) => formatConversation([1, 2, 3, 4].map((n) => ({ number: n, question: 'q', answer: n === 4 ? answer : 'x' })));

  it('only lines starting with "<number>-" count; repeats are harmless', () => {
    assert.deepEqual(criticalJointNumbers(withRound4('2-neck: a.\n  5-head: b.\nnot 6-x\n2-neck again\n7 - spaced')), [2, 5, 2]);
    assert.deepEqual(criticalJointNumbers(formatConversation([{ number: 1, question: 'q', answer: '1-a' }])), []);
  });

  it('joint 0 marks the last row in j (numpy index -1); joints above V are refused', () => {
    const j = buildCriticalJoints([withRound4('0-none')], 'uav', 'j');
    assert.equal(j.data[16 * 17], 1);
    assert.equal(j.data.reduce((s, v) => s + v, 0), 17);
    assert.throws(() => buildCriticalJoints([null, withRound4('18-x')], 'uav', 'j'), /class 1: round 4 names joint 18, but layout 'uav' has 17 joints/);
  });

  it('missing files leave zero rows; motion modalities reuse j/b/k', () => {
    const t = buildCriticalJoints([null, withRound4('1-nose')], 'coco_new', 'k');
    assert.deepEqual(t.shape, [2, 20, 20]);
    assert.equal(t.data.subarray(0, 400).reduce((s, v) => s + v, 0), 0);
    assert.equal(selectorModalityOf('bm'), 'b');
    assert.throws(() => selectorModalityOf('x'), /unknown modality/);
  });
});
