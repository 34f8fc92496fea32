/** The viewer's page in headless Chromium, over the tiny fixture folder and a real loopback server. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { evaluateScores } from '../../src/engine/metrics.js';
import { readLabelsNpy, readScoresNpy } from '../../src/engine/results.js';
import type { ViewerFixture } from './fixture.js';
import { NO_CHROMIUM, openPage, startViewer, type ViewerSession, type WatchedPage } from './browser.js';

let session: ViewerSession;
let fx: ViewerFixture;
let base: string;
let w: WatchedPage;

before(async () => {
  if (NO_CHROMIUM) return;
  session = await startViewer();
  ({ fx, base } = session);
  w = await openPage(session.browser);
});
after(async () => {
  if (NO_CHROMIUM) return;
  await session.close();
});

async function tab(page: Page, name: string): Promise<void> {
  await page.goto(`${base}#${name}`);
  await page.waitForFunction((t) => document.body.dataset.ready === t, name);
}

type Chart = HTMLElement & { chart: { data: (number | null)[][] } };
const chartData = (page: Page, id: string) => page.evaluate((i) => (document.getElementById(i) as Chart).chart.data, id);

test('Runs: the curves hold the log values and grow while the run writes', { skip: NO_CHROMIUM }, async () => {
  await tab(w.page, 'runs');
  const train = fx.events.filter((e) => e.mode === 'train');
  const val = fx.events.filter((e) => e.mode === 'val');
  assert.deepEqual(await chartData(w.page, 'chart-loss'), [train.map((e) => e.iter), train.map((e) => e.loss)]);
  assert.deepEqual(await chartData(w.page, 'chart-lr'), [train.map((e) => e.iter), train.map((e) => e.lr)]);
  assert.deepEqual(await chartData(w.page, 'chart-acc'), [train.map((e) => e.iter), train.map((e) => e.top1_acc), train.map((e) => e.top5_acc)]);
  assert.deepEqual(await chartData(w.page, 'chart-val'), [val.map((e) => e.epoch), val.map((e) => e.top1_acc), val.map((e) => e.top5_acc), val.map((e) => e.mean_class_accuracy)]);
  appendFileSync(join(fx.runDir, '20260101_000000.log.json'), JSON.stringify({ mode: 'train', epoch: 4, iter: 7, lr: 0.001, loss: 0.5, top1_acc: 0.9, top5_acc: 1 }) + '\n{"mode":"tr');
  await w.page.waitForFunction(() => (document.getElementById('chart-loss') as Chart | null)?.chart.data[0].includes(7), undefined, { timeout: 10000 });
  assert.deepEqual((await chartData(w.page, 'chart-loss'))[1].at(-1), 0.5);
  assert.match(await w.page.textContent('#run-status') ?? '', /incomplete last line/);
  // A run that starts while the page is open appears, and can be overlaid.
  mkdirSync(join(fx.root, 'k'));
  writeFileSync(join(fx.root, 'k', '20260102_000000.log.json'), JSON.stringify({ mode: 'train', epoch: 1, iter: 1, lr: 0.1, loss: 2.5, top1_acc: 0, top5_acc: 0.5 }) + '\n');
  await w.page.waitForSelector('input[value="run:0:k"]', { timeout: 10000 });
  await w.page.check('input[value="run:0:k"]');
  await w.page.waitForFunction(() => (document.getElementById('chart-loss') as Chart | null)?.chart.data.length === 3);
  const overlaid = await chartData(w.page, 'chart-loss');
  assert.deepEqual(overlaid[0], [...train.map((e) => e.iter), 7]);
  assert.deepEqual(overlaid[2], [2.5, ...train.slice(1).map(() => null), null]);
  assert.deepEqual(w.errors, []);
});

test('Results: the confusion matrix equals the one from scores.npy and labels.npy; a cell lists its samples', { skip: NO_CHROMIUM }, async () => {
  await tab(w.page, 'results');
  await w.page.selectOption('#result-select', 'result:0:j/test');
  await w.page.waitForFunction(() => document.querySelector('#result-summary')?.textContent?.includes('quick/j'));
  const shown = await w.page.$$eval('#confusion tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.dataset.count))));
  const e = evaluateScores(readScoresNpy(join(fx.resultDir, 'scores.npy')), readLabelsNpy(join(fx.resultDir, 'labels.npy')));
  assert.deepEqual(shown, e.confusionMatrix);
  const [t, p] = [0, 1, 2, 3].flatMap((a) => [0, 1, 2, 3].map((b) => [a, b])).find(([a, b]) => e.confusionMatrix[a][b] > 0)!;
  await w.page.click(`#confusion td[data-t="${t}"][data-p="${p}"]`);
  assert.equal(await w.page.$$eval('#cell-samples li', (li) => li.length), e.confusionMatrix[t][p]);
  assert.equal(await w.page.$$eval('#per-class tr', (tr) => tr.length), 1 + e.confusionMatrix.filter((r) => r.some((n) => n > 0)).length);
  await w.page.check('input[name=ens-test][value="result:0:j/test"]');
  await w.page.check('input[name=ens-test][value="result:0:b/test"]');
  await w.page.check('input[name=ens-val][value="result:0:j/val"]');
  await w.page.check('input[name=ens-val][value="result:0:b/val"]');
  await w.page.click('#ensemble-run');
  await w.page.waitForSelector('#ensemble-table');
  assert.match(await w.page.textContent('#ensemble-table') ?? '', /J\+B[\s\S]*searched on validation/);
  assert.deepEqual(w.errors, []);
});

async function canvasPixels(page: Page, id: string): Promise<string> {
  return page.evaluate((i) => (document.getElementById(i) as HTMLCanvasElement).toDataURL(), id);
}
async function nonBackground(page: Page, id: string): Promise<number> {
  return page.evaluate((i) => {
    const c = document.getElementById(i) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height - 20).data;
    let n = 0;
    for (let k = 0; k < d.length; k += 4) if (d[k] < 200 || d[k + 2] < 200) n++;
    return n;
  }, id);
}

test('Data: the skeleton is drawn and moves between frames, raw and after the pipeline, 3D and 2D', { skip: NO_CHROMIUM }, async () => {
  await tab(w.page, 'data');
  await w.page.selectOption('#dataset-select', 'dataset:0:data/synth_ntu.pkl');
  await w.page.waitForSelector('#skeleton-raw');
  await w.page.click('#play');
  const setFrame = (f: number) => w.page.evaluate((v) => {
    const s = document.getElementById('frame-slider') as HTMLInputElement;
    s.value = String(v);
    s.dispatchEvent(new Event('input'));
  }, f);
  await setFrame(0);
  assert.ok(await nonBackground(w.page, 'skeleton-raw') > 50, 'the raw skeleton canvas is blank');
  const first = await canvasPixels(w.page, 'skeleton-raw');
  await setFrame(12);
  assert.notEqual(await canvasPixels(w.page, 'skeleton-raw'), first, 'the skeleton does not move');
  // Orbit: dragging across the 3D view turns the figure.
  const before = await canvasPixels(w.page, 'skeleton-raw');
  const box = (await w.page.locator('#skeleton-raw').boundingBox())!;
  await w.page.mouse.move(box.x + 100, box.y + 200);
  await w.page.mouse.down();
  await w.page.mouse.move(box.x + 220, box.y + 230, { steps: 5 });
  await w.page.mouse.up();
  assert.notEqual(await canvasPixels(w.page, 'skeleton-raw'), before, 'dragging does not orbit the 3D view');
  await w.page.selectOption('#config-select', 'quick/j');
  await w.page.waitForSelector('#skeleton-pipeline');
  assert.ok(await nonBackground(w.page, 'skeleton-pipeline') > 50, 'the pipeline skeleton canvas is blank');
  assert.equal(await w.page.textContent('#pipeline-feature'), 'joints');
  const joints = await canvasPixels(w.page, 'skeleton-pipeline');
  // Bones are vectors: drawn as arrows from their pair joint over the (faint) joints, said so.
  await w.page.selectOption('#config-select', 'quick/b');
  await w.page.waitForFunction(() => document.querySelector('#pipeline-feature')?.textContent?.startsWith('bones'));
  assert.match(await w.page.textContent('#pipeline-feature') ?? '', /^bones \(joint − pair joint\), drawn as arrows from the pair joint/);
  assert.ok(await nonBackground(w.page, 'skeleton-pipeline') > 50, 'the bone canvas is blank');
  assert.notEqual(await canvasPixels(w.page, 'skeleton-pipeline'), joints);
  if (process.env.SKAGENT_SCREENSHOT_DIR) await w.page.screenshot({ path: join(process.env.SKAGENT_SCREENSHOT_DIR, 'view-data-bones.png'), fullPage: true });
  await w.page.selectOption('#config-select', 'ntu60_xsub/jm');
  await w.page.waitForFunction(() => document.querySelector('#pipeline-feature')?.textContent?.startsWith('motion'));
  assert.ok(await nonBackground(w.page, 'skeleton-pipeline') > 50, 'the motion canvas is blank');
  await w.page.selectOption('#dataset-select', 'dataset:0:data/synth_coco.pkl');
  await w.page.waitForFunction(() => document.querySelector('#view-data')?.textContent?.includes('(2D, scores as opacity)'));
  assert.ok(await nonBackground(w.page, 'skeleton-raw') > 50, 'the 2D skeleton canvas is blank');
  assert.deepEqual(w.errors, []);
});

test('Agent: rounds, refreshes and critical joints of a class', { skip: NO_CHROMIUM }, async () => {
  await tab(w.page, 'agent');
  await w.page.selectOption('#agent-select', 'run:0:j');
  await w.page.waitForFunction(() => document.querySelector('#agent-joints')?.textContent?.includes('4, 8, 12'));
  assert.match(await w.page.textContent('#agent-refreshes') ?? '', /^epochconfused withnew description2squata person waves the right hand above the head$/);
  assert.equal(await w.page.$$eval('#agent-rounds details', (d) => d.length), 5);
  assert.ok(await nonBackground(w.page, 'agent-skeleton') > 50);
  assert.deepEqual(w.errors, []);
});
