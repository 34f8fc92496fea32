#!/usr/bin/env node
// Bundles the viewer's page (web/) with esbuild into dist/web: app.js, app.css, index.html.
// Part of `npm run build` / `prepare`, so a clean clone serves it offline; takes well under a second.
// `--check` also type-checks web/ (tsc with the DOM library) first.
import { copyFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
/** What onnxruntime-web's default build loads for the wasm execution provider. */
const WASM = ['ort-wasm-simd-threaded.jsep.wasm'];
if (process.argv.includes('--check')) {
  const r = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}web/tsconfig.json`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
mkdirSync(`${root}dist/web`, { recursive: true });
await build({
  entryPoints: { app: `${root}web/app.ts` },
  external: ['/assets/*'],
  bundle: true, format: 'esm', minify: true, sourcemap: false, target: 'es2022',
  outdir: `${root}dist/web`, logLevel: 'warning', legalComments: 'none',
});
// The Live view's recogniser: its own file (loaded when the Live tab opens), with ONNX Runtime's
// WebAssembly next to it.
await build({
  entryPoints: { 'live-runtime': `${root}web/live-runtime.ts` },
  bundle: true, format: 'esm', minify: true, sourcemap: false, target: 'es2022', platform: 'browser',
  outdir: `${root}dist/web`, logLevel: 'warning', legalComments: 'none',
});
for (const wasm of WASM) copyFileSync(`${root}node_modules/onnxruntime-web/dist/${wasm}`, `${root}dist/web/${wasm}`);
copyFileSync(`${root}web/index.html`, `${root}dist/web/index.html`);
