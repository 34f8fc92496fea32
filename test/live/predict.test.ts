/** `skagent predict` as a real subprocess on a real exported model and real pose files. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../src/io/npy.js';
import { Recognizer } from '../../src/runtime/node.js';
import { mapSequence, packKeypoints, parsePoseJson, poseTargetOf } from '../../src/live/poses.js';
import { REPO_ROOT } from '../fixtures.js';
import { exportQuickModel, ntuFrames } from './quick-model.js';

let dir: string;
let model: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'skagent-predict-'));
  model = exportQuickModel(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const skagent = (...args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'bin/skagent.js'), ...args], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });

test('predict --json: the runtime\'s scores for the file\'s poses, best first', async () => {
  const doc = { format: 'ntu25', frames: ntuFrames(40, 2) };
  const file = join(dir, 'kinect.json');
  writeFileSync(file, JSON.stringify(doc));
  const r = skagent('predict', model, file, '--json', '--top', '3', '--threads', '1');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { top: { index: number; label: string; score: number }[]; tracks: string[]; frames: number; format: string };
  assert.equal(out.format, 'ntu25');
  assert.equal(out.frames, 40);
  assert.deepEqual(out.tracks, ['1', '2']);
  // the same poses through the runtime in this process
  const rec = await Recognizer.load(model, { threads: 1 });
  try {
    const { keypoints } = packKeypoints(mapSequence(parsePoseJson(doc), poseTargetOf(rec)), poseTargetOf(rec));
    const want = await rec.recognize(keypoints, { topK: 3 });
    assert.deepEqual(out.top.map((t) => t.index), want.top.map((t) => t.index));
    for (const [i, t] of out.top.entries()) assert.ok(Math.abs(t.score - want.top[i].score) <= 1e-6 * Math.abs(want.top[i].score) + 1e-9);
    assert.equal(out.top[0].label, `action ${out.top[0].index}`);
  } finally {
    await rec.dispose();
  }

  // the same poses as a .npy (frames, people, joints, values) give the same answer, human-readable
  const data = new Float32Array(40 * 2 * 25 * 3);
  doc.frames.forEach((f, t) => f.forEach((p, q) => p.keypoints.forEach((v, j) => data.set(v, ((t * 2 + q) * 25 + j) * 3))));
  const npy = join(dir, 'kinect.npy');
  writeFileSync(npy, encodeNpy({ dtype: 'float32', shape: [40, 2, 25, 3], data }));
  const r2 = skagent('predict', model, npy, '--top', '3', '--threads', '1');
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stdout, new RegExp(`^ 1\\. ${out.top[0].label} +${out.top[0].score.toFixed(4)}$`, 'm'));
});

test('predict refuses poses the model cannot take, with exit code 3 and the reason', () => {
  const coco = join(dir, 'movenet.json');
  writeFileSync(coco, JSON.stringify([[Array.from({ length: 17 }, () => [1, 2, 0.9])]]));
  const r = skagent('predict', model, coco);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /expects NTU-25 \(Kinect v2\) 3D joints/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"frames": [[ [[1, 2');
  const r2 = skagent('predict', model, bad);
  assert.equal(r2.status, 3);
  assert.match(r2.stderr, /bad\.json: not JSON/);
  const r3 = skagent('predict', model, coco, '--top', '0');
  assert.equal(r3.status, 2);
  assert.match(r3.stderr, /--top: expected a positive integer/);
});
