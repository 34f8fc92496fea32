/** `skagent checkpoint inspect` as a real subprocess. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, fixture, needFixtures } from '../fixtures.js';
import { jsonSafe } from '../../src/cli/commands/checkpoint-inspect.js';
import { PthTensor } from '../../src/io/pth.js';
import { PyFloat, PyGlobal, PyTuple, type PyValue } from '../../src/io/pickle/index.js';
import { writeBadFiles } from './checkpoint-files.js';
import { FIXTURE_CHECKPOINT, scratchDir } from './checkpoint-helpers.js';

function skagent(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'skagent.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface KeyInfo { key: string; shape: number[]; dtype: string; in_checkpoint: boolean }

test('inspect --json lists every tensor with shape and dtype, and the meta', { skip: needFixtures() }, () => {
  const r = skagent(['checkpoint', 'inspect', fixture(FIXTURE_CHECKPOINT), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { tensors: Record<string, { shape: number[]; dtype: string }>; meta: Record<string, unknown> };
  assert.deepEqual(Object.keys(out), ['tensors', 'meta']);
  const expected = (JSON.parse(readFileSync(fixture('models/ntu60_xsub_j/state_dict_keys.json'), 'utf8')) as KeyInfo[]).filter((k) => k.in_checkpoint);
  assert.deepEqual(out.tensors, Object.fromEntries(expected.map((k) => [k.key, { shape: k.shape, dtype: k.dtype }])));
  assert.equal(out.meta.epoch, 1);
  assert.equal(out.meta.mmcv_version, '1.5.0');
  assert.match(out.meta.config as string, /^modality = 'j'/);
});

test('inspect prints a table with element counts (the original model totals) and works without libtorch', { skip: needFixtures() }, () => {
  const r = skagent(['checkpoint', 'inspect', fixture(FIXTURE_CHECKPOINT)], { SKAGENT_NATIVE_ADDON: '/nonexistent/skagent_torch.node' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^key +dtype +shape +elements\n/);
  assert.match(r.stdout, /\nbackbone\.examplar +float32 +\[60, 25, 25\] +37,500\n/);
  assert.match(r.stdout, /\nbackbone\.data_bn\.num_batches_tracked +int64 +\[\] +1\n/);
  // 3,899,767 trainable + 37,500 examplar, plus the BatchNorm statistics
  assert.match(r.stdout, /\n755 tensors, 3,968,745 elements in total: 3,937,267 parameters and other tensors, 31,478 in BatchNorm running statistics and counters\n/);
  assert.match(r.stdout, /\noptimizer group 0: 647 parameters, lr=0\.025 momentum=0\.9 .*nesterov=true/);
  assert.match(r.stdout, /\n {2}config: modality = 'j' … \(\d+ lines\)\n/);
});

test('unreadable checkpoints exit with code 3 and a message naming the file and the problem', { skip: needFixtures() }, () => {
  const bad = writeBadFiles(mkdtempSync(join(scratchDir(), 'bad-')), fixture(FIXTURE_CHECKPOINT));
  const cases: [string, RegExp][] = [
    [bad.notZip, /notes\.pth: not a PyTorch checkpoint \(expected a zip archive\)/],
    [bad.truncated, /truncated\.pth: not a zip archive/],
    [bad.disallowedGlobal, /evil\.pth.*global 'os\.system' is not allowed/],
    [bad.notADict, /list\.pth: not a model checkpoint/],
    [bad.noStateDict, /config\.pth: not a model checkpoint/],
    [join(REPO_ROOT, 'no-such-file.pth'), /ENOENT.*no-such-file\.pth/],
  ];
  for (const [path, message] of cases) {
    const r = skagent(['checkpoint', 'inspect', path, '--json']);
    assert.equal(r.status, 3, `${path}: exit code`);
    assert.match(r.stderr, /^skagent checkpoint inspect: /);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
});

test('usage errors exit with code 2', () => {
  assert.equal(skagent(['checkpoint', 'inspect']).status, 2);
  assert.equal(skagent(['checkpoint', 'inspect', 'a.pth', '--frobnicate']).status, 2);
  const help = skagent(['checkpoint', 'inspect', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: skagent checkpoint inspect <file\.pth> \[--json\]/);
});

test('meta values JSON cannot hold are spelled out', () => {
  const meta = Object.assign(Object.create(null), {
    nan: NaN, inf: -Infinity, big: 2n ** 70n, small: 5n, float: new PyFloat(1), bytes: Uint8Array.from([1, 2]),
    tuple: PyTuple.fromItems<PyValue>([1, 'a']), set: new Set<PyValue>([3]), intKeys: new Map<PyValue, PyValue>([[0, 'x']]),
    scalar16: { dtype: 'float16', shape: [], data: Uint16Array.from([0x3c00]) }, scalar64: { dtype: 'int64', shape: [], data: BigInt64Array.from([7n]) },
    array: { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) },
    tensor: new PthTensor({ dtype: 'int64', shape: [3], data: new BigInt64Array(3) }), fn: new PyGlobal('collections', 'OrderedDict'),
  });
  assert.deepEqual(jsonSafe(meta), {
    nan: 'nan', inf: '-inf', big: '1180591620717411303424', small: 5, float: 1, bytes: { bytes: 'AQI=' },
    tuple: [1, 'a'], set: [3], intKeys: { 0: 'x' }, scalar16: 1, scalar64: 7,
    array: { ndarray: { dtype: 'float32', shape: [2, 2] } }, tensor: { tensor: { dtype: 'int64', shape: [3] } }, fn: { global: 'collections.OrderedDict' },
  });
});
