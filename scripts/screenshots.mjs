#!/usr/bin/env node
// Screenshots of every view of `skagent view` for docs/img: starts the viewer's server over the
// given paths, opens each tab in headless Chromium (/usr/bin/chromium or $CHROMIUM) and saves
// docs/img/view-<tab>.png. Needs a build (npm run build). Usage:
//   node scripts/screenshots.mjs work_dirs/demo [more paths...] [--out docs/img] [--config quick/j]
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { ViewServer } from '../dist/src/viewer/server.js';
import { CHROMIUM, CHROMIUM_FLAGS } from '../dist/src/viewer/chromium.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, config: { type: 'string' } } });
const out = values.out ?? new URL('../docs/img/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const server = new ViewServer({ paths: positionals });
const base = await server.listen();
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS] });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const errors = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(e.message));
const settle = () => page.waitForTimeout(900);
for (const tab of ['runs', 'results', 'data', 'agent', 'live']) {
  await page.goto(`${base}#${tab}`);
  await page.waitForFunction((t) => document.body.dataset.ready === t, tab);
  if (tab === 'results') {
    const cell = await page.$('#confusion td.hit:not([data-t="0"])');
    await cell?.click();
  }
  if (tab === 'data' && values.config) {
    await page.selectOption('#config-select', values.config);
    await page.waitForSelector('#skeleton-pipeline');
  }
  if (tab === 'live' && await page.$('#live-run')) {
    // The first model under the paths on a synthetic action (the demo's exports after skagent demo).
    await page.click('#live-run');
    await page.waitForFunction(() => document.getElementById('view-live')?.dataset.recognized !== undefined, undefined, { timeout: 180_000 });
  }
  await settle();
  await page.screenshot({ path: `${out}/view-${tab}.png`, fullPage: tab !== 'results' && tab !== 'agent' });
  console.log(`${out}/view-${tab}.png`);
}
await browser.close();
await server.close();
if (errors.length) { console.error(errors.join('\n')); process.exit(1); }
