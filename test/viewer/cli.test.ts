/** `skagent view` as a real subprocess: prints the URL, serves the page on loopback, stops on SIGTERM. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { makeFixture } from './fixture.js';
import { buildWebOnce } from './build-web.js';

const BIN = new URL('../../../bin/skagent.js', import.meta.url).pathname;

test('skagent view serves the page at the printed URL and stops cleanly', async () => {
  buildWebOnce();
  const fx = makeFixture();
  const child = spawn(process.execPath, [BIN, 'view', fx.root, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    const catalog = (await (await fetch(`${url}api/catalog`)).json()) as { entries: unknown[] };
    assert.ok(catalog.entries.length > 0);
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
