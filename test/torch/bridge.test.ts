/** The bridge's own bookkeeping: one operator-table entry per operator name, checked seeds, libtorch's warnings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { native } from '../../src/torch/native.js';
import { tensor, torchAvailable } from '../../src/torch/index.js';

const skip = torchAvailable() ? false : 'libtorch bridge not built';

test('opHandle returns the same id for the same operator and overload, another for another', { skip }, () => {
  const n = native();
  const relu = n.opHandle('aten::relu', '');
  assert.equal(n.opHandle('aten::relu', ''), relu);
  const add = n.opHandle('aten::add', 'Tensor');
  assert.equal(n.opHandle('aten::add', 'Tensor'), add);
  assert.notEqual(add, relu);
  assert.notEqual(n.opHandle('aten::add', 'Scalar'), add);
});

test('a BigInt seed outside [0, 2^64) is refused instead of wrapped', { skip }, () => {
  const n = native();
  assert.throws(() => n.manualSeed(-1n), /manualSeed: the seed must be an integer in \[0, 2\^64\)/);
  assert.throws(() => n.manualSeed(2n ** 64n), /manualSeed/);
  assert.throws(() => n.randpermSeeded(4, -1n), /randpermSeeded: the seed must be/);
  n.manualSeed(2n ** 64n - 1n);
  n.manualSeed(0);
});

test("a libtorch warning (TORCH_WARN) becomes a Node 'warning' event of type LibtorchWarning, after the call that raised it", { skip }, async () => {
  const n = native();
  const seen: Error[] = [];
  let delivered = () => {};
  const arrived = new Promise<void>((resolve) => { delivered = resolve; });
  const listener = (w: Error) => { if (w.name === 'LibtorchWarning') { seen.push(w); delivered(); } };
  process.on('warning', listener);
  const a = tensor(Float32Array.of(1, 2, 3), [3]);
  const out = tensor(Float32Array.of(0, 0), [2]);
  try {
    // add.out into a wrong-sized output: libtorch resizes it and warns (every time, not once).
    n.callOp(n.opHandle('aten::add', 'out'), a.id, a.id, 1, out.id);
    assert.equal(seen.length, 0, 'delivered asynchronously, not from inside the operator');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([arrived, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no LibtorchWarning within 10 s')), 10_000); })]);
    clearTimeout(timer);
    assert.equal(seen.length, 1);
    assert.match(seen[0].message, /^An output with one or more elements was resized since it had shape \[2\]/);
    assert.deepEqual([...out.toFloat32Array()], [2, 4, 6]);
  } finally {
    process.off('warning', listener);
    a.dispose();
    out.dispose();
  }
});
