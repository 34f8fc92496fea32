/** The frame-sampling op names (one list, aliases included) as the tester and the bench read them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import { benchModelSpec } from '../../src/engine/bench.js';
import { withTestClips } from '../../src/engine/tester.js';
import { OPS, SAMPLING_OPS } from '../../src/transforms/index.js';

/** ntu60_xsub/j with its samplers renamed to the original's `UniformSample` alias. */
function withAlias(): Config {
  const config = structuredClone(loadConfig('ntu60_xsub/j'));
  for (const ops of [config.train_pipeline, config.test_pipeline, config.data.test.pipeline] as { type: string }[][]) {
    for (const op of ops) if (op.type === 'UniformSampleDecode' || op.type === 'UniformSampleFrames') op.type = 'UniformSample';
  }
  return config;
}

test('SAMPLING_OPS lists every registered sampler name, the UniformSample alias included', () => {
  assert.deepEqual([...SAMPLING_OPS].sort(), ['UniformSample', 'UniformSampleDecode', 'UniformSampleFrames']);
  for (const name of SAMPLING_OPS) assert.ok(OPS[name], name);
});

test('the tester sets the clip count on an aliased sampler; the bench reads its clip_len and num_clips', () => {
  const config = withAlias();
  const sampler = (withTestClips(config, 7).data.test.pipeline as { type: string; num_clips?: number }[]).find((op) => op.type === 'UniformSample');
  assert.equal(sampler?.num_clips, 7);
  const spec = benchModelSpec(config);
  assert.equal(spec.frames, 100);
  assert.equal(spec.clips, 10);
});
