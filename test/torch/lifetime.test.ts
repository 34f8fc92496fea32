/** Tensor lifetime (dispose, tidy, keep, the GC safety net), autograd state, and a missing libtorch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';
import { REPO_ROOT } from '../fixtures.js';
import { vals } from './values.js';

const live = (): number => torch.memoryStats().liveTensors;

test('use after dispose is an error that says the tensor was disposed', () => {
  const t = torch.ones([2]);
  const other = torch.ones([2]);
  t.dispose();
  assert.equal(t.isDisposed, true);
  assert.equal(t.toString(), 'Tensor(disposed)');
  assert.throws(() => t.add(1), /aten::add\.Scalar: argument 'self': tensor was disposed/);
  assert.throws(() => other.add(t), /aten::add\.Tensor: argument 'other': tensor was disposed/);
  assert.throws(() => torch.cat([other, t]), /aten::cat: argument 'tensors': list element: tensor was disposed/);
  assert.throws(() => t.dtype, /tensor was disposed/);
  assert.throws(() => t.dataSync(), /tensor was disposed/);
  t.dispose(); // a second dispose is harmless
  other.dispose();
});

test('tidy frees what fn created and keeps what it returns (arrays, objects, Maps), at any depth', () => {
  const before = live();
  const kept = torch.keep(torch.zeros([1]));
  const result = torch.tidy(() => {
    const a = torch.ones([2]);
    const b = a.add(1); // intermediate
    const c = b.mul(2);
    b.add(5); // unreferenced
    return { c, list: [a.neg()], map: new Map([['m', c.sum()]]), n: 3 };
  });
  assert.equal(live(), before + 4, 'kept, c, a.neg() and c.sum() survive; a, b and b.add(5) are freed');
  assert.deepEqual(vals(result.c), [4, 4]);
  assert.deepEqual(vals(result.list[0]), [-1, -1]);
  assert.equal(result.map.get('m')!.item(), 8);
  assert.equal(kept.isDisposed, false, 'kept tensors survive');
  for (const t of [result.c, result.list[0], result.map.get('m')!, kept]) t.dispose();
  assert.equal(live(), before);
});

test('nested tidy: returned tensors join the enclosing scope', () => {
  const before = live();
  let inner: Tensor | null = null;
  const outer = torch.tidy(() => {
    inner = torch.tidy(() => torch.ones([3]).mul(2));
    assert.equal(inner.isDisposed, false);
    return inner.sum();
  });
  assert.equal(inner!.isDisposed, true, 'the inner result is freed by the outer scope');
  assert.equal(outer.item(), 6);
  outer.dispose();
  assert.equal(live(), before);
});

test('tidy frees everything when fn throws, and refuses async functions', () => {
  const before = live();
  assert.throws(() => torch.tidy(() => { torch.ones([4]); throw new Error('boom'); }), /boom/);
  assert.equal(live(), before);
  assert.throws(() => torch.tidy((async () => torch.ones([1])) as unknown as () => Tensor), /fn must be synchronous/);
});

test('the grad getter returns a new reference each time; disposing it keeps the gradient', () => {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  x.mul(x).sum().backward();
  const g1 = x.grad!;
  g1.dispose();
  const g2 = x.grad!;
  assert.deepEqual(vals(g2), [2, 4]);
  g2.dispose();
  x.dispose();
});

test('autograd: leaves, accumulation, retainGraph, explicit gradients, detach and noGrad', () => {
  torch.tidy(() => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    assert.equal(x.isLeaf, true);
    const y = x.mul(x);
    assert.equal(y.isLeaf, false);
    assert.equal(y.requiresGrad, true);
    const s = y.sum();
    s.backward(undefined, { retainGraph: true });
    s.backward(); // accumulates
    assert.deepEqual(vals(x.grad!), [4, 8, 12]);
    x.grad = null;
    x.mul(x).backward(torch.tensor([1, 0, -1]));
    assert.deepEqual(vals(x.grad!), [2, 0, -6]);
    assert.equal(x.detach().requiresGrad, false);
    assert.equal(torch.noGrad(() => x.mul(2)).requiresGrad, false);
    const z = torch.ones([2]).requiresGrad_();
    assert.equal(z.requiresGrad, true);
    z.requiresGrad = false;
    assert.equal(z.requiresGrad, false);
    const w = torch.ones([2], { requiresGrad: true });
    w.grad = torch.tensor([5, 6]);
    assert.deepEqual(vals(w.grad!), [5, 6]);
  });
});

test('the GC safety net releases tensors whose wrappers were collected, and counts them', () => {
  // In a fresh process, so that garbage from other tests does not blur the count.
  const script = `
    const torch = await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'src', 'torch', 'index.js'))});
    (() => { for (let i = 0; i < 200; i++) torch.ones([8]); })();
    const created = torch.memoryStats().liveTensors;
    for (let round = 0; round < 50 && torch.memoryStats().liveTensors > 0; round++) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    console.log(JSON.stringify({ created, ...torch.memoryStats() }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    encoding: 'utf8', env: { ...process.env, SKAGENT_TRACK_LEAKS: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { created: 200, liveTensors: 0, releasedByGc: 200 });
  assert.match(r.stderr, /released by the GC safety net \(1 so far\): dispose it or use tidy\(\)/);
});

test('a missing libtorch build gives the TorchUnavailableError message, not a crash', () => {
  const script = `import(${JSON.stringify(join(REPO_ROOT, 'dist', 'src', 'torch', 'index.js'))}).then((torch) => torch.zeros([1]));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8', env: { ...process.env, SKAGENT_NATIVE_ADDON: '/nonexistent/skagent_torch.node' },
  });
  assert.equal(r.signal, null, 'no crash');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /TorchUnavailableError: libtorch is not available, so tensors cannot be used\.\n {2}the native addon was not built \(\/nonexistent\/skagent_torch\.node is missing\)\.\n {2}Install libtorch and rebuild the bridge:/);
  const check = spawnSync(process.execPath, ['--input-type=module', '-e', script.replace('torch.zeros([1])', 'console.log(torch.torchAvailable())')], {
    encoding: 'utf8', env: { ...process.env, SKAGENT_NATIVE_ADDON: '/nonexistent/skagent_torch.node' },
  });
  assert.equal(check.stdout.trim(), 'false', 'torchAvailable() reports it without throwing');
});

test('a broken addon file gives the TorchUnavailableError message too', () => {
  const broken = join(mkdtempSync(join(tmpdir(), 'skagent-addon-')), 'skagent_torch.node');
  writeFileSync(broken, 'not a shared library');
  const script = `import(${JSON.stringify(join(REPO_ROOT, 'dist', 'src', 'torch', 'index.js'))}).then((torch) => torch.zeros([1]));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8', env: { ...process.env, SKAGENT_NATIVE_ADDON: broken },
  });
  assert.equal(r.signal, null);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /TorchUnavailableError: libtorch is not available[^]*loading .*skagent_torch\.node failed: .*(file too short|invalid ELF header)/);
});
