/**
 * `skeletonagent/runtime` without libtorch: a child process imports the runtime by its package
 * name with the native addon made unloadable (SKAGENT_NATIVE_ADDON points nowhere) and a module
 * resolve hook that fails any import of the libtorch side (dist/src/torch/, native/), recognises
 * raw keypoints with an exported model through the model's own test pipeline, runs
 * skeletonagent/live's pose estimator (a MoveNet-contract test model) on an RGBA frame, and reports which
 * shared libraries its process mapped: no libtorch, libc10 or addon may be among them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad } from '../../src/torch/index.js';
import { loadConfig } from '../../src/config/index.js';
import { buildModel } from '../../src/engine/build.js';
import { exportInferenceGraph } from '../../src/export/onnx-model.js';
import { exportMetadata } from '../../src/export/export.js';
import { metadataProps } from '../../src/runtime/metadata.js';
import { REPO_ROOT } from '../fixtures.js';
import { moveNetLike } from '../live/pose-models.js';

const HOOK = `
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (/\\/dist\\/src\\/torch\\/|\\/native\\/|skagent_torch/.test(r.url)) throw new Error('libtorch side imported: ' + r.url + ' (from ' + context.parentURL + ')');
  return r;
}`;

const CHILD = `
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
register('data:text/javascript,' + encodeURIComponent(process.env.HOOK));
const { Recognizer } = await import('skeletonagent/runtime');
const rec = await Recognizer.load(process.env.MODEL, { threads: 1, topK: 3 });
const frames = 40, joints = rec.joints;
const person = Array.from({ length: frames }, (_, t) => Array.from({ length: joints }, (_, j) => [Math.sin(t * 0.1 + j), Math.cos(t * 0.07 * j), 0.5 + j * 0.01]));
const out = await rec.recognize([person]);
// skeletonagent/live's pose estimator on the same ONNX Runtime, feeding a PoseStream.
const live = await import('skeletonagent/live');
const ort = await import('onnxruntime-node');
const pose = await live.PoseEstimator.create(ort, readFileSync(process.env.POSE));
const rgba = new Uint8ClampedArray(64 * 48 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 7) % 256));
const keypoints = await pose.estimate({ data: rgba, width: 64, height: 48 });
await pose.release();
const maps = readFileSync('/proc/self/maps', 'utf8');
const libs = [...new Set(maps.split('\\n').map((l) => l.split(/\\s+/)[5]).filter((p) => p && p.includes('.so') || p && p.endsWith('.node')))];
console.log(JSON.stringify({ top: out.top, sum: out.scores.reduce((a, b) => a + b, 0), libs, labels: rec.labels, poseJoints: keypoints.length }));
await rec.dispose();
`;

test('skeletonagent/runtime recognises, and skeletonagent/live estimates poses, in a process where libtorch and the addon cannot load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-runtime-'));
  try {
    const config = loadConfig('quick/j');
    const model = buildModel(config, { seed: 1 });
    const labels = Array.from({ length: config.model.backbone.num_classes }, (_, i) => `action ${i}`);
    const modelPath = join(dir, 'quick_j.onnx');
    try {
      const metadata = exportMetadata(config, 'quick/j', 'f'.repeat(64), labels);
      noGrad(() => writeFileSync(modelPath, exportInferenceGraph(model.eval(), { metadata: metadataProps(metadata), producerVersion: 'test', inChannels: 3 }).bytes));
    } finally {
      model.dispose();
    }
    const posePath = join(dir, 'pose.onnx');
    writeFileSync(posePath, moveNetLike(32));
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: REPO_ROOT,
      env: { ...process.env, HOOK, MODEL: modelPath, POSE: posePath, SKAGENT_NATIVE_ADDON: join(dir, 'no-such-addon.node'), LD_LIBRARY_PATH: '' },
      encoding: 'utf8',
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { top: { index: number; label: string; score: number }[]; sum: number; libs: string[]; labels: string[]; poseJoints: number };
    assert.equal(result.poseJoints, 17);
    assert.equal(result.top.length, 3);
    assert.equal(result.top[0].label, `action ${result.top[0].index}`);
    assert.ok(result.top[0].score >= result.top[1].score && result.top[1].score >= result.top[2].score, 'top-k sorted');
    assert.ok(Math.abs(result.sum - 1) < 1e-4, `softmax scores sum to 1, got ${result.sum}`);
    assert.ok(result.libs.some((l) => l.includes('onnxruntime')), `ONNX Runtime was loaded (mapped: ${result.libs.join(', ')})`);
    const torchLibs = result.libs.filter((l) => /libtorch|libc10|skagent_torch/.test(l));
    assert.deepEqual(torchLibs, [], 'no libtorch library mapped into the runtime process');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
