/** The viewer's server over a real loopback socket: what it serves, what it refuses, bad logs. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { LAYOUTS } from '../../src/skeleton/layouts.js';
import { appendFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ViewServer } from '../../src/viewer/server.js';
import { loadConfig } from '../../src/config/index.js';
import { evaluateScores } from '../../src/engine/metrics.js';
import { readLabelsNpy, readScoresNpy } from '../../src/engine/results.js';
import { makeFixture, type ViewerFixture } from './fixture.js';

let fx: ViewerFixture;
let server: ViewServer;
let base: string;

before(async () => {
  fx = makeFixture();
  writeFileSync(join(fx.root, '..', `outside-${process.pid}.txt`), 'secret');
  symlinkSync(join(fx.root, '..', `outside-${process.pid}.txt`), join(fx.root, 'escape.txt'));
  symlinkSync('/etc', join(fx.root, 'etc-link'));
  server = new ViewServer({ paths: [fx.root] });
  base = await server.listen();
});
after(async () => {
  await server.close();
  rmSync(join(fx.root, '..', `outside-${process.pid}.txt`), { force: true });
  rmSync(fx.root, { recursive: true, force: true });
});

/** A raw GET (no URL normalisation by the client: `..` and encodings reach the server as written). */
function get(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
const getJson = async (path: string) => { const r = await get(path); return { status: r.status, json: JSON.parse(r.body) as Record<string, unknown> }; };

test('binds to loopback by default', () => {
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('the catalog finds the run, results, datasets and conversations', async () => {
  const { json } = await getJson('/api/catalog');
  const ids = (json.entries as { id: string }[]).map((e) => e.id).sort();
  assert.deepEqual(ids, [
    'conversations:0:j/custom', 'dataset:0:data/synth_coco.pkl', 'dataset:0:data/synth_ntu.pkl',
    'result:0:b/test', 'result:0:b/val', 'result:0:j/test', 'result:0:j/val', 'run:0:j',
  ]);
});

test('files under the root are streamed; traversal attempts are refused', async () => {
  const ok = await get('/files/0/j/20260101_000000.log.json');
  assert.equal(ok.status, 200);
  assert.equal(ok.body, readFileSync(join(fx.runDir, '20260101_000000.log.json'), 'utf8'));
  for (const path of [
    '/files/0/../outside.txt', '/files/0/j/../../outside.txt', '/files/0/%2e%2e/%2e%2e/etc/passwd',
    '/files/0/%2E%2E%2Fetc%2Fpasswd', '/files/0/..%2f..%2fetc%2fpasswd', '/files/0/..%5c..%5cetc%5cpasswd',
    '/files/0//etc/passwd', '/files/0/%2fetc%2fpasswd', '/files/0/escape.txt', '/files/0/etc-link/passwd',
    '/files/0/j%00.txt', '/files/1/anything', '/files/-1/x',
  ]) {
    const r = await get(path);
    assert.ok(r.status === 403 || r.status === 404 || r.status === 400, `${path}: status ${r.status}`);
    assert.doesNotMatch(r.body, /secret|root:x:0/, path);
  }
  assert.equal((await get('/files/0/escape.txt')).status, 403);
  assert.equal((await get('/files/0/%2e%2e/%2e%2e/etc/passwd')).status, 403);
  assert.equal((await get('/files/0/../j/test/metrics.json')).status, 403);
});

test('run logs: values as logged; a truncated last line and a corrupt line are reported, not fatal', async () => {
  let { status, json } = await getJson('/api/run?id=run:0:j');
  assert.equal(status, 200);
  assert.deepEqual(json.events, fx.events);
  assert.equal(json.config, 'quick/j');
  assert.deepEqual(json.problems, []);
  const log = join(fx.runDir, '20260101_000000.log.json');
  appendFileSync(log, 'not json\n{"mode":"train","epoch":4,"it');
  ({ status, json } = await getJson('/api/run?id=run:0:j'));
  assert.equal(status, 200);
  assert.deepEqual(json.events, fx.events);
  const problems = json.problems as { line: number; problem: string }[];
  assert.deepEqual(problems.map((p) => p.line), [fx.events.length + 1, fx.events.length + 2]);
  assert.match(problems[1].problem, /incomplete last line/);
  // The writer finishes the line: it counts from now on.
  appendFileSync(log, 'er":9}\n');
  ({ json } = await getJson('/api/run?id=run:0:j'));
  assert.equal((json.events as unknown[]).length, fx.events.length + 1);
});

test('a run folder whose log is missing is shown as such', async () => {
  const dir = join(fx.root, 'empty-run');
  mkdirSync(dir);
  writeFileSync(join(dir, 'x.log.json'), '');
  const { json } = await getJson('/api/catalog');
  assert.ok((json.entries as { id: string }[]).some((e) => e.id === 'run:0:empty-run'));
  rmSync(join(dir, 'x.log.json'));
  const r = await getJson('/api/run?id=run:0:empty-run');
  assert.equal(r.status, 200);
  assert.match(JSON.stringify(r.json.problems), /no \*\.log\.json/);
  assert.equal((await getJson('/api/run?id=run:0:nope')).status, 404);
});

test('results: the confusion matrix is the one computed from scores.npy and labels.npy', async () => {
  const { json } = await getJson('/api/result?id=result:0:j/test');
  const e = evaluateScores(readScoresNpy(join(fx.resultDir, 'scores.npy')), readLabelsNpy(join(fx.resultDir, 'labels.npy')));
  assert.deepEqual(json.confusion, e.confusionMatrix);
  assert.equal(json.top1, e.top1);
  assert.deepEqual((json.classNames as string[]).slice(0, 2), ['wave right hand', 'raise both arms']);
  assert.equal((json.sampleIds as string[]).length, e.numSamples);
});

test('a result whose scores.npy is being written is reported as an error; the server keeps answering', async () => {
  const dir = join(fx.root, 'partial');
  mkdirSync(dir);
  const full = readFileSync(join(fx.resultDir, 'scores.npy'));
  writeFileSync(join(dir, 'scores.npy'), full.subarray(0, full.length - 10));
  writeFileSync(join(dir, 'labels.npy'), readFileSync(join(fx.resultDir, 'labels.npy')));
  await getJson('/api/catalog');
  const r = await getJson('/api/result?id=result:0:partial');
  assert.equal(r.status, 422);
  assert.match(String(r.json.error), /scores\.npy/);
  assert.equal((await getJson('/api/result?id=result:0:j/test')).status, 200);
  rmSync(dir, { recursive: true });
});

test('ensemble: presets by modality and a weight search on validation scores', async () => {
  const { status, json } = await getJson('/api/ensemble?test=result:0:j/test,result:0:b/test&val=result:0:j/val,result:0:b/val&weights=2,1');
  assert.equal(status, 200, JSON.stringify(json));
  assert.deepEqual((json.fusions as { name: string }[]).map((f) => f.name), ['J+B', 'custom']);
  const search = json.search as { weights: number[]; valTop1: number; testTop1: number };
  assert.equal(search.weights.length, 2);
  assert.ok(search.valTop1 >= 0 && search.valTop1 <= 1);
  const bad = await getJson('/api/ensemble?test=result:0:j/test,result:0:j/val');
  assert.equal(bad.status, 422);
  assert.match(String(bad.json.error), /labels differ/);
});

test('data: samples by split, a raw skeleton and the pipeline output', async () => {
  const { json: summary } = await getJson(`/api/dataset?id=${encodeURIComponent('dataset:0:data/synth_ntu.pkl')}`);
  assert.deepEqual((summary.splits as { name: string }[]).map((s) => s.name).sort(), ['xsub_train', 'xsub_val', 'xview_train', 'xview_val']);
  const { json: s } = await getJson(`/api/sample?id=${encodeURIComponent('dataset:0:data/synth_ntu.pkl')}&split=xsub_val&index=0&config=quick/j&mode=test`);
  const raw = s.raw as { shape: number[]; data: number[]; is3d: boolean };
  assert.equal(raw.shape[2], 25);
  assert.equal(raw.is3d, true);
  assert.ok(raw.data.every((v) => Math.abs(v) < 10), 'metres, not float16 bits');
  const clips = (s.pipeline as { clips: { shape: number[] }[] }).clips;
  assert.equal(clips.length, (loadConfig('quick/j').data.test.pipeline.find((op) => op.type === 'UniformSampleDecode') )?.num_clips);
  assert.deepEqual(clips[0].shape.slice(1), [32, 25, 3]);
  const { json: coco } = await getJson(`/api/sample?id=${encodeURIComponent('dataset:0:data/synth_coco.pkl')}&index=0`);
  assert.equal((coco.raw as { is3d: boolean }).is3d, false);
  assert.ok((coco.raw as { score: number[] | null }).score !== null);
  assert.equal((await getJson(`/api/sample?id=${encodeURIComponent('dataset:0:data/synth_ntu.pkl')}&index=-1`)).status, 400);
});

test('data: bones and motions after the pipeline come with their joints, from the same clips and augmentations', async () => {
  type Sk = { shape: number[]; data: number[] };
  type Piped = { clips: Sk[]; feature: { name: string; joints: Sk[] | null; pairs: [number, number][] | null } };
  const id = encodeURIComponent('dataset:0:data/synth_ntu.pkl');
  // Train mode: random rotation and sampling, the same for the bones and their joints.
  const { json: b } = await getJson(`/api/sample?id=${id}&split=xsub_train&index=1&config=quick/b&mode=train&seed=7`);
  const bones = b.pipeline as Piped;
  assert.equal(bones.feature.name, 'b');
  assert.deepEqual(bones.feature.pairs, LAYOUTS['nturgb+d'].bonePairs);
  const joints = bones.feature.joints!;
  assert.deepEqual(joints.map((c) => c.shape), bones.clips.map((c) => c.shape));
  const [M, T, V, C] = joints[0].shape;
  let worst = 0;
  for (let m = 0; m < M; m++) for (let t = 0; t < T; t++) for (const [v1, v2] of bones.feature.pairs!) for (let c = 0; c < C; c++) {
    const at = (v: number) => ((m * T + t) * V + v) * C + c;
    worst = Math.max(worst, Math.abs(bones.clips[0].data[at(v1)] - (joints[0].data[at(v1)] - joints[0].data[at(v2)])));
  }
  assert.ok(worst < 1e-5, `bone = joint − parent joint up to ${worst}`);
  assert.ok(joints[0].data.some((v) => v !== 0));
  const { json: jm } = await getJson(`/api/sample?id=${id}&split=xsub_val&index=0&config=ntu60_xsub/jm&mode=test`);
  const motion = jm.pipeline as Piped;
  assert.equal(motion.feature.name, 'jm');
  assert.equal(motion.feature.pairs, null);
  assert.deepEqual(motion.feature.joints!.map((c) => c.shape), motion.clips.map((c) => c.shape));
  const { json: j } = await getJson(`/api/sample?id=${id}&split=xsub_val&index=0&config=quick/j&mode=test`);
  assert.deepEqual((j.pipeline as Piped).feature, { name: 'j', joints: null, pairs: null });
});

test('agent: rounds, critical joints and the logged refreshes', async () => {
  const { json } = await getJson('/api/agent?id=run:0:j');
  const classes = json.classes as { name: string; criticalJoints: number[]; rounds: unknown[]; description: string }[];
  assert.equal(classes.length, 4);
  assert.deepEqual(classes[0].criticalJoints, [4, 8, 12]);
  assert.equal(classes[0].rounds.length, 5);
  assert.equal(classes[0].description, 'a person does wave right hand');
  const refreshes = json.refreshes as { epoch: number; confused: number[][] }[];
  assert.equal(refreshes.length, 1);
  assert.deepEqual(refreshes[0].confused[1], [0, 3]);
});

test('request targets no URL parser takes, bad seeds and prototype names are 4xx, not 500 (found by the fuzzer)', async () => {
  for (const [path, status, message] of [
    ['//', 400, /bad request target/], ['//[', 400, /bad request target/],
    ['/api/synthetic?layout=coco&class=1&seed=x', 400, /\?seed= must be an integer/],
    ['/api/sample?id=dataset:0:data/synth_ntu.pkl&index=1&config=quick/j&seed=-1', 400, /\?seed= must be an integer/],
    ['/assets/constructor', 404, /no asset constructor/],
  ] as const) {
    const r = await get(path);
    assert.equal(r.status, status, `${path}: ${r.body}`);
    assert.match(JSON.parse(r.body).error, message, path);
  }
  assert.equal((await get('/api/catalog')).status, 200);
});

test('malformed HTTP that Node refuses before any handler is a 400 with a JSON error (was a bare 400; found by the HTTP fuzzer)', async () => {
  const url = new URL(base);
  const r = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write('GDT / HTTP/1.1\r\nhost: x\r\n\r\n'));
    let out = '';
    socket.on('data', (d) => { out += d.toString(); });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
  assert.match(r, /^HTTP\/1\.1 400 /);
  assert.match(JSON.parse(r.slice(r.indexOf('\r\n\r\n') + 4)).error, /^request: malformed HTTP/);
});
