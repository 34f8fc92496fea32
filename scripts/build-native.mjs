#!/usr/bin/env node
// Builds the libtorch bridge (native/) with node-gyp at install time.
// libtorch is found through $LIBTORCH (an unpacked libtorch folder, or a PyTorch install's
// torch/ folder) or the system install (Debian/Ubuntu: apt-get install libtorch-dev).
// Without libtorch the install still succeeds (the data tools work without it) and prints one
// clear message; set SKAGENT_REQUIRE_NATIVE=1 to make that an error (CI does).
// The compiler's output goes to native/build-native.log: the install prints one line when the
// build succeeds and the end of the log when it fails (SKAGENT_BUILD_VERBOSE=1 streams it).
// An addon already built from the same sources against the same libtorch and Node ABI is kept
// (`npx skagent` links this folder and runs its install script again); --force rebuilds.
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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

// c10d's Gloo process group needs Gloo's headers, which libtorch does not ship (Debian:
// libgloo-dev). Without them the bridge builds with the c10d Gloo backend unavailable.
const gloo = [torch.include, '/usr/include', '/usr/local/include'].some((d) => existsSync(join(d, 'gloo/algorithm.h')))
  && existsSync(join(torch.include, 'torch/csrc/distributed/c10d/ProcessGroupGloo.hpp'));
if (!gloo) {
  process.stderr.write('skeletonagent: Gloo headers not found (Debian/Ubuntu: apt-get install libgloo-dev); ' +
    'building without the c10d Gloo backend, so multi-process CPU training (--nproc-per-node) is unavailable.\n');
}
const env = { ...process.env, SKAGENT_TORCH_INCLUDE: torch.include, SKAGENT_TORCH_LIB: torch.lib, SKAGENT_TORCH_CUDA: torch.cuda ? '1' : '0', SKAGENT_TORCH_GLOO: gloo ? '1' : '0' };
const jobs = process.env.JOBS ?? '2';
// Use the headers of the running Node when they are installed locally (no download needed).
const nodePrefix = resolve(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir ?? (existsSync(join(nodePrefix, 'include/node/node_api.h')) ? nodePrefix : null);
const gypArgs = [nodeGyp, 'rebuild', `--jobs=${jobs}`, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const addonPath = join(nativeDir, 'build', 'Release', 'skagent_torch.node');
const stampPath = join(nativeDir, 'build', 'skagent-build.json');
const stamp = JSON.stringify({ include: torch.include, lib: torch.lib, cuda: torch.cuda, gloo, nodeAbi: process.versions.modules });

/** The addon exists, was built with these settings, and is newer than every source of the build. */
function upToDate() {
  if (process.argv.includes('--force') || !existsSync(addonPath) || !existsSync(stampPath)) return false;
  if (readFileSync(stampPath, 'utf8') !== stamp) return false;
  const srcDir = join(nativeDir, 'src');
  const fallbackDir = join(nativeDir, 'include-fallback');
  const headers = readdirSync(fallbackDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
  const inputs = [join(nativeDir, 'binding.gyp'), fileURLToPath(import.meta.url), ...readdirSync(srcDir).map((f) => join(srcDir, f)), ...headers];
  const built = statSync(addonPath).mtimeMs;
  return inputs.every((f) => statSync(f).mtimeMs <= built);
}

if (upToDate()) {
  process.stderr.write('skeletonagent: libtorch bridge up to date (native/build/Release/skagent_torch.node); `npm run build:native` rebuilds it\n');
  process.exit(0);
}

const logPath = join(nativeDir, 'build-native.log');
const verbose = process.env.SKAGENT_BUILD_VERBOSE === '1';
process.stderr.write(`skeletonagent: building the libtorch bridge (native/) against ${torch.lib}${torch.cuda ? ' (CUDA, c10d NCCL)' : ''}${gloo ? ' (c10d Gloo)' : ''}; ` +
  `this takes a few minutes${verbose ? '' : `, log: ${logPath}`}\n`);
const started = Date.now();
const log = verbose ? null : openSync(logPath, 'w');
const r = spawnSync(process.execPath, gypArgs, { cwd: nativeDir, stdio: log === null ? 'inherit' : ['ignore', log, log], env });
if (log !== null) closeSync(log);
if (r.status !== 0) {
  if (log !== null) {
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n');
    const shown = lines.slice(-150);
    process.stderr.write(`${lines.length > shown.length ? `... (${lines.length - shown.length} earlier lines in ${logPath})\n` : ''}${shown.join('\n')}\n`);
  }
  fail(`building the native addon against libtorch (${torch.include}, ${torch.lib}) failed; the compiler output is above${log !== null ? ` (whole log: ${logPath})` : ''}.`);
}
writeFileSync(stampPath, stamp);
process.stderr.write(`skeletonagent: libtorch bridge built in ${Math.round((Date.now() - started) / 1000)} s (native/build/Release/skagent_torch.node)\n`);
