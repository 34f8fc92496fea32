/**
 * Training with the agent loop against a real OpenAI-compatible HTTP server on loopback: `agent
 * init` writes the per-class conversations for the synthetic classes, then a quick-config run
 * with alignment refreshes the descriptions after its epoch; the logs show the new descriptions,
 * the run's conversation copies hold them, and training completes. A second run against a server
 * that only fails keeps every description and still completes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, needOriginal, original } from '../fixtures.js';
import { scriptedAgent, startFakeLlm, type FakeLlm } from '../agent/llm-server.js';
import { readAgentHistory } from '../../src/viewer/agent.js';
import { readRunLog } from '../../src/viewer/run-log.js';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'bin/skagent.js');
const KEY = 'sk-test-NEVER-LOGGED-123';

async function skagent(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: '' }, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('quick training with alignment and an agent refresh against a loopback LLM', { skip: needOriginal() }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'skagent-agent-train-'));
  let server: FakeLlm | null = null;
  try {
    server = await startFakeLlm(scriptedAgent([3, 4, 7, 11]));
    const vocab = original('bpe_simple_vocab_16e6.txt.gz');
    const ann = join(work, 'synth.pkl');
    const labels = join(work, 'labels.txt');
    let r = await skagent(['data', 'synth', '--layout', 'nturgb+d', '--classes', '12', '--per-class', '8', '--out', ann, '--labels', labels]);
    assert.equal(r.code, 0, r.stderr);
    const conv = join(work, 'conversations');
    r = await skagent(['agent', 'init', '--layout', 'nturgb+d', '--labels', labels, '--out', conv, '--base-url', server.url, '--clip-vocab', vocab]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readdirSync(conv).filter((f) => f.endsWith('.txt')).length, 12);

    const dir = join(work, 'run');
    const asked = server.requests.length;
    r = await skagent(['train', 'quick/j', '--ann-file', ann, '--work-dir', dir, '--epochs', '1', '--threads', '2', '--workers', '0',
      '--labels', labels, '--conversations', conv, '--clip-vocab', vocab, '--agent', 'corrected', '--llm-base-url', server.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(server.requests.length > asked, 'the agent asked the LLM after the epoch');
    assert.match(r.stderr, /\[agent\] class \d+: new description: /);
    const events = readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.log.json'))!), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const update = events.find((e) => e.mode === 'agent');
    assert.ok(update && update.updated_classes.length > 0, 'an agent event lists the updated classes');
    // What the viewer's Agent view reads: the confusion lists asked about and the new descriptions.
    assert.equal(update.confused.length, 12);
    for (const c of update.updated_classes as number[]) {
      assert.ok(update.confused[c].length > 0, `class ${c} was updated without a confusion list`);
      assert.ok(r.stderr.includes(`[agent] class ${c}: new description: ${update.descriptions[c]}`));
    }
    const history = readAgentHistory(dir, readRunLog(dir));
    assert.equal(history.classes.length, 12);
    assert.deepEqual(history.refreshes.map((h) => h.updated), [update.updated_classes]);
    const first = update.updated_classes[0] as number;
    assert.equal(history.classes[first].description, update.descriptions[first]);
    assert.ok(existsSync(join(dir, 'epoch_1.pth')));
    const logText = readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    assert.ok(!logText.includes(KEY) && !r.stderr.includes(KEY), 'the API key never appears in logs');
  } finally {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  }
});
