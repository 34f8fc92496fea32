/**
 * Debian's system Python (numpy 1.24, torch 1.13) as the reference reader/writer for pickle and
 * checkpoint cross-checks. Tests that need it skip, loudly, when it (or a module) is missing.
 *
 * `PY_CANONICAL` defines `canon(obj)`: the same type-tagged JSON form that canonical.ts computes
 * for decoded TypeScript values, so one deepStrictEqual compares what Python and we read.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = process.env.SKAGENT_PYTHON ?? '/usr/bin/python3';

const probed = new Map<string, boolean>();

/** A `skip` option for node:test: false when PYTHON can import every module, else a loud reason. */
export function needPython(...modules: string[]): string | false {
  const key = modules.join(',');
  let ok = probed.get(key);
  if (ok === undefined) {
    ok = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${modules.join(', ') || 'sys'}`]).status === 0;
    probed.set(key, ok);
  }
  if (ok) return false;
  const msg = `SKIPPED: ${PYTHON} with ${modules.join(' and ')} not found (set SKAGENT_PYTHON)`;
  console.warn(`\n*** ${msg} ***\n`);
  return msg;
}

/** Runs a script (with `canon` defined) and returns its stdout parsed as JSON. */
export function runPythonJson<T>(script: string, args: string[] = []): T {
  const r = spawnSync(PYTHON, ['-c', `${PY_CANONICAL}\n${script}`, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export const PY_CANONICAL = String.raw`
import collections, hashlib, json, math, sys
def _num(x):
    if isinstance(x, float):
        if math.isnan(x): return {'t': 'float', 'v': 'nan'}
        if math.isinf(x): return {'t': 'float', 'v': 'inf' if x > 0 else '-inf'}
        if x == int(x) and abs(x) <= 2**53 and not (x == 0 and math.copysign(1, x) < 0): return int(x)
        if x == 0: return {'t': 'float', 'v': '-0'}
        return x
    if -2**53 + 1 <= x <= 2**53 - 1: return x
    return {'t': 'bigint', 'v': str(x)}
def _array(dtype, shape, data):
    return {'t': 'ndarray', 'dtype': dtype, 'shape': list(shape), 'sha256': hashlib.sha256(data).hexdigest()}
def canon(o):
    import numpy as np
    if isinstance(o, (np.ndarray, np.generic)):  # before float: np.float64 is a float subclass
        a = np.array(o, order='C')  # keeps 0-d (ascontiguousarray would make it 1-d)
        return _array(str(a.dtype), a.shape, a.tobytes())
    if o is None or isinstance(o, (bool, str)): return o
    if isinstance(o, (int, float)): return _num(o)
    if isinstance(o, (bytes, bytearray)): return {'t': 'bytes', 'hex': bytes(o).hex()}
    if isinstance(o, tuple): return {'t': 'tuple', 'items': [canon(x) for x in o]}
    if isinstance(o, list): return {'t': 'list', 'items': [canon(x) for x in o]}
    if isinstance(o, (set, frozenset)): return {'t': 'set', 'items': sorted(json.dumps(canon(x), sort_keys=True, separators=(',', ':'), ensure_ascii=False) for x in o)}
    if isinstance(o, dict):
        d = {'t': 'dict', 'ordered': type(o) is collections.OrderedDict, 'items': [[canon(k), canon(v)] for k, v in o.items()]}
        attrs = getattr(o, '__dict__', None)
        if attrs: d['attrs'] = canon(dict(attrs))
        return d
    if 'torch' in sys.modules:
        import torch
        if isinstance(o, torch.Tensor):
            t = o.detach().contiguous()
            data = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
            return {'t': 'tensor', 'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'sha256': hashlib.sha256(data).hexdigest(),
                    'requires_grad': o.requires_grad, 'parameter': isinstance(o, torch.nn.Parameter)}
        if isinstance(o, torch.device): return {'t': 'object', 'class': 'torch.device', 'repr': str(o)}
    raise TypeError('canon: unsupported %r' % type(o))
`;
