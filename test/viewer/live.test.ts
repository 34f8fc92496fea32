/**
 * The Live view: an exported model run in the page by the deploy runtime on onnxruntime-web
 * gives the same top classes and scores as the same runtime on onnxruntime-node, for the same poses.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { Recognizer } from '../../src/runtime/node.js';
import { syntheticAction } from '../../src/viewer/synthetic-action.js';
import { mapSequence, packKeypoints, parsePoseJson } from '../../src/live/poses.js';
import type { ViewerFixture } from './fixture.js';
import { NO_CHROMIUM, openPage, startViewer, type ViewerSession } from './browser.js';
import { exportFixtureModel } from './models.js';

let session: ViewerSession;
let fx: ViewerFixture;
let base: string;
let browser: Browser;
let modelPath: string;

before(async () => {
  if (NO_CHROMIUM) return;
  session = await startViewer({ prepare: (f) => { modelPath = exportFixtureModel(f, 'nturgb+d'); } });
  ({ fx, base, browser } = session);
});
after(async () => {
  if (NO_CHROMIUM) return;
  await session.close();
});

test('Live: the page recognises a synthetic action as Node does with the same model', { skip: NO_CHROMIUM }, async () => {
  const w = await openPage(browser);
  await w.page.goto(`${base}#live`);
  // Compiling ONNX Runtime's WebAssembly takes a while on a small machine.
  await w.page.waitForFunction(() => document.body.dataset.ready === 'live', undefined, { timeout: 180_000 });
  const expected = await Recognizer.load(modelPath);
  try {
    for (const [label, seed] of [[2, 5], [0, 1]] as const) {
      await w.page.selectOption('#live-class', String(label));
      await w.page.fill('#live-seed', String(seed));
      await w.page.evaluate(() => { delete document.getElementById('view-live')!.dataset.recognized; });
      await w.page.click('#live-run');
      await w.page.waitForFunction(() => document.getElementById('view-live')?.dataset.recognized !== undefined, undefined, { timeout: 60000 });
      const shown = await w.page.$$eval('#live-top tr', (rows) => rows.map((r) => ({ index: Number((r as HTMLElement).dataset.index), score: Number((r as HTMLElement).dataset.score) })));
      const node = await expected.recognize(syntheticAction('nturgb+d', label, seed).keypoints);
      assert.equal(shown[0].index, node.top[0].index, `top-1 for action ${label}, seed ${seed}`);
      assert.deepEqual(shown.map((s) => s.index), node.top.map((t) => t.index));
      shown.forEach((s, k) => assert.ok(Math.abs(s.score - node.top[k].score) < 1e-5, `score ${k}: ${s.score} vs ${node.top[k].score}`));
    }
    // A dropped poses file (src/live's JSON: frames × people × joints) gives Node's answer too.
    const action = syntheticAction('nturgb+d', 3, 2).keypoints;
    const at = (m: number, t: number, v: number) => action.data.slice(((m * action.frames + t) * action.joints + v) * 3, ((m * action.frames + t) * action.joints + v + 1) * 3);
    const frames = Array.from({ length: action.frames }, (_, t) => Array.from({ length: action.persons }, (_, m) => Array.from({ length: action.joints }, (_, v) => at(m, t, v))));
    const file = join(fx.root, 'kick.json');
    const doc = { format: 'ntu25', frames };
    writeFileSync(file, JSON.stringify(doc));
    const md = expected.models[0].metadata;
    const target = { layout: expected.layout, joints: expected.joints, channels: expected.channels, scoreChannel: md.scoreChannel, persons: md.numPerson };
    const packed = packKeypoints(mapSequence(parsePoseJson(doc), target), target).keypoints;
    await w.page.evaluate(() => { delete document.getElementById('view-live')!.dataset.recognized; });
    await w.page.setInputFiles('#live-file', file);
    await w.page.waitForFunction(() => document.getElementById('view-live')?.dataset.recognized !== undefined, undefined, { timeout: 60000 });
    const fromFile = await w.page.$$eval('#live-top tr', (rows) => rows.map((r) => Number((r as HTMLElement).dataset.index)));
    assert.deepEqual(fromFile, (await expected.recognize(packed)).top.map((t) => t.index));
    assert.match(await w.page.textContent('#live-result') ?? '', /kick\.json/);
    assert.ok(w.requests.some((u) => u.endsWith('.wasm')), 'ran on onnxruntime-web (wasm)');
    assert.ok(w.requests.every((u) => u.startsWith(base)), `requests outside the server: ${w.requests.filter((u) => !u.startsWith(base))}`);
    assert.deepEqual(w.errors, []);
  } finally {
    await expected.dispose();
  }
});
