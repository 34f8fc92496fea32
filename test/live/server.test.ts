/** PoseServer on loopback with real HTTP and WebSocket clients and a real exported model. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Recognizer } from '../../src/runtime/node.js';
import type { Recognizer as CoreRecognizer } from '../../src/runtime/recognizer.js';
import { PoseServer } from '../../src/live/server.js';
import { exportQuickModel, ntuFrames } from './quick-model.js';

let dir: string;
let rec: CoreRecognizer;
let server: PoseServer;
let base: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skagent-serve-'));
  rec = await Recognizer.load(exportQuickModel(dir), { threads: 1 });
  server = new PoseServer({ recognizer: rec, concurrency: 1, queue: 1, maxBodyBytes: 256 * 1024 });
  const a = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${a.port}`;
});
after(async () => {
  await server.close();
  await rec.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: string) => fetch(`${base}/v1/recognize`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
const kp = (j: number) => Array.from({ length: j }, () => [0.1, 0.2, 2]);

test('health and recognize', async () => {
  const h = await (await fetch(`${base}/v1/health`)).json() as { status: string; layout: string; classes: number };
  assert.deepEqual([h.status, h.layout, h.classes], ['ok', 'nturgb+d', rec.numClasses]);
  const res = await post(JSON.stringify({ frames: ntuFrames(32), top: 3 }));
  assert.equal(res.status, 200);
  const out = await res.json() as { top: { score: number }[]; frames: number };
  assert.equal(out.top.length, 3);
  assert.equal(out.frames, 32);
  assert.ok(out.top[0].score >= out.top[1].score);
});

test('bad input is a 4xx naming the field; the server keeps serving', async () => {
  const cases: [string, number, RegExp][] = [
    ['{"frames": [[', 400, /body: not JSON/],
    ['', 400, /body: empty/],
    [JSON.stringify({ frames: [] }), 422, /body\.frames: empty/],
    [JSON.stringify({ frames: [[kp(24)]] }), 422, /body\.frames\[0\]\[0\]: 24 joints per person is no known pose format/],
    [JSON.stringify({ frames: [[kp(25), kp(17)]] }), 422, /body\.frames\[0\]\[1\]: 17 joints, expected 25/],
    [JSON.stringify({ frames: [[kp(17)]] }), 422, /expects NTU-25/],
    ['{"frames": [[[[1, 2, NaN]]]]}', 400, /not JSON/],
    [JSON.stringify({ frames: [[[...kp(24), [1, null, 2]]]] }), 422, /body\.frames\[0\]\[0\]\[24\]\[1\]: null is not a finite number/],
    [JSON.stringify({ frames: [[kp(25)]], top: 0 }), 422, /body\.top/],
    // found by the HTTP fuzzer: finite in JSON, Infinity as float32 — was a 500 from the model runner
    [JSON.stringify({ frames: [[[...kp(24), [1, 1e300, 2]]]] }), 422, /body\.frames\[0\]\[0\]\[24\]\[1\]: 1e\+300 is beyond the 32-bit float range/],
    ['x'.repeat(300 * 1024), 413, /limit/],
  ];
  for (const [body, status, msg] of cases) {
    const res = await post(body);
    const text = await res.text();
    assert.equal(res.status, status, `${body.slice(0, 60)} → ${text}`);
    assert.match(JSON.parse(text).error, msg);
  }
  assert.equal((await fetch(`${base}/v1/recognize`)).status, 405);
  assert.equal((await fetch(`${base}/nope`)).status, 404);
  // a client that goes away mid-body
  await new Promise<void>((resolve) => {
    const req = request(`${base}/v1/recognize`, { method: 'POST', headers: { 'content-length': '100000' } });
    req.on('error', () => resolve());
    req.write('{"frames": [');
    setTimeout(() => { req.destroy(); resolve(); }, 50);
  });
  assert.equal((await post(JSON.stringify({ frames: ntuFrames(8) }))).status, 200);
});

test('the pool is bounded: with its one slot running and its one queue place taken, a request gets 503', async () => {
  let release!: () => void;
  const hold = new Promise<void>((r) => { release = r; });
  const running = server.pool.run(() => hold);
  const queued = server.pool.run(async () => undefined);
  const h = await (await fetch(`${base}/v1/health`)).json() as { pool: unknown };
  assert.deepEqual(h.pool, { running: 1, queued: 1, concurrency: 1, queue: 1 });
  const busy = await post(JSON.stringify({ frames: ntuFrames(8) }));
  assert.equal(busy.status, 503);
  assert.equal(busy.headers.get('retry-after'), '1');
  assert.match((await busy.json() as { error: string }).error, /busy: 1 recognitions running and 1 waiting/);
  release();
  await Promise.all([running, queued]);
  // concurrent requests all answered once there is room
  const statuses = await Promise.all(Array.from({ length: 3 }, (_, i) => post(JSON.stringify({ frames: ntuFrames(8 + i) })).then((r) => r.status)));
  assert.ok(statuses.every((s) => s === 200 || s === 503) && statuses.includes(200), statuses.join());
});

function open(query: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/stream${query}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

test('WebSocket stream: a prediction every stride frames; bad frames answered, stream goes on', async () => {
  const ws = await open('?window=8&stride=4&top=2');
  const replies: { type: string; frame?: number; top?: unknown[]; latencyMs?: number; error?: string; status?: number }[] = [];
  ws.on('message', (m) => replies.push(JSON.parse(m.toString())));
  const frames = ntuFrames(16);
  for (let i = 0; i < 16; i++) {
    ws.send(JSON.stringify({ people: frames[i] }));
    if (i === 9) { ws.send('{"people": ['); ws.send(JSON.stringify({ people: [{ id: 1, keypoints: kp(18) }] })); }
    await new Promise((r) => setTimeout(r, 20));
  }
  const deadline = Date.now() + 10_000;
  while (replies.filter((r) => r.type === 'prediction').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const preds = replies.filter((r) => r.type === 'prediction');
  assert.deepEqual(preds.map((p) => p.frame), [7, 11, 15]);
  assert.ok(preds.every((p) => p.top!.length === 2 && p.latencyMs! > 0));
  const errors = replies.filter((r) => r.type === 'error');
  assert.equal(errors.length, 2);
  assert.match(errors[0].error!, /frame 10: not JSON/);
  assert.match(errors[1].error!, /frame 11\.people\[0\]\.keypoints: 18 joints per person, but format ntu25 has 25/);
  assert.equal(errors[1].status, 422);
  ws.close();
});

test('WebSocket: bad query refused, client vanishing mid-stream leaves the server serving', async () => {
  await assert.rejects(open('?window=0'), /400/);
  const ws = await open('?window=4&stride=1');
  for (const f of ntuFrames(3)) ws.send(JSON.stringify(f));
  ws.terminate();
  await new Promise((r) => setTimeout(r, 100));
  const again = await open('?window=2&stride=1');
  const got = new Promise<{ type: string }>((resolve) => again.once('message', (m) => resolve(JSON.parse(m.toString()))));
  for (const f of ntuFrames(2)) again.send(JSON.stringify(f));
  assert.equal((await got).type, 'prediction');
  again.close();
  assert.equal((await fetch(`${base}/v1/health`)).status, 200);
});

/** Writes raw request bytes and returns the response's status line and body (the server closes the connection). */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
    let out = '';
    socket.on('data', (d) => { out += d.toString(); });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

test('request targets that are no URL path (//) are a 400; as a WebSocket upgrade they used to throw outside any handler and end the server process', async () => {
  const plain = await raw('GET // HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  assert.match(plain, /^HTTP\/1\.1 400 /);
  assert.match(JSON.parse(plain.slice(plain.indexOf('\r\n\r\n') + 4)).error, /request target '\/\/': not a valid path/);
  const upgrade = await raw('GET //[ HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  assert.match(upgrade, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(JSON.parse(upgrade.slice(upgrade.indexOf('\r\n\r\n') + 4)).error, /request target '\/\/\[': not a valid path/);
  await assert.rejects(open('?window=99999999999'), /400/);
  assert.equal((await fetch(`${base}/v1/health`)).status, 200);
});

test('timestamps an hour or more apart are a 422 naming the frames, not a sequence filled until memory runs out', async () => {
  const [a, b] = ntuFrames(2);
  const res = await post(JSON.stringify({ frames: [{ t: 0, people: a }, { t: 1e15, people: b }] }));
  assert.equal(res.status, 422);
  assert.match((await res.json() as { error: string }).error, /^body\.frames: the timestamps span 1000000000000000 s/);
});

test('malformed HTTP that Node refuses before any handler is a 400 with a JSON error (was a bare 400)', async () => {
  const r = await raw('GDT /v1/health HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.match(r, /^HTTP\/1\.1 400 /);
  assert.match(JSON.parse(r.slice(r.indexOf('\r\n\r\n') + 4)).error, /^request: malformed HTTP/);
});

test('WebSocket: a prediction that meets a full pool is a 503 error reply naming the frame (found by the HTTP fuzzer)', async () => {
  let release!: () => void;
  const hold = new Promise<void>((r) => { release = r; });
  const running = server.pool.run(() => hold);
  const queued = server.pool.run(async () => undefined);
  const ws = await open('?window=1&stride=1');
  const reply = new Promise<{ type: string; status?: number; error?: string }>((resolve) => ws.once('message', (m) => resolve(JSON.parse(m.toString()))));
  ws.send(JSON.stringify(ntuFrames(1)[0]));
  const r = await reply;
  assert.deepEqual([r.type, r.status], ['error', 503]);
  assert.match(r.error!, /^frame 0: busy: 1 recognitions running and 1 waiting/);
  release();
  await Promise.all([running, queued]);
  ws.close();
});
