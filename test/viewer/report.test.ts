/** `skagent report`: the file opens offline in Chromium and shows the same data; the figures are written. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { evaluateScores } from '../../src/engine/metrics.js';
import { readLabelsNpy, readScoresNpy } from '../../src/engine/results.js';
import { makeFixture, type ViewerFixture } from './fixture.js';
import { HAVE_CHROMIUM, NO_CHROMIUM, launch, openPage } from './browser.js';
import { buildWebOnce } from './build-web.js';
import { svgSize, svgToPng } from '../../src/viewer/png.js';

const BIN = new URL('../../../bin/skagent.js', import.meta.url).pathname;
let fx: ViewerFixture;
let out: string;
let browser: Browser | null = null;

before(async () => {
  buildWebOnce();
  fx = makeFixture();
  out = join(fx.root, 'out', 'report.html');
  if (HAVE_CHROMIUM) browser = await launch();
});
after(async () => {
  await browser?.close();
  rmSync(fx.root, { recursive: true, force: true });
});

test('skagent report writes the HTML file and SVG figures', () => {
  // PNGs are checked on one figure below: a Chromium start per figure is slow on a small machine.
  const r = spawnSync(process.execPath, [BIN, 'report', fx.root, '--out', out, '--no-png'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /1 run\(s\), 4 result\(s\)/);
  const figures = readdirSync(join(fx.root, 'out', 'report_figures')).sort();
  const svgs = figures.filter((f) => f.endsWith('.svg'));
  assert.deepEqual(svgs.filter((f) => !f.startsWith('confusion_') && !f.startsWith('per_class_')), ['learning_rate.svg', 'loss.svg', 'train_accuracy.svg', 'validation.svg']);
  assert.equal(svgs.filter((f) => f.startsWith('confusion_')).length, 4);
  for (const f of svgs) assert.match(readFileSync(join(fx.root, 'out', 'report_figures', f), 'utf8'), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
  // The confusion figure holds every non-zero count of the matrix (cell titles).
  const e = evaluateScores(readScoresNpy(join(fx.resultDir, 'scores.npy')), readLabelsNpy(join(fx.resultDir, 'labels.npy')));
  const svg = readFileSync(join(fx.root, 'out', 'report_figures', svgs.find((f) => f.includes('j_test'))!), 'utf8');
  const counts = [...svg.matchAll(/<title>[^<]*: (\d+)<\/title>/g)].map((m) => Number(m[1]));
  assert.deepEqual(counts, e.confusionMatrix.flat());
  assert.deepEqual(figures.filter((f) => f.endsWith('.png')), []);
  const usage = spawnSync(process.execPath, [BIN, 'report'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
});

test('a figure renders to PNG at twice its SVG size', { skip: NO_CHROMIUM }, async () => {
  const svgPath = join(fx.root, 'out', 'report_figures', 'loss.svg');
  const size = svgSize(readFileSync(svgPath, 'utf8'));
  await svgToPng(svgPath, join(fx.root, 'out', 'loss.png'), size);
  const png = readFileSync(join(fx.root, 'out', 'loss.png'));
  assert.equal(png.subarray(0, 8).toString('latin1'), '\x89PNG\r\n\x1a\n');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [2 * size.width, 2 * size.height]);
});

test('the report opens offline: no request leaves the file, same curves and confusion matrix', { skip: NO_CHROMIUM }, async () => {
  assert.ok(existsSync(out), 'the previous test writes the report');
  const w = await openPage(browser!);
  const outside: string[] = [];
  await w.page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await w.page.goto(pathToFileURL(out).href + '#runs');
  await w.page.waitForFunction(() => document.body.dataset.ready === 'runs');
  const train = fx.events.filter((e) => e.mode === 'train');
  const data = await w.page.evaluate(() => (document.getElementById('chart-loss') as HTMLElement & { chart: { data: unknown } }).chart.data);
  assert.deepEqual(data, [train.map((e) => e.iter), train.map((e) => e.loss)]);
  await w.page.click('#tab-results');
  await w.page.waitForFunction(() => document.body.dataset.ready === 'results');
  await w.page.selectOption('#result-select', 'result:0:j/test');
  await w.page.waitForFunction(() => document.querySelector('#result-summary')?.textContent?.includes('quick/j'));
  const shown = await w.page.$$eval('#confusion tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.dataset.count))));
  const e = evaluateScores(readScoresNpy(join(fx.resultDir, 'scores.npy')), readLabelsNpy(join(fx.resultDir, 'labels.npy')));
  assert.deepEqual(shown, e.confusionMatrix);
  assert.deepEqual(outside, []);
  assert.deepEqual(w.requests.filter((u) => !u.startsWith('file:')), []);
  assert.deepEqual(w.errors, []);
});
