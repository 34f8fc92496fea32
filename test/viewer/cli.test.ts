/** `skagent view` as a real subprocess: prints the URL, serves the page on loopback, stops on SIGTERM. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFixture } from './fixture.js';
import { classifierLike, moveNetLike } from '../live/pose-models.js';
import { buildWebOnce } from './build-web.js';

const BIN = new URL('../../../bin/skagent.js', import.meta.url).pathname;

test('skagent view serves the page at the printed URL and stops cleanly', async () => {
  buildWebOnce();
  const fx = makeFixture();
  // A pose model under the served folder: served only as a pose model, not listed as a recognition model.
  const pose = join(fx.root, 'movenet.onnx');
  writeFileSync(pose, moveNetLike(64));
  const child = spawn(process.execPath, [BIN, 'view', fx.root, '--port', '0', '--pose-model', pose], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code} before printing a URL`)));
    });
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script type="module" src="\/assets\/app\.js">/);
    const catalog = (await (await fetch(`${url}api/catalog`)).json()) as { entries: { kind: string }[]; poseModels: unknown[] };
    assert.ok(catalog.entries.length > 0);
    assert.deepEqual(catalog.poseModels, [{ index: 0, name: 'movenet.onnx' }]);
    assert.equal(catalog.entries.filter((e) => e.kind === 'model').length, 0);
    const served = await fetch(`${url}pose-models/0`);
    assert.deepEqual(new Uint8Array(await served.arrayBuffer()), new Uint8Array(readFileSync(pose)));
    assert.equal((await fetch(`${url}pose-models/1`)).status, 404);
    assert.equal((await fetch(`${url}pose-models/..%2fmovenet.onnx`)).status, 404);
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  } finally {
    child.kill();
    rmSync(fx.root, { recursive: true, force: true });
  }
});

test('skagent view refuses a missing path with exit code 3', () => {
  const r = spawnSync(process.execPath, [BIN, 'view', '/nonexistent/skagent-view'], { encoding: 'utf8' });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /\/nonexistent\/skagent-view: no such file or folder/);
});

test('skagent view --pose-model refuses a model of no supported contract, naming what it has and what is expected', () => {
  const fx = makeFixture();
  try {
    const bad = join(fx.root, 'classifier.onnx');
    writeFileSync(bad, classifierLike());
    const r = spawnSync(process.execPath, [BIN, 'view', fx.root, '--pose-model', bad], { encoding: 'utf8' });
    assert.equal(r.status, 3);
    assert.match(r.stderr, /--pose-model .*classifier\.onnx: .*Found input 'input' \[1,3,32,32\] float32; output 'logits' \[1,10\] float32\. Expected a COCO-17 keypoint model: MoveNet single-pose/);
  } finally {
    rmSync(fx.root, { recursive: true, force: true });
  }
});
