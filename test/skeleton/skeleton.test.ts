import test from 'node:test';
import assert from 'node:assert/strict';
import {
  LAYOUTS, LAYOUT_NAMES, MIX_GROUPS, PART_DROP_GROUPS, SPATIAL_FLIP_ORDERS, COCO_FLIP_LEFT, COCO_FLIP_RIGHT,
  buildGraph, hopDistance, getLayout, JOINT_NAMES,
} from '../../src/skeleton/index.js';
import { NumpyRandomState } from '../../src/rng/index.js';
import { needPython, runPythonJson } from '../transforms/python.js';

test('layout tables are well formed: every joint has exactly one bone and one K-bone entry', () => {
  for (const name of LAYOUT_NAMES) {
    const l = LAYOUTS[name];
    for (const [what, pairs] of [['bones', l.bonePairs], ['kbones', l.kbonePairs]] as const) {
      assert.equal(pairs.length, l.numJoints, `${name} ${what}`);
      assert.deepEqual([...pairs.map(([v]) => v)].sort((a, b) => a - b), Array.from({ length: l.numJoints }, (_, i) => i), `${name} ${what}`);
      for (const [a, b] of pairs) assert.ok(b >= 0 && b < l.numJoints, `${name} ${what} (${a}, ${b})`);
    }
    for (const [a, b] of l.inward) assert.ok(a < l.numJoints && b < l.numJoints && a >= 0 && b >= 0, `${name} edge (${a}, ${b})`);
  }
  assert.deepEqual(LAYOUTS['nturgb+d'].inward[0], [0, 1]);
  assert.equal(LAYOUTS['nturgb+d'].center, 20);
  assert.deepEqual(LAYOUTS.uav.inward.at(-1), [14, 16]);
  for (const [name, names] of Object.entries(JOINT_NAMES)) assert.equal(names.length, getLayout(name).numJoints, name);
});

test('augmentation and mix-up tables partition / permute the joints', () => {
  for (const [key, order] of Object.entries(SPATIAL_FLIP_ORDERS)) {
    assert.deepEqual([...order].sort((a, b) => a - b), order.map((_, i) => i), key);
    order.forEach((v, i) => assert.equal(order[v], i, `${key}: an involution`));
  }
  for (const [name, groups] of Object.entries(MIX_GROUPS)) {
    const all = groups.flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: getLayout(name).numJoints }, (_, i) => i), name);
    assert.equal(groups.length, 5);
  }
  assert.deepEqual(PART_DROP_GROUPS.flat().length, 20);
  assert.equal(COCO_FLIP_LEFT.length, COCO_FLIP_RIGHT.length);
});

test('hop distance: uav has two components (infinite hops between them)', () => {
  const v = 17;
  const hop = hopDistance(v, LAYOUTS.uav.inward, 30);
  assert.equal(hop[0 * v + 13], 1);
  assert.equal(hop[0 * v + 15], 2);
  assert.equal(hop[0 * v + 1], Infinity);
  assert.equal(hop[1 * v + 12], 4);
  const h1 = hopDistance(25, LAYOUTS['nturgb+d'].inward, 1);
  assert.equal(h1[0], 0);
  assert.equal(h1[0 * 25 + 1], 1);
  assert.equal(h1[0 * 25 + 20], Infinity);
});

test('fixed graph modes: spatial columns are normalised, binary_adj is symmetric, stgcn_spatial splits hops', () => {
  const sp = buildGraph({ layout: 'nturgb+d', mode: 'spatial' });
  assert.deepEqual(sp.shape, [3, 25, 25]);
  const at = (k: number, j: number, i: number) => sp.data[k * 625 + j * 25 + i];
  assert.equal(at(0, 3, 3), 1);
  // inward (child -> parent): column of child 0 has a single entry at parent row 1
  assert.equal(at(1, 1, 0), 1);
  // outward: column of joint 20 (the centre) receives its 4 children equally
  for (const c of [1, 2, 4, 8]) assert.equal(at(2, c, 20), Math.fround(1 / 4));
  const bin = buildGraph({ layout: 'coco', mode: 'binary_adj' });
  assert.deepEqual(bin.shape, [1, 17, 17]);
  for (let j = 0; j < 17; j++) for (let i = 0; i < 17; i++) assert.equal(bin.data[j * 17 + i], bin.data[i * 17 + j]);
  const st = buildGraph({ layout: 'coco_new', mode: 'stgcn_spatial', max_hop: 2 });
  assert.deepEqual(st.shape, [5, 20, 20]);
  let colSum = 0;
  for (let k = 0; k < 5; k++) for (let j = 0; j < 20; j++) colSum += st.data[k * 400 + j * 20 + 7];
  assert.ok(Math.abs(colSum - 1) < 1e-6, 'every column of the stacked subsets sums to one');
  assert.throws(() => buildGraph({ layout: 'nturgb+d', mode: 'bogus' }), /graph_cfg.mode: unknown graph mode 'bogus'/);
  assert.throws(() => buildGraph({ layout: 'kinect' }), /graph_cfg.layout: unknown skeleton layout 'kinect'/);
  assert.throws(() => buildGraph({ layout: 'uav', mode: 'random' }), /needs numpy's generator/);
});

test("random graph = numpy's randn(8, V, V) * 0.02 + 0.04 as float32 for the fixture models' seeds", { skip: needPython() }, () => {
  const cases: [string, number, number][] = [['nturgb+d', 25, 0], ['coco_new', 20, 1], ['uav', 17, 2], ['coco_new', 20, 3]];
  const expected = runPythonJson<number[][]>(
    'import json,sys\nimport numpy as np\nout=[]\nfor l,v,s in json.load(sys.stdin):\n  np.random.seed(s); out.append((np.random.randn(8,v,v)*0.02+0.04).astype(np.float32).ravel().tolist())\nprint(json.dumps(out))',
    cases,
  );
  cases.forEach(([layout, v, seed], i) => {
    const a = buildGraph({ layout, mode: 'random', num_filter: 8, init_off: 0.04, init_std: 0.02 }, new NumpyRandomState(seed));
    assert.deepEqual(a.shape, [8, v, v]);
    assert.deepEqual(Array.from(a.data), expected[i], `${layout} seed ${seed}`);
  });
});
