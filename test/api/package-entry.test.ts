/**
 * The package's public entry point: imported by its name ('skeletonagent', through package.json
 * "exports", as a dependent would), with type declarations next to it, and the README's library
 * example run as written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../fixtures.js';
import { torchAvailable } from '../../src/torch/index.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

/** The README's ```js block under "## As a library". */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## As a library'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README has a ```js example under "## As a library"');
  return m[1];
}

test('package.json names an entry point and its types that exist', () => {
  assert.equal(pkg.exports['.'].import, './dist/src/index.js');
  assert.equal(pkg.exports['.'].types, './dist/src/index.d.ts');
  assert.equal(pkg.main, 'dist/src/index.js');
  for (const f of [pkg.exports['.'].import, pkg.exports['.'].types]) assert.ok(existsSync(join(REPO_ROOT, f)), `${f} is built`);
});

test("import 'skeletonagent' by name: the public surface loads without touching libtorch", async () => {
  // A module inside the package resolves its own name through "exports" (self-reference), as a dependent's import would.
  const probe = join(REPO_ROOT, 'dist', 'test', 'api', 'probe-import.mjs');
  writeFileSync(probe, `import * as api from 'skeletonagent';\nconsole.log(JSON.stringify(Object.keys(api).sort()));\n`);
  try {
    const r = spawnSync(process.execPath, [probe], { encoding: 'utf8', env: { ...process.env, SKAGENT_NATIVE_ADDON: '/nonexistent/skagent_torch.node' } });
    assert.equal(r.status, 0, r.stderr);
    const names: string[] = JSON.parse(r.stdout);
    for (const name of ['loadConfig', 'writeSynthetic', 'setUpRun', 'train', 'runTest', 'evaluateScores', 'fuseScores', 'PoseDataset', 'RunLogger', 'torch']) {
      assert.ok(names.includes(name), `the entry point exports ${name}`);
    }
  } finally {
    rmSync(probe, { force: true });
  }
  const types = readFileSync(join(REPO_ROOT, pkg.exports['.'].types), 'utf8');
  assert.match(types, /export \{ setUpRun/);
});

test("the README's library example runs as written: trains, tests and prints the top-1", { skip: torchAvailable() ? false : 'libtorch bridge not built' }, () => {
  const work = mkdtempSync(join(tmpdir(), 'skagent-readme-'));
  // Inside the package folder so that 'skeletonagent' resolves to this checkout; cwd is a fresh folder.
  const script = join(REPO_ROOT, 'dist', 'test', 'api', `readme-example-${process.pid}.mjs`);
  writeFileSync(script, readmeExample());
  try {
    const r = spawnSync(process.execPath, [script], { cwd: work, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^top-1 \d+\.\d% over \d+ samples$/m);
    assert.ok(existsSync(join(work, 'work_dirs', 'example', 'epoch_1.pth')));
    assert.ok(existsSync(join(work, 'work_dirs', 'example', 'test', 'scores.npy')));
  } finally {
    rmSync(script, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
