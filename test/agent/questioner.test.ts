/**
 * Questioner statistics, confusion lists and update timing (skeletonagent/models/heads/base.py).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfusionStatistics, QuestionerClock } from '../../src/agent/questioner.js';

describe('confusion statistics (reproduce)', () => {
  it('an error adds to [true][pred], and to [pred][true] once per sample of pred in the batch', () => {
    const s = new ConfusionStatistics(4);
    // sample 0: true 0 predicted 1 (error); samples 1, 2 are class 1, correctly predicted.
    s.addBatch([0, 1, 1], [1, 1, 1]);
    assert.equal(s.get(0, 1), 1);
    assert.equal(s.get(1, 0), 2, 'two samples of class 1 each see sample 0 mistaken for class 1');
    const alone = new ConfusionStatistics(4);
    alone.addBatch([0], [1]);
    assert.equal(alone.get(1, 0), 0, 'class 1 absent from the batch: no reverse count');
  });

  it('argmax of logits takes the first maximum', () => {
    const s = new ConfusionStatistics(3);
    s.addBatchLogits([2, 0], [5, 5, 1, 0, 0, 0]);
    assert.equal(s.get(2, 0), 1);
  });

  it('the top-10 list pads with small zero-count indices and may contain the class itself', () => {
    const s = new ConfusionStatistics(15);
    s.counts[3 * 15 + 12] = 4;
    s.counts[3 * 15 + 7] = 4;
    s.counts[3 * 15 + 14] = 9;
    assert.deepEqual(s.topConfused(3), [0, 1, 2, 3, 4, 5, 6, 7, 12, 14]);
    assert.deepEqual(new ConfusionStatistics(4).topConfused(2), [0, 1, 2, 3]);
  });

  it('refuses labels outside the class range', () => {
    assert.throws(() => new ConfusionStatistics(3).addBatch([3], [0]), /sample 0 has label 3/);
  });
});

describe('confusion statistics (corrected)', () => {
  it('counts each error once in both directions, whatever the batch; lists only confused others', () => {
    const s = new ConfusionStatistics(15, 'corrected');
    s.addBatch([0, 1, 1], [1, 1, 1]);
    assert.equal(s.get(0, 1), 1);
    assert.equal(s.get(1, 0), 1);
    assert.deepEqual(s.topConfused(0), [1]);
    assert.deepEqual(s.topConfused(5), []);
  });

  it('from a [true][pred] matrix: C[a][b] + C[b][a]', () => {
    const m = [[5, 2, 0], [1, 7, 0], [0, 3, 9]];
    const s = ConfusionStatistics.fromConfusionMatrix(m, 'corrected');
    assert.equal(s.get(0, 1), 3);
    assert.equal(s.get(1, 2), 3);
    assert.equal(s.get(0, 0), 0);
    assert.deepEqual(s.classLists(), [[1], [0, 2], [1]]);
    assert.throws(() => ConfusionStatistics.fromConfusionMatrix([[1, 2], [3]], 'reproduce', 'm.json'), /m\.json: row 1 has 1 entries, expected 2/);
  });
});

describe('update timing (check_state)', () => {
  function epochsWithUpdates(clock: QuestionerClock, epochs: number, validate: (e: number) => boolean): number[] {
    const updates: number[] = [];
    for (let e = 1; e <= epochs; e++) {
      clock.markTrainingStep();
      if (!validate(e)) continue;
      const closed = clock.onValidationBatch();
      assert.ok(closed);
      assert.equal(clock.onValidationBatch(), null, 'only the first validation batch closes an epoch');
      if (closed.update) updates.push(e);
    }
    return updates;
  }

  it('reproduce: every interval epochs up to 149 (29 updates of a 300-epoch run at interval 5)', () => {
    const updates = epochsWithUpdates(new QuestionerClock(new ConfusionStatistics(3), 5), 300, () => true);
    assert.equal(updates.length, 29);
    assert.equal(updates[0], 5);
    assert.equal(updates.at(-1), 145);
    assert.deepEqual(epochsWithUpdates(new QuestionerClock(new ConfusionStatistics(3), 50), 300, () => true), [50, 100]);
  });

  it('reproduce: the counter counts validations, so skipped validations shift the epochs', () => {
    const updates = epochsWithUpdates(new QuestionerClock(new ConfusionStatistics(3), 5), 20, (e) => e % 2 === 0);
    assert.deepEqual(updates, [10, 20], 'validation at epochs 2, 4, ...: the counter reaches 5 at training epoch 10');
  });

  it('statistics are reset when an epoch closes; lists come from before the reset', () => {
    const stats = new ConfusionStatistics(12);
    const clock = new QuestionerClock(stats, 1);
    stats.addBatch([0], [11]);
    clock.markTrainingStep();
    const closed = clock.onValidationBatch()!;
    assert.ok(closed.classLists[0].includes(11));
    assert.equal(stats.get(0, 11), 0);
  });

  it('corrected: the trainer numbers the epochs and there is no 149 cap', () => {
    const clock = new QuestionerClock(new ConfusionStatistics(3, 'corrected'), 5);
    clock.markTrainingStep();
    assert.equal(clock.closeEpoch(150).update, true);
    assert.equal(clock.closeEpoch(155).update, false, 'no training step since the last close');
  });
});
