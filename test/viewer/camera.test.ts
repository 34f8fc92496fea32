/**
 * The Live tab's camera in headless Chromium with a deterministic fake camera (a generated .y4m of
 * moving discs) and a MoveNet-contract pose model written by the project's ONNX builder, a real
 * function of the pixels (test/live/pose-models.ts): the keypoints land on the discs and move,
 * the page's running top classes equal a Node PoseStream's over onnxruntime-node on the
 * keypoints the page recorded, a model of no supported contract and a denied camera are
 * refused in the page with a clear message, and nothing is requested outside the server.
 * With SKAGENT_SCREENSHOT_DIR set, the camera view is saved there as view-camera.png.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recognizer } from '../../src/runtime/node.js';
import { CAMERA_STREAM } from '../../src/live/camera.js';
import { poseTargetOf } from '../../src/live/poses.js';
import { PoseStream, type StreamPrediction } from '../../src/live/stream.js';
import { NO_CHROMIUM, openPage, startViewer, type ViewerSession, type WatchedPage } from './browser.js';
import { exportFixtureModel } from './models.js';
import { blobVideo, writeY4m } from './y4m.js';
import { JOINT_BLOB, classifierLike, moveNetLike, simccLike } from '../live/pose-models.js';

const POSE_SIZE = 96;
const video = blobVideo();
let session: ViewerSession;
let modelPath: string;
/** Files the user opens from disk, outside the served folder. */
let disk: string;

before(async () => {
  if (NO_CHROMIUM) return;
  disk = mkdtempSync(join(tmpdir(), 'skagent-disk-'));
  writeFileSync(join(disk, 'classifier.onnx'), classifierLike());
  session = await startViewer({
    prepare: (fx) => {
      modelPath = exportFixtureModel(fx, 'uav');
      writeY4m(join(fx.root, 'camera.y4m'), video);
      const pose = join(fx.root, 'movenet_like.onnx');
      writeFileSync(pose, moveNetLike(POSE_SIZE, 'int32'));
      const simcc = join(fx.root, 'rtmpose_like.onnx');
      writeFileSync(simcc, simccLike(64, 96, 2));
      return { poseModels: [pose, simcc] };
    },
    chromiumArgs: (fx) => ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${join(fx.root, 'camera.y4m')}`],
  });
});
after(async () => {
  if (NO_CHROMIUM) return;
  await session.close();
  rmSync(disk, { recursive: true, force: true });
});

interface Recording {
  format: string; channels: string;
  frames: { t: number; people: { id: string; keypoints: number[][] }[] }[];
  predictions: { frame: number; top: { index: number; score: number }[] }[];
}

/** A new page on the Live tab with its camera panel ready; `beforeLoad` runs first (init scripts). */
async function openLiveTab(beforeLoad?: (page: WatchedPage['page']) => Promise<unknown>): Promise<WatchedPage> {
  const { base, browser } = session;
  const w = await openPage(browser);
  await beforeLoad?.(w.page);
  await w.page.goto(`${base}#live`);
  await w.page.waitForFunction(() => document.body.dataset.ready === 'live', undefined, { timeout: 180_000 });
  await w.page.waitForSelector('#camera-start', { timeout: 60_000 });
  return w;
}

/** Distance from (x, y) to the nearest centre disc `blob` takes in any frame of the video. */
function offTrack(x: number, y: number, blob: number): number {
  return Math.min(...video.centres.map((c) => Math.hypot(c[blob][0] - x, c[blob][1] - y)));
}

test('Camera: keypoints from the pose model follow the discs; the running top-5 equals Node\'s on the recorded keypoints', { skip: NO_CHROMIUM }, async () => {
  const { base } = session;
  const w = await openLiveTab();
  assert.equal(await w.page.inputValue('#camera-pose-select'), '0');
  await w.page.click('#camera-start');
  const frames = (n: number) => w.page.waitForFunction((k) => Number(document.getElementById('camera-view')?.dataset.frames ?? 0) >= k, n, { timeout: 120_000 });
  await frames(5);
  const early = await w.page.$eval('#camera-view', (c) => (c as HTMLElement).dataset.keypoints!);
  // Two predictions shown: the stream runs on.
  await w.page.waitForFunction(() => document.querySelector('#live-top[data-frame]') !== null, undefined, { timeout: 120_000 });
  const first = await w.page.$eval('#live-top', (t) => Number((t as HTMLElement).dataset.frame));
  await w.page.waitForFunction((f) => Number((document.querySelector('#live-top') as HTMLElement | null)?.dataset.frame) > f, first, { timeout: 120_000 });
  await frames(12);
  const late = await w.page.$eval('#camera-view', (c) => (c as HTMLElement).dataset.keypoints!);
  assert.notEqual(late, early, 'the keypoints drawn do not move');
  const dir = process.env.SKAGENT_SCREENSHOT_DIR;
  if (dir) await w.page.screenshot({ path: join(dir, 'view-camera.png'), fullPage: true });
  await w.page.click('#camera-stop');
  await w.page.waitForSelector('#camera-download:not([hidden])');
  const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.click('#camera-download')]);
  const rec = JSON.parse(readFileSync((await download.path())!, 'utf8')) as Recording;
  assert.equal(rec.format, 'coco17');
  assert.ok(rec.frames.length >= 12 && rec.predictions.length >= 2, `${rec.frames.length} frames, ${rec.predictions.length} predictions recorded`);

  // The keypoints are where the discs are: the nose sits on the red disc's centre, the hips on
  // the green and blue ones (pose-models.ts), in video pixels, whatever frame was captured.
  // Tolerance: a model pixel is 320/96 = 3.3 video pixels; YUV 4:2:0 blurs the disc edges.
  const bad: string[] = [];
  for (const [i, f] of rec.frames.entries()) {
    const kp = f.people[0].keypoints;
    for (const j of [0, 11, 12]) {
      const d = offTrack(kp[j][0], kp[j][1], JOINT_BLOB[j]);
      if (d > 4) bad.push(`frame ${i} joint ${j} at (${kp[j][0].toFixed(1)}, ${kp[j][1].toFixed(1)}): ${d.toFixed(1)} px off the disc's path`);
    }
    assert.ok(kp.every((p) => p[2] > 0.5 && p[2] <= 1), `frame ${i}: scores ${kp.map((p) => p[2].toFixed(2))}`);
  }
  assert.deepEqual(bad, []);
  const noses = new Set(rec.frames.map((f) => f.people[0].keypoints[0].slice(0, 2).map((v) => v.toFixed(1)).join()));
  assert.ok(noses.size >= 5, `the nose took only ${noses.size} positions in ${rec.frames.length} frames`);

  // Node: the same recording through a PoseStream with the camera's settings on onnxruntime-node.
  const node = await Recognizer.load(modelPath);
  try {
    const stream = new PoseStream(node, poseTargetOf(node), { ...CAMERA_STREAM, format: 'coco17', channels: 'xys' });
    const byFrame = new Map<number, StreamPrediction>();
    for (const f of rec.frames) {
      const p = await stream.push(f);
      if (p) byFrame.set(p.frame, p);
    }
    for (const shown of rec.predictions) {
      const expected = byFrame.get(shown.frame);
      assert.ok(expected, `Node made no prediction at frame ${shown.frame}`);
      assert.equal(shown.top[0].index, expected.top[0].index, `top-1 at frame ${shown.frame}`);
      assert.deepEqual(shown.top.map((t) => t.index), expected.top.map((t) => t.index));
      shown.top.forEach((t, k) => assert.ok(Math.abs(t.score - expected.top[k].score) < 1e-5, `frame ${shown.frame} score ${k}: ${t.score} vs ${expected.top[k].score}`));
    }
    // The table shows the last prediction recorded.
    const table = await w.page.$$eval('#live-top tr', (rows) => rows.map((r) => Number((r as HTMLElement).dataset.index)));
    assert.deepEqual(table, rec.predictions.at(-1)!.top.map((t) => t.index));
  } finally {
    await node.dispose();
  }
  assert.ok(w.requests.every((u) => u.startsWith(base) || u.startsWith('blob:')), `requests outside the server: ${w.requests.filter((u) => !u.startsWith(base))}`);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('Camera: an RTMPose-contract (SimCC, NCHW float32) model runs in the page too', { skip: NO_CHROMIUM }, async () => {
  const w = await openLiveTab();
  await w.page.selectOption('#camera-pose-select', '1');
  await w.page.click('#camera-start');
  await w.page.waitForFunction(() => Number(document.getElementById('camera-view')?.dataset.frames ?? 0) >= 5, undefined, { timeout: 120_000 });
  assert.match(await w.page.textContent('#camera-status') ?? '', /rtmpose_like\.onnx \(simcc, 96×64\) on 320×240 video/);
  const kp = JSON.parse(await w.page.$eval('#camera-view', (c) => (c as HTMLElement).dataset.keypoints!)) as number[][];
  await w.page.click('#camera-stop');
  // A model pixel is 3.75 video pixels here, a SimCC bin half of one.
  for (const j of [0, 11, 12]) assert.ok(offTrack(kp[j][0], kp[j][1], JOINT_BLOB[j]) <= 5, `joint ${j} at (${kp[j][0]}, ${kp[j][1]})`);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('Camera: a model of no supported contract is refused in the page, naming what it has and what is expected', { skip: NO_CHROMIUM }, async () => {
  const w = await openLiveTab();
  await w.page.setInputFiles('#camera-pose-file', join(disk, 'classifier.onnx'));
  await w.page.click('#camera-start');
  await w.page.waitForFunction(() => document.getElementById('camera')?.dataset.state === 'error', undefined, { timeout: 60_000 });
  const message = await w.page.textContent('#camera-status') ?? '';
  assert.match(message, /^classifier\.onnx: an NCHW image input but neither one heatmap output \[1,17,h,w\] nor two SimCC outputs/);
  assert.match(message, /Found input 'input' \[1,3,32,32\] float32; output 'logits' \[1,10\] float32\. Expected a COCO-17 keypoint model: MoveNet single-pose/);
  assert.equal(await w.page.$eval('#camera-view', (c) => (c as HTMLElement).dataset.frames ?? null), null, 'the camera did not start');
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('Camera: a denied camera permission and a missing camera are said so in the page', { skip: NO_CHROMIUM }, async () => {
  for (const [name, said] of [['NotAllowedError', /Camera permission denied: allow the camera/], ['NotFoundError', /No camera found/]] as const) {
    // What getUserMedia does when the user says no, or the machine has no camera.
    const w = await openLiveTab((page) => page.addInitScript((n) => { navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('refused', n)); }, name));
    await w.page.click('#camera-start');
    await w.page.waitForFunction(() => document.getElementById('camera')?.dataset.state === 'error', undefined, { timeout: 60_000 });
    assert.match(await w.page.textContent('#camera-status') ?? '', said);
    assert.deepEqual(w.errors, []);
    await w.page.close();
  }
});
