import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { clipGradNorm } from '../../src/torch/optim/index.js';
import { needPythonTorch, runPythonJson } from './python-torch.js';
import { vals } from './values.js';

function withGrad(values: number[], grad: number[] | null): torch.Tensor {
  const p = torch.tensor(values, { requiresGrad: true });
  if (grad) p.grad = torch.tensor(grad);
  return p;
}

function gradOf(p: torch.Tensor): number[] {
  const g = p.grad!;
  try { return vals(g); } finally { g.dispose(); }
}

test('clipGradNorm scales by maxNorm / (norm + 1e-6) when above the limit (3-4-5 case)', () => {
  const a = withGrad([0, 0], [3, 0]);
  const b = withGrad([0], [4]);
  const c = withGrad([0], null);
  const total = clipGradNorm([a, b, c], 1);
  assert.equal(total, 5);
  const coef = Math.fround(1 / Math.fround(5 + 1e-6));
  assert.ok(Math.abs(gradOf(a)[0] - 3 * coef) < 1e-6 && Math.abs(gradOf(b)[0] - 4 * coef) < 1e-6);
  assert.equal(c.grad, null);
});

test('clipGradNorm leaves gradients below the limit unchanged, and handles no gradients', () => {
  const a = withGrad([0, 0], [0.3, 0.4]);
  assert.ok(Math.abs(clipGradNorm([a], 10) - 0.5) < 1e-7);
  assert.deepEqual(gradOf(a), [Math.fround(0.3), Math.fround(0.4)]);
  assert.equal(clipGradNorm([withGrad([1], null)], 1), 0);
});

test('clipGradNorm with the inf and 1 norms', () => {
  const a = withGrad([0, 0], [-3, 1]);
  const b = withGrad([0], [2]);
  assert.equal(clipGradNorm([a, b], 100, Infinity), 3);
  assert.equal(clipGradNorm([a, b], 100, 1), 6);
});

test('clipGradNorm equals torch.nn.utils.clip_grad_norm_ exactly', { skip: needPythonTorch() }, () => {
  const ga = Array.from({ length: 6 }, (_, i) => Math.fround(Math.cos(i * 0.9) * 3));
  const gb = Array.from({ length: 4 }, (_, i) => Math.fround(Math.sin(i * 1.7) * 5));
  const expected = runPythonJson<{ total: number; a: number[]; b: number[] }[]>(`
cfg = json.load(sys.stdin)
out = []
for norm_type in cfg['norms']:
    a = torch.zeros(6, requires_grad=True); a.grad = torch.tensor(cfg['ga'])
    b = torch.zeros(4, requires_grad=True); b.grad = torch.tensor(cfg['gb'])
    t = torch.nn.utils.clip_grad_norm_([a, b], 1.5, float(norm_type))
    out.append({'total': t.item(), 'a': a.grad.tolist(), 'b': b.grad.tolist()})
print(json.dumps(out))
`, { ga, gb, norms: [2, 1, 3, 'inf'] });
  [2, 1, 3, Infinity].forEach((normType, i) => {
    const a = withGrad(new Array(6).fill(0), ga);
    const b = withGrad(new Array(4).fill(0), gb);
    assert.equal(clipGradNorm([a, b], 1.5, normType), expected[i].total, `norm ${normType}: total`);
    assert.deepEqual(gradOf(a), expected[i].a, `norm ${normType}: a.grad`);
    assert.deepEqual(gradOf(b), expected[i].b, `norm ${normType}: b.grad`);
  });
});
