/**
 * The runtime in a real browser: browser-page.ts bundled with esbuild, served with
 * onnxruntime-web's wasm files and an exported model (J+B ensemble of two quick models) from a
 * loopback server, run in headless Chromium; its fused scores match the same ensemble on
 * onnxruntime-node within 1e-4 relative, from the same raw keypoints through each model's own
 * test pipeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { noGrad, randn } from '../../src/torch/index.js';
import { loadConfig } from '../../src/config/index.js';
import { buildModel } from '../../src/engine/build.js';
import { exportInferenceGraph } from '../../src/export/onnx-model.js';
import { exportMetadata } from '../../src/export/export.js';
import { metadataProps } from '../../src/runtime/metadata.js';
import { Recognizer } from '../../src/runtime/node.js';
import { REPO_ROOT } from '../fixtures.js';
import { NO_CHROMIUM, launch, openPage } from '../viewer/browser.js';

const ORT_DIST = join(REPO_ROOT, 'node_modules', 'onnxruntime-web', 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream' };

function exportQuick(configName: string, seed: number, path: string): void {
  const config = loadConfig(configName);
  const model = buildModel(config, { seed });
  try {
    noGrad(() => {
      for (const [key, t] of model.stateDict()) if (key.endsWith('running_mean') || key.endsWith('alpha') || key.endsWith('beta')) t.copy_(randn(t.shape).mul(0.2));
    });
    const labels = Array.from({ length: config.model.backbone.num_classes }, (_, i) => `class ${i}`);
    const metadata = exportMetadata(config, configName, '0'.repeat(64), labels);
    writeFileSync(path, exportInferenceGraph(model.eval(), { metadata: metadataProps(metadata), producerVersion: 'test', inChannels: 3 }).bytes);
  } finally {
    model.dispose();
  }
}

test('the runtime bundled for browsers gives Node\'s scores in headless Chromium (wasm)', { skip: NO_CHROMIUM }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-browser-'));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') { res.writeHead(204).end(); return; }
    const file = url.pathname === '/' ? join(dir, 'index.html')
      : url.pathname.startsWith('/ort/') ? join(ORT_DIST, normalize(url.pathname.slice(5)))
        : join(dir, normalize(url.pathname.slice(1)));
    if (!(file.startsWith(dir) || file.startsWith(ORT_DIST)) || !existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  const browser = await launch();
  try {
    exportQuick('quick/j', 1, join(dir, 'j.onnx'));
    exportQuick('quick/b', 2, join(dir, 'b.onnx'));
    await build({ entryPoints: [join(REPO_ROOT, 'dist/test/export/browser-page.js')], bundle: true, format: 'esm', platform: 'browser', outfile: join(dir, 'bundle.js'), logLevel: 'error' });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="/bundle.js"></script>');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const frames = 45;
    const keypoints = [0, 1].map((p) => Array.from({ length: frames }, (_, t) => Array.from({ length: 25 }, (_, j) => [Math.sin(0.11 * t + j + p), Math.cos(0.07 * t * (j + 1)), 0.3 * Math.sin(0.05 * t + p)])));
    const node = await Recognizer.load([join(dir, 'j.onnx'), join(dir, 'b.onnx')], { threads: 1 });
    const expected = await node.recognize(keypoints);
    await node.dispose();

    const { page, errors } = await openPage(browser);
    await page.goto(origin);
    await page.waitForFunction(() => typeof window.skagentRecognize === 'function');
    const got = await page.evaluate(async ({ models, kp }) => window.skagentRecognize(models, kp), { models: ['/j.onnx', '/b.onnx'], kp: keypoints });
    assert.deepEqual(errors, []);
    assert.equal(got.scores.length, expected.scores.length);
    for (let c = 0; c < got.scores.length; c++) {
      const a = got.scores[c];
      const b = expected.scores[c];
      assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(b) + 1e-7, `class ${c}: browser ${a} vs node ${b}`);
    }
    assert.deepEqual(got.top.map((t) => t.index), expected.top.map((t) => t.index));
    assert.equal(got.top[0].label, `class ${got.top[0].index}`);
    // J+B: the original's 1:1 weights, so the fused scores sum to 2.
    assert.ok(Math.abs(got.scores.reduce((a, b) => a + b, 0) - 2) < 1e-3);
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
