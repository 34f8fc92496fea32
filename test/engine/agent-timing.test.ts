/**
 * When the agent may refresh descriptions (`check_state`, skeletonagent/models/heads/base.py):
 * `--agent reproduce` follows the original, whose Questioner runs from the validation step
 * (check_state on every validation batch; the first one after training closes the epoch), so
 * without validation it never runs; `--agent corrected` refreshes after every training epoch.
 * Pinned at both levels: the trainer calls the validation hook only while validating, and
 * TextSemantics forwards each hook only to the agent's matching entry point.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { writeSynthetic } from '../../src/data/index.js';
import { setNumThreads } from '../../src/torch/index.js';
import { createTextEncoder } from '../../src/text/encoder-factory.js';
import type { AgentLoop, AgentUpdate } from '../../src/agent/loop.js';
import { buildModel } from '../../src/engine/build.js';
import { train } from '../../src/engine/trainer.js';
import { RunLogger } from '../../src/engine/logger.js';
import { TextSemantics } from '../../src/engine/semantics.js';

const CLASSES = 4;
const NAMES = Array.from({ length: CLASSES }, (_, c) => `a person does action ${c + 1}`);

/** An agent that records which of its entry points are called, in order. */
function recordingAgent(mode: 'reproduce' | 'corrected'): { agent: AgentLoop; calls: string[] } {
  const calls: string[] = [];
  const agent = {
    mode,
    descriptions: NAMES,
    observeTrainingBatch: () => { calls.push('train-step'); },
    onValidationBatch: async (): Promise<AgentUpdate | null> => { calls.push('validation-batch'); return null; },
    onEpochEnd: async (epoch: number): Promise<AgentUpdate | null> => { calls.push(`epoch-end ${epoch}`); return null; },
  };
  return { agent: agent as unknown as AgentLoop, calls };
}

/** Collapses runs of the same call: ['train-step', 'train-step', 'x'] → ['train-step×2', 'x']. */
function runs(calls: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of calls) {
    const last = out.length ? out[out.length - 1] : '';
    const m = /^(.*)×(\d+)$/.exec(last);
    if (m && m[1] === c) out[out.length - 1] = `${c}×${Number(m[2]) + 1}`;
    else if (last === c) out[out.length - 1] = `${c}×2`;
    else out.push(c);
  }
  return out;
}

test('trainer: the validation hook runs on every validation batch and only while validating; the epoch hook after every epoch', async () => {
  setNumThreads(1);
  const work = mkdtempSync(join(tmpdir(), 'skagent-agent-timing-'));
  try {
    const annFile = join(work, 'synth.pkl');
    writeSynthetic(annFile, { layout: 'nturgb+d', classes: CLASSES, perClass: 12, seed: 3 });
    const config = structuredClone(loadConfig('quick/j'));
    config.model.backbone.num_classes = CLASSES;
    config.model.cls_head.num_classes = CLASSES;
    config.data.test_dataloader.videos_per_gpu = 1;
    const traces: Record<string, string[]> = {};
    for (const validate of [false, true]) {
      const { agent, calls } = recordingAgent('reproduce');
      const semantics = new TextSemantics(createTextEncoder({ kind: 'builtin', dim: 512 }), NAMES, agent);
      const model = buildModel(config, { seed: 0 });
      const workDir = join(work, validate ? 'validate' : 'plain');
      try {
        await train({
          config, configName: 'quick/j', model, semantics, workDir, annFile, seed: 0, epochs: 2, batchSize: 8,
          workers: 0, validate, resume: false, device: 'cpu', logger: new RunLogger(workDir, false),
        });
      } finally {
        model.dispose();
      }
      traces[String(validate)] = runs(calls);
    }
    // Without validation nothing ever reaches the reproduce timing's hook (the original never refreshes).
    assert.deepEqual(traces.false, ['train-step×5', 'epoch-end 1', 'train-step×5', 'epoch-end 2']);
    // With it, every validation batch calls it (two batches of 8), after the epoch hook.
    assert.deepEqual(traces.true, ['train-step×5', 'epoch-end 1', 'validation-batch×2', 'train-step×5', 'epoch-end 2', 'validation-batch×2']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('TextSemantics forwards the epoch hook and the validation hook to the agent separately', async () => {
  const logger = { info: () => {}, event: () => {} } as unknown as RunLogger;
  for (const mode of ['reproduce', 'corrected'] as const) {
    const { agent, calls } = recordingAgent(mode);
    const semantics = new TextSemantics(createTextEncoder({ kind: 'builtin', dim: 16 }), NAMES, agent);
    await semantics.onEpochEnd(1, logger);
    assert.deepEqual(calls, ['epoch-end 1'], `${mode}: an epoch end is not a validation batch`);
    await semantics.onValidationBatch(logger);
    assert.deepEqual(calls, ['epoch-end 1', 'validation-batch'], mode);
  }
});

test('TextSemantics.adoptDescriptions: a multi-process run\'s other ranks embed rank 0\'s descriptions', () => {
  const encoder = () => createTextEncoder({ kind: 'builtin', dim: 16 });
  const renamed = NAMES.map((n, c) => (c === 2 ? `${n}, told apart from action 4 by the raised arm` : n));
  const semantics = new TextSemantics(encoder(), NAMES);
  const reference = new TextSemantics(encoder(), renamed);
  const labels = Int32Array.of(2, 0);
  try {
    const before = semantics.embed(labels).toFloat32Array();
    semantics.adoptDescriptions(renamed);
    assert.deepEqual(semantics.descriptions, renamed);
    const after = semantics.embed(labels).toFloat32Array();
    assert.deepEqual([...after], [...reference.embed(labels).toFloat32Array()], 'the same embeddings as a rank that started from them');
    assert.notDeepEqual([...after.subarray(0, 16)], [...before.subarray(0, 16)], 'class 2 is re-embedded');
    assert.deepEqual([...after.subarray(16)], [...before.subarray(16)], 'class 0 is unchanged');
    assert.throws(() => semantics.adoptDescriptions(renamed.slice(1)), /rank 0 sent 3 descriptions, this rank has 4 classes/);
  } finally {
    semantics.dispose();
    reference.dispose();
  }
});
