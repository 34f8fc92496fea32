/**
 * The numeric building blocks against their references: half conversion against io/float16,
 * the emulated FMA against exact rational arithmetic, numpy's sin/cos (SVML on AVX-512) and
 * float16 sums against numpy itself.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { toHalf } from '../../src/io/float16.js';
import { floatToHalfBits, halfTable } from '../../src/transforms/array/half.js';
import { fma } from '../../src/math/exact.js';
import { numpyCos, numpySin } from '../../src/transforms/array/numpy-math.js';
import { numpySum } from '../../src/transforms/array/reduce.js';
import { NumpyRandomState } from '../../src/rng/index.js';
import { needPython, runPythonJson } from './python.js';

test('floatToHalfBits equals the reference conversion on float32 values, including subnormals and ties', () => {
  const rng = new NumpyRandomState(3);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < 200000; i++) {
    u32[0] = rng.randint(2 ** 32); // every kind of float32 bit pattern
    const x = f32[0];
    if (Number.isNaN(x)) continue;
    assert.equal(floatToHalfBits(x), toHalf(x), `bits 0x${u32[0].toString(16)}`);
  }
  for (let h = 0; h < 65536; h++) {
    const v = halfTable()[h];
    if (!Number.isNaN(v)) assert.equal(floatToHalfBits(v), h, `round trip of 0x${h.toString(16)}`);
  }
  assert.equal(floatToHalfBits(NaN), 0x7e00);
  assert.equal(floatToHalfBits(65520), 0x7c00, 'rounds to infinity');
  assert.equal(floatToHalfBits(-(2 ** -25)), 0x8000, 'a tie at the smallest subnormal rounds to even (zero)');
});

test('emulated fma is correctly rounded (checked with exact rational arithmetic)', { skip: needPython() }, () => {
  const rng = new NumpyRandomState(5);
  const triples: number[][] = [];
  for (let i = 0; i < 3000; i++) {
    const a = (rng.rand() - 0.5) * 2 ** rng.randint(-30, 30);
    const b = (rng.rand() - 0.5) * 2 ** rng.randint(-30, 30);
    // c close to -a*b makes the cancellation (and the low parts) matter
    const c = i % 2 ? -a * b * (1 + (rng.rand() - 0.5) * 2 ** -40) : (rng.rand() - 0.5) * 2 ** rng.randint(-60, 30);
    triples.push([a, b, c]);
  }
  triples.push([0.1, 10, -1], [1 + 2 ** -52, 1 - 2 ** -52, -1], [-0, 3, -0], [2 ** 500, 2 ** -600, 1]);
  const expected = runPythonJson<number[]>(
    'import json,sys\nfrom fractions import Fraction as F\nprint(json.dumps([float(F(a)*F(b)+F(c)) for a,b,c in json.load(sys.stdin)]))',
    triples,
  );
  triples.forEach(([a, b, c], i) => assert.ok(Object.is(fma(a, b, c), expected[i]) || (expected[i] === 0 && fma(a, b, c) === 0), `fma(${a}, ${b}, ${c})`));
  assert.ok(Object.is(fma(-0, 3, -0), -0));
});

test("numpy's float64 sin/cos (SVML kernels on AVX-512) bit for bit", { skip: needPython() }, (t) => {
  const probe = runPythonJson<{ svml: boolean }>(
    "import json\nfrom numpy.core._multiarray_umath import __cpu_features__ as f\nprint(json.dumps({'svml': bool(f.get('AVX512_SKX'))}))",
    null,
  );
  if (!probe.svml) {
    t.skip('this CPU has no AVX-512, so numpy uses libm instead of SVML: nothing to compare bit for bit');
    return;
  }
  const rng = new NumpyRandomState(8);
  const xs = [...Array.from({ length: 4000 }, () => rng.uniform(-0.3, 0.3)), ...Array.from({ length: 2000 }, () => rng.uniform(-20, 20)),
    ...Array.from({ length: 500 }, () => rng.uniform(-1e6, 1e6)), 0, 1e-9, -5e-9, 1e-300, Math.PI, -Math.PI / 2, 7.450580596923828e-9];
  const expected = runPythonJson<{ sin: number[]; cos: number[] }>(
    "import json,sys\nimport numpy as np\nx=np.array(json.load(sys.stdin))\nprint(json.dumps({'sin':np.sin(x).tolist(),'cos':np.cos(x).tolist()}))",
    xs,
  );
  xs.forEach((x, i) => {
    assert.ok(Object.is(numpySin(x), expected.sin[i]), `sin(${x}): ${numpySin(x)} vs ${expected.sin[i]}`);
    assert.ok(Object.is(numpyCos(x), expected.cos[i]), `cos(${x}): ${numpyCos(x)} vs ${expected.cos[i]}`);
  });
  assert.ok(Object.is(numpySin(-0), -0), 'sin(-0) = -0 (JSON cannot carry -0 to Python)');
  assert.equal(numpyCos(-0), 1);
});

test("float16 and float32 array sums round like numpy's pairwise add.reduce", { skip: needPython() }, () => {
  const rng = new NumpyRandomState(11);
  const sizes = [1, 5, 8, 17, 100, 129, 1000, 9000, 20000];
  const arrays = sizes.map((n) => Array.from({ length: n }, () => (rng.rand() - 0.3) * 2 ** rng.randint(-8, 1)));
  const expected = runPythonJson<{ h: number; f: number }[]>(
    "import json,sys\nimport numpy as np\nout=[]\nfor a in json.load(sys.stdin):\n  out.append({'h': float(np.array(a,dtype=np.float16).sum()), 'f': float(np.array(a,dtype=np.float32).sum())})\nprint(json.dumps(out))",
    arrays,
  );
  arrays.forEach((a, i) => {
    const half = { dtype: 'float16' as const, shape: [a.length], data: Uint16Array.from(a, (x) => floatToHalfBits(x)) };
    const single = { dtype: 'float32' as const, shape: [a.length], data: Float32Array.from(a) };
    assert.equal(numpySum(half), expected[i].h, `float16 sum of ${a.length}`);
    assert.equal(numpySum(single), expected[i].f, `float32 sum of ${a.length}`);
  });
});
