#!/usr/bin/env node
// Builds the libtorch bridge (native/) with node-gyp at install time.
// libtorch is found through $LIBTORCH (an unpacked libtorch folder, or a PyTorch install's
// torch/ folder) or the system install (Debian/Ubuntu: apt-get install libtorch-dev).
// Without libtorch the install still succeeds (the data tools work without it) and prints one
// clear message; set SKAGENT_REQUIRE_NATIVE=1 to make that an error (CI does).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const require = createRequire(import.meta.url);

export function findLibtorch() {
  const candidates = [];
  if (process.env.LIBTORCH) candidates.push({ include: join(process.env.LIBTORCH, 'include'), lib: join(process.env.LIBTORCH, 'lib') });
  candidates.push({ include: '/usr/include', lib: '/usr/lib/x86_64-linux-gnu' }, { include: '/usr/include', lib: '/usr/lib/aarch64-linux-gnu' });
  for (const c of candidates) {
    if (existsSync(join(c.include, 'ATen/core/dispatch/Dispatcher.h')) && existsSync(join(c.include, 'torch/csrc/api/include/torch/torch.h'))
      && (existsSync(join(c.lib, 'libtorch.so')) || existsSync(join(c.lib, 'libtorch.dylib')))) {
      return { ...c, cuda: existsSync(join(c.lib, 'libtorch_cuda.so')) };
    }
  }
  return null;
}

function fail(message) {
  const required = process.env.SKAGENT_REQUIRE_NATIVE === '1';
  const banner = '='.repeat(78);
  process.stderr.write(`\n${banner}\nskeletonagent: ${message}\n${required ? 'SKAGENT_REQUIRE_NATIVE=1: failing the install.' : 'The data tools work without it; the model, training and checkpoints need it.'}\n${banner}\n\n`);
  process.exit(required ? 1 : 0);
}

const torch = findLibtorch();
if (!torch) {
  fail('libtorch was not found, so the tensor engine (native addon) was not built.\n' +
    'Install it, then run `npm run build:native`:\n' +
    '  Debian/Ubuntu: sudo apt-get install libtorch-dev\n' +
    '  elsewhere:     export LIBTORCH=/path/to/libtorch   (folder with include/ and lib/)');
}

const nodeGyp = (() => {
  try { return require.resolve('node-gyp/bin/node-gyp.js'); } catch { /* fall through */ }
  const bundled = join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  return existsSync(bundled) ? bundled : null;
})();
if (!nodeGyp) fail('node-gyp was not found (it ships with npm); cannot build the native addon.');

const env = { ...process.env, SKAGENT_TORCH_INCLUDE: torch.include, SKAGENT_TORCH_LIB: torch.lib, SKAGENT_TORCH_CUDA: torch.cuda ? '1' : '0' };
const jobs = process.env.JOBS ?? '2';
// Use the headers of the running Node when they are installed locally (no download needed).
const nodePrefix = resolve(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir ?? (existsSync(join(nodePrefix, 'include/node/node_api.h')) ? nodePrefix : null);
const gypArgs = [nodeGyp, 'rebuild', `--jobs=${jobs}`, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(process.execPath, gypArgs, { cwd: nativeDir, stdio: 'inherit', env });
if (r.status !== 0) fail(`building the native addon against libtorch (${torch.include}, ${torch.lib}) failed; see the compiler output above.`);
