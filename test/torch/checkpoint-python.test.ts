/**
 * The checkpoint bridge against PyTorch itself: one Python process (torch's import is slow)
 * checks the files the TypeScript side wrote and writes one for it to read.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as torch from '../../src/torch/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/torch/checkpoint.js';
import { SGD } from '../../src/torch/optim/index.js';
import { FIXTURES, fixture, needFixtures } from '../fixtures.js';
import { needPythonTorch, runPythonJson } from './python-torch.js';
import { FIXTURE_CHECKPOINT, disposeAll, dtypeZoo, fixtureCheckpoint, scratchDir, sha256 } from './checkpoint-helpers.js';
import { vals } from './values.js';

const ORACLE = `
import hashlib

def hashes(path):
    ck = torch.load(path, map_location='cpu')
    return {k: hashlib.sha256(v.contiguous().numpy().tobytes()).hexdigest() for k, v in ck['state_dict'].items()}

def compare(saved, original):
    a = torch.load(saved, map_location='cpu')
    b = torch.load(original, map_location='cpu')
    sa, sb = a['state_dict'], b['state_dict']
    return {
        'top_keys': list(a.keys()),
        'keys_equal': list(sa.keys()) == list(sb.keys()),
        'values_equal': all(sa[k].dtype == sb[k].dtype and torch.equal(sa[k], sb[k]) for k in sb),
        'ordered_dict': type(sa).__name__,
        'metadata_equal': getattr(sa, '_metadata', None) == getattr(sb, '_metadata', None),
        'meta_equal': a['meta'] == b['meta'],
        'optimizer_equal': a['optimizer'] == b['optimizer'],
        'group_types': {k: type(v).__name__ for k, v in a['optimizer']['param_groups'][0].items()},
    }

def zoo(path):
    ck = torch.load(path, map_location='cpu')
    return {'meta': ck['meta'], 'tensors': {k: {'dtype': str(v.dtype), 'shape': list(v.shape), 'values': v.double().flatten().tolist()}
                                          for k, v in ck['state_dict'].items()}}

def resume(path):
    ck = torch.load(path, map_location='cpu')
    p = torch.zeros(2, 3, requires_grad=True)
    q = torch.zeros(4, requires_grad=True)
    opt = torch.optim.SGD([p, q], lr=1.0, momentum=0.9)
    opt.load_state_dict(ck['optimizer'])
    g = opt.param_groups[0]
    return {'lr': g['lr'], 'nesterov': g['nesterov'], 'initial_lr': g['initial_lr'],
            'buf0': opt.state[p]['momentum_buffer'].flatten().tolist(), 'has_q': q in opt.state}

def write_bare(path):
    base = torch.arange(12, dtype=torch.float32)
    sd = {
        'view_t': base.view(3, 4).t(),      # non-contiguous view of a shared storage
        'view_tail': base[6:].view(2, 3),   # offset into the same storage
        'bf16': torch.tensor([1.5, -3.0]).to(torch.bfloat16),
        'half': torch.tensor([0.5, 2.0]).half(),
    }
    torch.save(sd, path)
    return {k: v.double().flatten().tolist() for k, v in sd.items()}

tasks = json.load(sys.stdin)
print(json.dumps({name: globals()[fn](*args) for name, fn, args in tasks}))
`;

const work = scratchDir();
const files = {
  forPython: join(work, 'for_python.pth'),
  zoo: join(work, 'zoo.pth'),
  momentum: join(work, 'momentum.pth'),
  bare: join(work, 'bare.pth'),
};
let oracle: Record<string, unknown> = {};
const skipPython = needPythonTorch();

before(() => {
  if (skipPython) return;
  const tasks: [string, string, unknown[]][] = [
    ['zoo', 'zoo', [files.zoo]],
    ['resume', 'resume', [files.momentum]],
    ['bare', 'write_bare', [files.bare]],
  ];
  saveCheckpoint(files.zoo, { meta: { note: 'dtype zoo', epoch: 3 }, stateDict: dtypeZoo() });
  const p = torch.zeros([2, 3], { requiresGrad: true });
  const q = torch.zeros([4], { requiresGrad: true });
  const opt = new SGD([p, q], { lr: 0.025, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  opt.paramGroups[0].initialLr = 0.025;
  p.grad = torch.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  opt.step();
  saveCheckpoint(files.momentum, { stateDict: new Map([['p', p], ['q', q]]), optimizer: opt.stateDict() });
  opt.dispose();
  if (FIXTURES) {
    const ck = fixtureCheckpoint();
    saveCheckpoint(files.forPython, { meta: ck.meta, stateDict: ck.stateDict, optimizer: ck.optimizer, stateDictMetadata: ck.stateDictMetadata });
    tasks.push(['hashes', 'hashes', [fixture(FIXTURE_CHECKPOINT)]], ['compare', 'compare', [files.forPython, fixture(FIXTURE_CHECKPOINT)]]);
  }
  oracle = runPythonJson<Record<string, unknown>>(ORACLE, tasks);
});

test('fixture checkpoint: every tensor\'s bytes equal what torch.load reads', { skip: needFixtures() || skipPython }, () => {
  const expected = oracle.hashes as Record<string, string>;
  const ck = fixtureCheckpoint();
  assert.equal(Object.keys(expected).length, ck.stateDict.size);
  for (const [key, t] of ck.stateDict) assert.equal(sha256(t), expected[key], `${key}: values`);
});

test('torch.load reads a saved checkpoint with equal values, meta, optimizer and _metadata', { skip: needFixtures() || skipPython }, () => {
  assert.deepEqual(oracle.compare, {
    top_keys: ['meta', 'state_dict', 'optimizer'], keys_equal: true, values_equal: true, ordered_dict: 'OrderedDict',
    metadata_equal: true, meta_equal: true, optimizer_equal: true,
    group_types: {
      lr: 'float', momentum: 'float', dampening: 'int', weight_decay: 'float', nesterov: 'bool', maximize: 'bool',
      foreach: 'NoneType', differentiable: 'bool', initial_lr: 'float', params: 'list',
    },
  });
});

test('torch.load reads every dtype with its values', { skip: skipPython }, () => {
  const py = oracle.zoo as { meta: unknown; tensors: Record<string, { dtype: string; shape: number[]; values: number[] }> };
  assert.deepEqual(py.meta, { note: 'dtype zoo', epoch: 3 });
  for (const [key, t] of dtypeZoo()) {
    assert.equal(py.tensors[key].dtype, `torch.${t.dtype}`, `${key}: dtype in Python`);
    assert.deepEqual(py.tensors[key].shape, t.shape, `${key}: shape in Python`);
    assert.deepEqual(py.tensors[key].values, vals(t), `${key}: values in Python`);
  }
});

test('torch.optim.SGD.load_state_dict accepts the saved optimizer state', { skip: skipPython }, () => {
  assert.deepEqual(oracle.resume, { lr: 0.025, nesterov: true, initial_lr: 0.025, buf0: [1, 2, 3, 4, 5, 6], has_q: false });
});

test('a bare state dict written by torch.save (views, shared storage, bfloat16) loads with no meta', { skip: skipPython }, () => {
  const expected = oracle.bare as Record<string, number[]>;
  const ck = loadCheckpoint(files.bare);
  assert.equal(ck.meta, null);
  assert.equal(ck.optimizer, null);
  assert.deepEqual([...ck.stateDict.keys()], Object.keys(expected));
  for (const [key, t] of ck.stateDict) assert.deepEqual(vals(t), expected[key], key);
  assert.equal(ck.stateDict.get('bf16')!.dtype, 'bfloat16');
  assert.deepEqual(ck.stateDict.get('view_t')!.shape, [4, 3]);
  disposeAll(ck);
});
