import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, fixture, needFixtures } from '../fixtures.js';
import type { NdArray } from '../../src/io/ndarray.js';
import { PyTuple, type PyDict, type PyValue, dumpPickle, isOrderedDict, pyAttributes } from '../../src/io/pickle/index.js';
import { PthTensor, readPth, writePth } from '../../src/io/pth.js';
import { writeZipFile } from '../../src/io/zip.js';
import { canonical } from './canonical.js';
import { needPython, runPythonJson } from './python.js';

const CHECKPOINTS = [
  'models/ntu60_xsub_j/checkpoint.pth',
  'models/finegym_j/checkpoint_partial.pth',
  'models/k400_j/checkpoint_partial.pth',
  'models/uav_csv1_j/checkpoint_partial.pth',
  'clip/tiny_text_encoder.pth',
];

interface KeyDescription {
  key: string;
  shape: number[];
  dtype: string;
  in_checkpoint: boolean;
}

describe('reading the fixture checkpoints', { skip: needFixtures() }, () => {
  it('ntu60_xsub_j: every key, shape and dtype of state_dict_keys.json, in order, and the mmcv layout', () => {
    const { value, archiveName, version } = readPth(fixture('models', 'ntu60_xsub_j', 'checkpoint.pth'));
    assert.equal(archiveName, 'archive');
    assert.equal(version, '3');
    const ckpt = value as PyDict;
    assert.deepEqual(Object.keys(ckpt), ['meta', 'state_dict', 'optimizer']);
    const sd = ckpt.state_dict as PyDict;
    assert.ok(isOrderedDict(sd));
    const expected = (JSON.parse(readFileSync(fixture('models', 'ntu60_xsub_j', 'state_dict_keys.json'), 'utf8')) as KeyDescription[]).filter((k) => k.in_checkpoint);
    assert.deepEqual(Object.keys(sd), expected.map((k) => k.key));
    for (const k of expected) {
      const t = sd[k.key];
      assert.ok(t instanceof PthTensor, k.key);
      assert.deepEqual(t.array.shape, k.shape, k.key);
      assert.equal(t.dtype, k.dtype, k.key);
      assert.equal(t.array.data.length, k.shape.reduce((a, b) => a * b, 1), k.key);
    }
    const metadata = pyAttributes(sd)?._metadata as PyDict;
    assert.deepEqual({ ...(metadata[''] as PyDict) }, { version: 1 });
    const optimizer = ckpt.optimizer as PyDict;
    const group = (optimizer.param_groups as PyDict[])[0];
    assert.equal(group.lr, 0.025);
    assert.equal(group.nesterov, true);
    assert.equal((group.params as number[]).length, 647);
    assert.equal((sd['backbone.data_bn.num_batches_tracked'] as PthTensor).array.data[0], 1000n);
  });

  it('tiny_text_encoder: keys, shapes and dtypes of tiny_text_encoder.json', () => {
    const { value, archiveName } = readPth(fixture('clip', 'tiny_text_encoder.pth'));
    assert.equal(archiveName, 'tiny_text_encoder');
    const sd = (value as PyDict).state_dict as PyDict;
    const expected = (JSON.parse(readFileSync(fixture('clip', 'tiny_text_encoder.json'), 'utf8')) as { state_dict_keys: [string, number[], string][] }).state_dict_keys;
    assert.deepEqual(Object.keys(sd), expected.map(([k]) => k));
    for (const [key, shape, dtype] of expected) {
      const t = sd[key] as PthTensor;
      assert.deepEqual(t.array.shape, shape, key);
      assert.equal(`torch.${t.dtype}`, dtype, key);
    }
  });

  it('write → read gives every tensor and value back bit-exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skagent-pth-'));
    try {
      for (const rel of CHECKPOINTS) {
        const original = readPth(fixture(rel)).value;
        const out = join(dir, 'copy.pth');
        writePth(out, original);
        assert.deepEqual(canonical(readPth(out).value), canonical(original), rel);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Builds checkpoints with everything the tensor layout allows (views, shared storages, dtypes). */
const PY_EXOTIC = String.raw`
import torch, numpy as np
torch.manual_seed(0)
base = torch.arange(60, dtype=torch.float32).reshape(6, 10)
exotic = collections.OrderedDict()
exotic['base'] = base
exotic['column_view'] = base[:, 3]
exotic['strided'] = base[1:5:2, ::3]
exotic['transposed'] = base.t()
exotic['offset_row'] = base[4]
exotic['expanded'] = torch.tensor([1.5, 2.5]).expand(3, 2)
exotic['half'] = torch.randn(4, 5).half()
exotic['bf16'] = torch.randn(7).bfloat16()
exotic['bool'] = torch.tensor([True, False, True])
exotic['int8'] = torch.tensor([-128, 5], dtype=torch.int8)
exotic['uint8'] = torch.tensor([0, 255], dtype=torch.uint8)
exotic['int16'] = torch.tensor([-3], dtype=torch.int16)
exotic['int32'] = torch.arange(6, dtype=torch.int32).reshape(2, 3)
exotic['int64_0d'] = torch.tensor(2**40)
exotic['float64'] = torch.randn(2, 2, dtype=torch.float64)
exotic['empty'] = torch.zeros(0, 4)
exotic['param'] = torch.nn.Parameter(torch.randn(3, 2))
exotic['frozen_param'] = torch.nn.Parameter(torch.randn(2), requires_grad=False)
exotic['requires_grad'] = torch.randn(2, requires_grad=True)
exotic._metadata = collections.OrderedDict([('', {'version': 1})])
obj = {'state_dict': exotic, 'meta': {'device': torch.device('cpu'), 'np_scalar': np.float64(0.25), 'np_array': np.arange(4, dtype=np.int16),
       'nested': [(1, 'a'), {2: [3.5, None]}]}}
torch.save(obj, sys.argv[1])
out = {'exotic': canon(obj)}
for path in sys.argv[2:]:
    out[path] = canon(torch.load(path))
print(json.dumps(out))
`;

const PY_TORCH_LOAD = String.raw`
print(json.dumps([canon(torch.load(p)) for p in sys.argv[1:]]))
`;

describe('checkpoints shared with torch', { skip: needPython('torch', 'numpy') }, () => {
  let dir = '';
  let py: Record<string, unknown>;
  const paths = FIXTURES ? CHECKPOINTS.map((c) => fixture(c)) : [];
  const exoticPath = (): string => join(dir, 'exotic.pth');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skagent-pth-'));
    py = runPythonJson(`import torch\n${PY_EXOTIC}`, [exoticPath(), ...paths]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every fixture checkpoint exactly as torch.load does (all tensor values, meta, optimizer, _metadata)', { skip: needFixtures() }, () => {
    for (const path of paths) assert.deepEqual(canonical(readPth(path).value), py[path], path);
  });

  it('materialises strided, offset, transposed, expanded and shared-storage tensors of every dtype like torch', () => {
    const { value } = readPth(exoticPath());
    assert.deepEqual(canonical(value), py.exotic);
    const sd = (value as PyDict).state_dict as PyDict;
    const transposed = sd.transposed as PthTensor;
    assert.deepEqual(transposed.array.shape, [10, 6]);
    assert.deepEqual([...(transposed.array.data as Float32Array).slice(0, 3)], [0, 10, 20]);
    assert.equal((sd.int64_0d as PthTensor).array.data[0], 2n ** 40n);
    assert.ok((sd.param as PthTensor).isParameter && (sd.param as PthTensor).requiresGrad);
    assert.ok((sd.frozen_param as PthTensor).isParameter && !(sd.frozen_param as PthTensor).requiresGrad);
    assert.equal((sd.bf16 as PthTensor).dtype, 'bfloat16');
  });

  it('torch.load reads what writePth writes, with identical values', () => {
    const sources = [exoticPath(), ...paths];
    const written = sources.map((src, i) => {
      const out = join(dir, `ours_${i}.pth`);
      writePth(out, readPth(src).value);
      return out;
    });
    const got = runPythonJson<unknown[]>(`import torch\n${PY_TORCH_LOAD}`, written);
    got.forEach((c, i) => assert.deepEqual(c, i === 0 ? py.exotic : py[sources[i]], sources[i]));
  });
});

describe('writePth / readPth without torch', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skagent-pth-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips tensors of every dtype, bfloat16 narrowing, 0-d and empty tensors, shared arrays', () => {
    const shared = { dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) } as NdArray;
    const value: PyValue = {
      a: new PthTensor(shared, { requiresGrad: true }),
      alias: new PthTensor(shared),
      bf16: new PthTensor({ dtype: 'float32', shape: [3], data: Float32Array.from([1, -2.5, 3.140625]) }, { dtype: 'bfloat16' }),
      half: new PthTensor({ dtype: 'float16', shape: [1], data: Uint16Array.from([0x3c00]) }),
      long0d: new PthTensor({ dtype: 'int64', shape: [], data: BigInt64Array.from([7n]) }),
      empty: new PthTensor({ dtype: 'int32', shape: [0, 3], data: new Int32Array(0) }),
      flags: new PthTensor({ dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) }, { isParameter: true }),
      list: [PyTuple.fromItems([1, 'x'])],
    };
    const path = join(dir, 'v.pth');
    writePth(path, value);
    const back = readPth(path).value as PyDict;
    assert.deepEqual(canonical(back), canonical(value));
    assert.equal((back.a as PthTensor).array.data.buffer, (back.alias as PthTensor).array.data.buffer, 'one storage for one array');
    assert.deepEqual([...(back.bf16 as PthTensor).array.data], [1, -2.5, 3.140625]);
  });

  it('refuses disallowed globals in data.pkl, naming them and the file', () => {
    const path = join(dir, 'evil.pth');
    const evil = Uint8Array.from([...Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.', 'latin1')]);
    writeZipFile(path, [{ name: 'archive/data.pkl', data: evil }, { name: 'archive/version', data: Buffer.from('3\n') }]);
    assert.throws(() => readPth(path), (e: Error) => e.message.startsWith(`${path}:archive/data.pkl: global 'os.system' is not allowed (not in the CHECKPOINT_GLOBALS allow-list)`));
    const evalPath = join(dir, 'eval.pth');
    writeZipFile(evalPath, [{ name: 'archive/data.pkl', data: Buffer.from('\x80\x02c__builtin__\neval\n.', 'latin1') }]);
    assert.throws(() => readPth(evalPath), /global 'builtins\.eval' is not allowed/);
  });

  it('refuses legacy, TorchScript and non-checkpoint files with clear messages', () => {
    const legacy = join(dir, 'legacy.pth');
    writeFileSync(legacy, dumpPickle(0x1950a86a20f9469cfc6cn));
    assert.throws(() => readPth(legacy), /legacy \(pre-1\.6, non-zip\) torch\.save format is not supported/);
    const script = join(dir, 'script.pt');
    writeZipFile(script, [{ name: 'm/data.pkl', data: dumpPickle(null) }, { name: 'm/constants.pkl', data: dumpPickle(null) }]);
    assert.throws(() => readPth(script), /TorchScript archive/);
    const text = join(dir, 'text.pth');
    writeFileSync(text, 'hello');
    assert.throws(() => readPth(text), /not a PyTorch checkpoint/);
  });
});
