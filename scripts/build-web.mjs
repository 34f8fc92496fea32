#!/usr/bin/env node
// Bundles the viewer's page (web/) with esbuild into dist/web: app.js, app.css, index.html.
// Part of `npm run build` / `prepare`, so a clean clone serves it offline; takes well under a second.
// `--check` also type-checks web/ (tsc with the DOM library) first.
import { copyFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
if (process.argv.includes('--check')) {
  const r = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}web/tsconfig.json`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
mkdirSync(`${root}dist/web`, { recursive: true });
await build({
  entryPoints: { app: `${root}web/app.ts` },
  bundle: true, format: 'esm', minify: true, sourcemap: false, target: 'es2022',
  outdir: `${root}dist/web`, logLevel: 'warning', legalComments: 'none',
});
copyFileSync(`${root}web/index.html`, `${root}dist/web/index.html`);
