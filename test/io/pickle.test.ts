import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, fixture, needFixtures } from '../fixtures.js';
import { readNpy } from '../../src/io/npy.js';
import { bytesOf, type NdArray } from '../../src/io/ndarray.js';
import { ANNOTATION_GLOBALS, PickleError, PyFloat, PyGlobal, PyTuple, type PyDict, type PyValue, dumpPickle, dumpPickleFile, isOrderedDict, loadPickle, loadPickleFile, markOrderedDict, pyAttributes, setPyAttribute } from '../../src/io/pickle/index.js';
import { isNdArray } from '../../src/io/ndarray.js';
import { canonical } from './canonical.js';
import { needPython, runPythonJson } from './python.js';

const load = (bytes: Uint8Array, source = 'test.pkl'): PyValue => loadPickle(bytes, { globals: ANNOTATION_GLOBALS, source });
const bin = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

/** Every pickle among the fixtures (annotations, ensemble score lists, ntu_preproc outputs). */
function fixturePickles(): string[] {
  const dirs = ['annotations', 'ensemble', 'ntu_raw/output_main'];
  return dirs.flatMap((d) => readdirSync(fixture(d)).filter((f) => f.endsWith('.pkl')).map((f) => fixture(d, f)));
}

interface ColumnDescription {
  type: string;
  value?: unknown;
  dtype?: string;
  shape?: number[];
}

describe('annotation fixtures', { skip: needFixtures() }, () => {
  it('decode to the content of annotations.json and the .npy arrays, bit-exactly, for protocols 2, 4 and 5', () => {
    const spec = JSON.parse(readFileSync(fixture('annotations', 'annotations.json'), 'utf8')) as Record<string, {
      files: string[]; split: Record<string, string[]>; annotations: Record<string, ColumnDescription>[];
    }>;
    let arrays = 0;
    for (const [stem, set] of Object.entries(spec)) {
      for (const file of set.files) {
        const value = loadPickleFile(fixture(file), { globals: ANNOTATION_GLOBALS }) as PyDict;
        assert.deepEqual(Object.keys(value), ['split', 'annotations'], file);
        assert.deepEqual({ ...(value.split as PyDict) }, set.split, `${file} split`);
        const anns = value.annotations as PyDict[];
        assert.equal(anns.length, set.annotations.length, file);
        set.annotations.forEach((expected, i) => {
          const ann = anns[i];
          assert.deepEqual(Object.keys(ann), Object.keys(expected), `${file}[${i}] keys`);
          for (const [key, desc] of Object.entries(expected)) {
            const actual = ann[key];
            const where = `${file}[${i}].${key}`;
            if (desc.type === 'numpy.ndarray') {
              assert.ok(isNdArray(actual), where);
              const npy = readNpy(fixture('annotations', 'arrays', stem, `${i}_${key}.npy`));
              assert.equal(actual.dtype, desc.dtype, where);
              assert.deepEqual(actual.shape, desc.shape, where);
              assert.equal(npy.dtype, actual.dtype, where);
              assert.deepEqual(Buffer.from(bytesOf(actual)), Buffer.from(bytesOf(npy)), `${where} bytes`);
              arrays++;
            } else if (desc.type === 'tuple') {
              assert.ok(actual instanceof PyTuple, where);
              assert.deepEqual([...actual], desc.value, where);
            } else if (desc.type === 'dict') {
              // K400 `valid`: float thresholds as keys, so a Map (JSON has them as strings).
              assert.ok(actual instanceof Map, where);
              assert.deepEqual([...actual.entries()], Object.entries(desc.value as object).map(([k, v]) => [Number(k), v]), where);
            } else {
              assert.equal(actual, desc.value, where);
            }
          }
        });
      }
    }
    assert.equal(arrays, 3 * 4 + 4 + 4 + 6);
  });

  it('decodes the same from files read in tiny windows (refills, payloads across and beyond the window)', () => {
    for (const path of fixturePickles()) {
      const whole = canonical(loadPickle(readFileSync(path), { globals: ANNOTATION_GLOBALS }));
      for (const windowBytes of [64, 1000, 4096]) {
        assert.deepEqual(canonical(loadPickleFile(path, { globals: ANNOTATION_GLOBALS, windowBytes })), whole, `${path} window ${windowBytes}`);
      }
    }
  });
});

/** Builds the "zoo": one of every type in the value model, written by Python in protocols 0–5. */
const PY_ZOO = String.raw`
import numpy as np, pickle, os
out = sys.argv[1]
od = collections.OrderedDict([('b', 1), ('a', [2])]); od._metadata = collections.OrderedDict([('', {'version': 1})])
dtypes = ['float16', 'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']
zoo = {
  'none': None, 'bools': [True, False],
  'ints': [0, 1, 255, 256, 65535, 65536, -1, -2**31, 2**31 - 1, 2**31, 2**53 - 1, 2**53, -2**63, 2**64 + 5, 10**30, -10**30, 2**2100],
  'floats': [0.5, -0.0, 1e300, float('inf'), float('-inf'), float('nan'), 1.0, 3.141592653589793, -2.5e-310],
  'str': ['', 'ascii', 'caf\u00e9 \u20ac \U0001F600', 'x' * 300, 'lone \udc80 surrogate'],
  'bytes': [b'', bytes(range(256)) * 2, bytearray(b'abc')],
  'tuples': [(), (1,), (1, 2), (1, (2, 3), 'x'), (1, 2, 3, 4, 5)],
  'set': {1, 2, 3}, 'frozenset': frozenset({'a', 'b'}),
  'int_keys': {1: 'a', 2: 'b'}, 'float_keys': {0.5: 1, 0.9: 2}, 'index_like_keys': {'0': 'x', 'a': 'y'}, 'tuple_keys': {(1, 2): 'z'},
  'ordered': od, 'ordered_int_keys': collections.OrderedDict([(3, 'c')]),
  'arrays': [np.arange(12, dtype=dt).reshape(3, 4) * (1 if dt.startswith('u') else -1) for dt in dtypes] + [np.arange(12).reshape(3, 4) % 3 == 0],
  'fortran': np.asfortranarray(np.arange(24, dtype='float32').reshape(2, 3, 4)),
  'noncontiguous': np.arange(20, dtype='int16').reshape(4, 5)[:, ::2],
  'zero_d': np.array(3.5), 'empty': np.zeros((0, 3), dtype='float32'),
  'scalars': [np.float32(1.5), np.int64(-7), np.float16(2.0), np.bool_(True), np.uint8(200)],
  'unicode_key_\u043a\u043b\u044e\u0447': 1,
}
shared = [1, 2]
zoo['shared'] = [shared, shared]
for p in range(6):
    with open(os.path.join(out, 'zoo_p%d.pkl' % p), 'wb') as f: pickle.dump(zoo, f, protocol=p)
cyc = [1]; cyc.append(cyc)
cyc_dict = {}; cyc_dict['self'] = cyc_dict
for p in (2, 4):
    with open(os.path.join(out, 'cyc_p%d.pkl' % p), 'wb') as f: pickle.dump([cyc, cyc_dict], f, protocol=p)
with open(os.path.join(out, 'bigendian.pkl'), 'wb') as f: pickle.dump(np.arange(3, dtype='>f4'), f, protocol=4)
with open(os.path.join(out, 'objects.pkl'), 'wb') as f: pickle.dump(np.array([1, 'a'], dtype=object), f, protocol=4)
with open(os.path.join(out, 'oob.pkl'), 'wb') as f: pickle.dump(pickle.PickleBuffer(b'abc'), f, protocol=5, buffer_callback=lambda b: False)
fixtures = {}
for path in sys.argv[2:]:
    with open(path, 'rb') as f: fixtures[path] = canon(pickle.load(f))
print(json.dumps({'zoo': canon(zoo), 'fixtures': fixtures}))
`;

/** Loads pickles with Python and prints their canonical forms. */
const PY_LOAD = String.raw`
import pickle
res = []
for path in sys.argv[1:]:
    with open(path, 'rb') as f: res.append(canon(pickle.load(f)))
print(json.dumps(res))
`;

describe('pickles shared with Python', { skip: needPython('numpy') }, () => {
  let dir = '';
  let py: { zoo: unknown; fixtures: Record<string, unknown> };
  const paths = FIXTURES ? fixturePickles() : [];
  const zooFile = (p: number): string => join(dir, `zoo_p${p}.pkl`);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skagent-pickle-'));
    py = runPythonJson(PY_ZOO, [dir, ...paths]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every type Python writes, protocols 0 to 5', () => {
    for (let p = 0; p <= 5; p++) {
      const value = loadPickleFile(zooFile(p), { globals: ANNOTATION_GLOBALS }) as PyDict;
      assert.deepEqual(canonical(value), py.zoo, `protocol ${p}`);
      const shared = value.shared as PyValue[][];
      assert.equal(shared[0], shared[1], `protocol ${p}: shared references stay shared`);
      assert.ok(value.int_keys instanceof Map && value.index_like_keys instanceof Map && value.tuple_keys instanceof Map);
      assert.equal(Object.getPrototypeOf(value), null);
      const ordered = value.ordered as PyDict;
      assert.ok(isOrderedDict(ordered));
      assert.deepEqual(Object.keys(ordered), ['b', 'a'], 'attributes are not items');
      assert.ok(isOrderedDict(ordered._metadata as object), '_metadata is reachable as a property');
      const scalars = value.scalars as NdArray[];
      assert.deepEqual(scalars.map((s) => [s.dtype, s.shape.length]), [['float32', 0], ['int64', 0], ['float16', 0], ['bool', 0], ['uint8', 0]]);
      assert.deepEqual([...(value.fortran as NdArray<'float32'>).data.slice(0, 5)], [0, 1, 2, 3, 4], 'Fortran order converted to C order');
    }
  });

  it('keeps cycles: a list containing itself, a dict containing itself', () => {
    for (const p of [2, 4]) {
      const [list, dict] = loadPickleFile(join(dir, `cyc_p${p}.pkl`), { globals: ANNOTATION_GLOBALS }) as [PyValue[], PyDict];
      assert.equal(list[1], list);
      assert.equal(dict.self, dict);
    }
  });

  it('reads every fixture pickle exactly as Python does', { skip: needFixtures() }, () => {
    for (const path of paths) {
      assert.deepEqual(canonical(loadPickleFile(path, { globals: ANNOTATION_GLOBALS })), py.fixtures[path], path);
    }
  });

  it('refuses big-endian arrays, object arrays and out-of-band buffers, naming the problem', () => {
    assert.throws(() => loadPickleFile(join(dir, 'bigendian.pkl'), { globals: ANNOTATION_GLOBALS }), /big-endian dtype '>f4'/);
    assert.throws(() => loadPickleFile(join(dir, 'objects.pkl'), { globals: ANNOTATION_GLOBALS }), /object arrays/);
    assert.throws(() => loadPickleFile(join(dir, 'oob.pkl'), { globals: ANNOTATION_GLOBALS }), (e: Error) =>
      e instanceof PickleError && /out-of-band buffers/.test(e.message) && e.message.includes('oob.pkl') && /NEXT_BUFFER/.test(e.message));
  });

  it('writes protocol 2 and 4 pickles that Python reads as the same values', () => {
    const written: string[] = [];
    const expected: unknown[] = [];
    const sources = [zooFile(4), ...paths];
    for (const [i, src] of sources.entries()) {
      const value = loadPickleFile(src, { globals: ANNOTATION_GLOBALS });
      for (const protocol of [2, 4] as const) {
        const out = join(dir, `ours_${i}_p${protocol}.pkl`);
        dumpPickleFile(out, value, { protocol });
        written.push(out);
        expected.push(i === 0 ? py.zoo : py.fixtures[src]);
      }
    }
    const got = runPythonJson<unknown[]>(PY_LOAD, written);
    got.forEach((c, i) => assert.deepEqual(c, expected[i], written[i]));
  });
});

/** A value with every kind of the value model, built in TypeScript. */
function richValue(): PyValue {
  const shared: PyValue[] = ['shared'];
  const ordered = markOrderedDict(Object.assign(Object.create(null) as PyDict, { x: 1, y: new PyTuple() }));
  setPyAttribute(ordered, '_metadata', { '': { version: 1 } });
  const map = new Map<PyValue, PyValue>([[1, 'one'], [0.5, 'half'], ['2', 'two'], [PyTuple.fromItems([1, 'a']), null]]);
  return {
    ints: [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2n ** 70n, -(2n ** 64n)],
    floats: [0.5, -0, NaN, Infinity, -Infinity, 1e-310],
    float_one: new PyFloat(1),
    strings: ['', 'é€😀', 'y'.repeat(70000), 'lone \udc80'],
    bytes: [new Uint8Array(0), Uint8Array.from({ length: 300 }, (_, i) => i & 0xff), new Uint8Array(70000).fill(7)],
    tuples: PyTuple.fromItems<PyValue>([1, PyTuple.fromItems([2, 3]), PyTuple.fromItems([1, 2, 3, 4])]),
    set: new Set<PyValue>([1, 'a', PyTuple.fromItems([2])]),
    map,
    ordered,
    shared: [shared, shared],
    arrays: [
      { dtype: 'float16', shape: [2, 3], data: Uint16Array.from([0x3c00, 0xbc00, 0x7c00, 0, 1, 0x7e00]) },
      { dtype: 'int64', shape: [2], data: BigInt64Array.from([-(2n ** 63n), 5n]) },
      { dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) },
      { dtype: 'float64', shape: [], data: Float64Array.from([2.5]) },
      { dtype: 'uint32', shape: [0, 4], data: new Uint32Array(0) },
      { dtype: 'float32', shape: [40000], data: Float32Array.from({ length: 40000 }, (_, i) => i / 7) },
    ] as NdArray[],
    bools: [true, false, null],
  };
}

describe('pickle round trip in TypeScript', () => {
  for (const protocol of [2, 4] as const) {
    it(`protocol ${protocol}: decoding what we write gives the value back`, () => {
      const value = richValue();
      const back = load(dumpPickle(value, { protocol })) as PyDict;
      const expected = canonical(value) as { items: unknown[] };
      assert.deepEqual(canonical(back), expected);
      assert.equal((back.float_one as number), 1);
      const shared = back.shared as PyValue[][];
      assert.equal(shared[0], shared[1]);
      assert.deepEqual(Object.keys(pyAttributes(back.ordered as object) ?? {}), ['_metadata']);
    });
  }

  it('writes cycles through the memo and reads them back', () => {
    const list: PyValue[] = [1];
    list.push(list);
    const tuple = PyTuple.fromItems<PyValue>([list]);
    list.push(tuple);
    const back = load(dumpPickle(list, { protocol: 2 })) as PyValue[];
    assert.equal(back[1], back);
    assert.equal((back[2] as PyValue[])[0], back);
  });

  it('refuses values without a Python equivalent, naming where they are', () => {
    assert.throws(() => dumpPickle({ a: [1, undefined as unknown as PyValue] }), /value at \["a"\]\[1\]: undefined has no Python equivalent/);
    assert.throws(() => dumpPickle({ f: (() => 1) as unknown as PyValue }), /function has no Python equivalent/);
  });
});

describe('corrupt and hostile pickles', () => {
  const sample = dumpPickle({ a: [1, 2.5, 'x', PyTuple.fromItems([1n << 80n])], b: richValue() }, { protocol: 2 });

  it('every truncation fails with a PickleError naming the source, offset and opcode', () => {
    const cut = sample.subarray(0, 4000);
    for (let n = 0; n < cut.length; n++) {
      assert.throws(() => load(cut.subarray(0, n), 'cut.pkl'), (e: Error) => {
        assert.ok(e instanceof PickleError, `length ${n}: ${e.message}`);
        assert.match(e.message, /^cut\.pkl: .*at byte \d+\)$/, `length ${n}`);
        return true;
      });
    }
  });

  it('truncated fixture files fail cleanly at sampled offsets', { skip: needFixtures() }, () => {
    for (const path of fixturePickles()) {
      const bytes = readFileSync(path);
      for (let k = 0; k < 60; k++) {
        const n = Math.floor((bytes.length * k) / 60);
        assert.throws(() => load(bytes.subarray(0, n), path), PickleError);
      }
    }
  });

  it('names disallowed globals and the file (GLOBAL and STACK_GLOBAL)', () => {
    const osSystem = bin([0x80, 2], 'cos\nsystem\n', 'X', [2, 0, 0, 0], 'ls', [0x85], 'R.');
    assert.throws(() => load(osSystem, 'evil.pkl'), /^PickleError: evil\.pkl: global 'os\.system' is not allowed \(not in the ANNOTATION_GLOBALS allow-list\)/);
    assert.throws(() => load(osSystem, 'evil.pkl'), (e: Error) => /GLOBAL \(0x63\) at byte 2/.test(e.message));
    const evalP4 = bin([0x80, 4, 0x8c, 8], 'builtins', [0x8c, 4], 'eval', [0x93, 0x8c, 1], '1', [0x85], 'R.');
    assert.throws(() => load(evalP4, 'evil4.pkl'), /evil4\.pkl: global 'builtins\.eval' is not allowed/);
    const py2Eval = bin([0x80, 2], 'c__builtin__\neval\n.');
    assert.throws(() => load(py2Eval), /global 'builtins\.eval' is not allowed/);
  });

  it('reports malformed streams clearly', () => {
    const cases: [Uint8Array, RegExp][] = [
      [bin([0x80, 2, 0xff]), /invalid opcode \(unknown opcode 0xff at byte 2\)/],
      [bin([0x80, 9]), /unsupported pickle protocol 9/],
      [bin([0x80, 2], 'h', [5], '.'), /memo key 5 was never stored/],
      [bin([0x80, 2], 'a.'), /stack underflow/],
      [bin([0x80, 2], 'K', [1], ')R.'), /cannot call int/],
      [bin([0x80, 4, 0x8e], [0, 0, 0, 0, 0, 1, 0, 0], '.'), /length 1099511627776 exceeds the 1 bytes left/],
      [bin([0x80, 2, 0x8b], [0xff, 0xff, 0xff, 0xff], '.'), /negative byte count -1/],
      [bin([0x80, 2], 'e.'), /no MARK on the stack/],
      [bin([0x80, 2], '}K', [1], 'a.'), /cannot append to dict/],
      [bin([0x80, 2], 'X', [2, 0, 0, 0], [0xc3, 0x28], '.'), /invalid UTF-8/],
      [bin([0x80, 2], 'ccollections\nOrderedDict\n)R]b.'), /state must be a dict/],
      [bin([0x80, 2], '(K', [1], 'i__main__\nX\n.'), /INST/],
      [bin([0x80, 2], 'K', [1], 'Q.'), /no persistentLoad was supplied/],
    ];
    for (const [bytes, pattern] of cases) {
      assert.throws(() => load(bytes), (e: Error) => e instanceof PickleError && pattern.test(e.message), String(pattern));
    }
  });

  it('decodes 100,000 nested lists without exhausting the JS stack', () => {
    const depth = 100_000;
    const bytes = bin([0x80, 2], ']'.repeat(depth), 'a'.repeat(depth - 1), '.');
    let v = load(bytes) as PyValue[];
    for (let d = 1; d < depth; d++) v = v[0] as PyValue[];
    assert.deepEqual(v, []);
    assert.throws(() => dumpPickle(load(bytes)), /nesting deeper than 1000 levels/);
  });

  it('decodes integers of every width (LONG1 / LONG4 / protocol-0 INT and LONG)', () => {
    assert.equal(load(bin([0x80, 2, 0x8a, 1, 0xff], '.')), -1);
    assert.equal(load(bin([0x80, 2, 0x8a, 0], '.')), 0);
    assert.equal(load(bin([0x80, 2, 0x8a, 8], [0, 0, 0, 0, 0, 0, 0, 0x80], '.')), -(2n ** 63n));
    assert.equal(load(bin([0x80, 2, 0x8a, 7], [1, 0, 0, 0, 0, 0, 0], '.')), 1);
    assert.equal(load(bin([0x8b], [9, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 1], '.')), 2n ** 64n);
    assert.equal(load(bin('I12345678901234567890\n.')), 12345678901234567890n);
    assert.equal(load(bin('L-5L\n.')), -5);
    assert.equal(load(bin('I01\n.')), true);
    assert.equal(load(bin('F-2.5e3\n.')), -2500);
  });
});

describe('protocol-2 array payloads (_codecs.encode of a latin-1 str)', () => {
  const latin1 = Array.from({ length: 3000 }, (_, i) => String.fromCharCode((i * 37) & 0xff)).join('');
  const utf8 = Buffer.from(latin1, 'utf8');
  const binunicode = (b: Uint8Array): number[] => [0x58, ...new Uint8Array(Uint32Array.of(b.length).buffer), ...b];
  const encodeCall = (tail: (string | number[])[]): Uint8Array => bin([0x80, 2], 'c_codecs\nencode\nq\x00', binunicode(utf8), ...tail);

  it('decodes straight to bytes and still answers GETs of the str and the argument tuple', () => {
    const bytes = encodeCall(['q\x01', binunicode(Buffer.from('latin1')), 'q\x02\x86q\x03Rq\x04', 'h\x01h\x03h\x04\x87.']);
    const [str, args, data] = load(bytes) as [string, PyTuple, Uint8Array];
    assert.equal(str, latin1);
    assert.deepEqual([...args], [latin1, 'latin1']);
    assert.ok(args instanceof PyTuple);
    assert.deepEqual(Buffer.from(data), Buffer.from(latin1, 'latin1'));
  });

  it('takes the ordinary path when the opcodes differ from the pattern, with the same results', () => {
    // 'utf-8' instead of 'latin1': encode must produce the UTF-8 bytes.
    const utf8Encoding = encodeCall([binunicode(Buffer.from('utf-8')), '\x86R.']);
    assert.deepEqual(Buffer.from(load(utf8Encoding) as Uint8Array), utf8);
    // The str is only pushed (no TUPLE2/REDUCE follows): it stays a str.
    const plain = encodeCall(['\x86.']);
    assert.deepEqual([...(load(plain) as PyTuple)].map((v) => (v instanceof PyGlobal ? v.pyClass : v)), ['_codecs.encode', latin1]);
    // A character beyond U+00FF: Python's encode fails, and so do we.
    const wide = bin([0x80, 2], 'c_codecs\nencode\n', binunicode(Buffer.from(`${latin1}\u0100`, 'utf8')), binunicode(Buffer.from('latin1')), '\x86R.');
    assert.throws(() => load(wide), /str is not encodable as latin-1/);
  });
});

describe('dumpPickle output details', () => {
  it('protocol 4 frames small opcodes and keeps large payloads outside frames', () => {
    const big = { dtype: 'uint8', shape: [100_000], data: new Uint8Array(100_000).fill(3) } as NdArray;
    const bytes = dumpPickle({ a: big, s: 'x'.repeat(10) }, { protocol: 4 });
    assert.equal(bytes[2], 0x95, 'first FRAME right after PROTO 4');
    const back = load(bytes) as PyDict;
    assert.deepEqual(canonical(back), canonical({ a: big, s: 'x'.repeat(10) }));
  });

  it('dumpPickleFile writes atomically to the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skagent-pickle-'));
    try {
      const path = join(dir, 'v.pkl');
      writeFileSync(path, 'old');
      dumpPickleFile(path, [1, 2], { protocol: 2 });
      assert.deepEqual(loadPickleFile(path, { globals: ANNOTATION_GLOBALS }), [1, 2]);
      assert.deepEqual(readdirSync(dir), ['v.pkl']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
