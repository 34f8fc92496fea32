/** The bridge's own bookkeeping: one operator-table entry per operator name, checked seeds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { native } from '../../src/torch/native.js';
import { torchAvailable } from '../../src/torch/index.js';

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
