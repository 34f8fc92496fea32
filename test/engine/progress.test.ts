/** The progress bar off a terminal (redirected logs, CI): a few lines per pass, never one per batch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from '../../src/engine/progress.js';

/** A non-TTY stream that keeps what is written. */
function capture(): { stream: NodeJS.WriteStream; lines: () => string[] } {
  let text = '';
  const stream = { isTTY: false, write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WriteStream;
  return { stream, lines: () => text.split('\n').filter((l) => l.length > 0) };
}

test('a fast pass prints its final line only; a slow one a line per plainEvery percent', () => {
  for (const total of [3, 40, 5000]) {
    const fast = capture();
    const p = new Progress({ label: 'epoch 1/1', total, unit: 'it', stream: fast.stream });
    for (let i = 0; i < total; i++) p.tick(1, 'loss 1.000');
    assert.equal(fast.lines().length, 1, `${total} batches within seconds: one line`);
    assert.match(fast.lines()[0], new RegExp(`^epoch 1/1 █+ ${total}/${total} \\[`));
  }
  // No time floor: the percent steps alone decide, whatever the batch count.
  for (const [total, every, expected] of [[5000, 10, 10], [7, 25, 4], [3, 10, 3]] as const) {
    const slow = capture();
    const p = new Progress({ label: 'val', total, stream: slow.stream, plainEvery: every, plainMinSeconds: 0 });
    for (let i = 0; i < total; i++) p.tick();
    assert.equal(slow.lines().length, expected, `${total} batches, every ${every} %`);
  }
});
