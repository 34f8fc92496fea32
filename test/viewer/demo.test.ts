/**
 * `skagent demo`'s outputs give `skagent view` a working Live tab: the demo (a real subprocess,
 * kept tiny) exports its joint and bone models to ONNX with the class names; the viewer's
 * catalog lists them as models, and the deploy runtime loads and runs them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYNTH_CLASS_NAMES } from '../../src/data/index.js';
import { Recognizer } from '../../src/runtime/node.js';
import { buildCatalog } from '../../src/viewer/catalog.js';
import { ServedRoots } from '../../src/viewer/safe-path.js';
import { syntheticAction } from '../../src/viewer/synthetic-action.js';

const BIN = new URL('../../../bin/skagent.js', import.meta.url).pathname;

test('skagent demo exports its models: the Live tab of skagent view on its outputs has them', async () => {
  const out = mkdtempSync(join(tmpdir(), 'skagent-demo-'));
  try {
    const r = spawnSync(process.execPath, [BIN, 'demo', '--out', out, '--epochs', '1', '--classes', '3', '--per-class', '4', '--threads', '1', '--device', 'cpu', '--workers', '0'],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\[demo\] quick\/j: exported .*quick_j\.onnx/);
    const models = buildCatalog(new ServedRoots([out])).filter((e) => e.kind === 'model').map((e) => e.rel).sort();
    assert.deepEqual(models, ['b/quick_b.onnx', 'j/quick_j.onnx']);
    // Written atomically: no temporary file left next to them.
    assert.deepEqual(readdirSync(join(out, 'j')).filter((f) => f.includes('.onnx')), ['quick_j.onnx']);
    for (const m of models) {
      const rec = await Recognizer.load(join(out, m));
      try {
        assert.equal(rec.layout, 'nturgb+d');
        assert.deepEqual(rec.labels, SYNTH_CLASS_NAMES.slice(0, 3));
        const { scores, top } = await rec.recognize(syntheticAction('nturgb+d', 1, 0).keypoints);
        assert.equal(scores.length, 3);
        assert.ok(Math.abs(scores.reduce((a, b) => a + b, 0) - 1) < 1e-5, `${m}: scores sum to ${scores.reduce((a, b) => a + b, 0)}`);
        assert.equal(top[0].label, SYNTH_CLASS_NAMES[top[0].index]);
      } finally {
        await rec.dispose();
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
