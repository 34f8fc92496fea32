/** `skagent agent init / refine / select` as real subprocesses against a loopback LLM server. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseConversation } from '../../src/agent/conversation.js';
import { readNpy } from '../../src/io/npy.js';
import { ORIGINAL, REPO_ROOT, needOriginal, original } from '../fixtures.js';
import { type FakeLlm, quotedAction, scriptedAgent, startFakeLlm } from './llm-server.js';

const run = promisify(execFile);
const KEY = 'sk-cli-SECRET-987654321';
const BIN = join(REPO_ROOT, 'bin', 'skagent.js');

/** Runs skagent asynchronously (the fake server lives in this process and must keep answering). */
async function skagent(args: string[], env: Record<string, string> = { OPENAI_API_KEY: KEY }) {
  const base = { ...process.env };
  delete base.OPENAI_API_KEY;
  delete base.OPENAI_BASE_URL;
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('skagent agent', () => {
  let server: FakeLlm;
  let failKick = true;
  let dir: string;
  let labels: string;
  const vocab = ORIGINAL ? ['--clip-vocab', original('bpe_simple_vocab_16e6.txt.gz')] : [];

  before(async () => {
    const agent = scriptedAgent([1, 2, 5]);
    server = await startFakeLlm((request) => {
      const last = request.messages[request.messages.length - 1].content;
      if (failKick && quotedAction(request.messages[0].content) === 'kick/ball' && last.includes('numerical labels')) return { status: 503 };
      return agent(request);
    });
    dir = mkdtempSync(join(tmpdir(), 'skagent-cli-'));
    labels = join(dir, 'toy.txt');
    writeFileSync(labels, 'wave hand\nkick/ball\nsit down\n');
  });
  after(async () => server.close());

  it('--help teaches usage', async () => {
    for (const sub of ['init', 'refine', 'select']) {
      const { code, stdout } = await skagent(['agent', sub, '--help']);
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`Usage: skagent agent ${sub}`));
      assert.match(stdout, /Example/);
    }
  });

  it('init without a key exits 4 and says what to set', async () => {
    const { code, stderr } = await skagent(['agent', 'init', '--labels', labels, '--layout', 'uav', '--out', join(dir, 'nokey')], {});
    assert.equal(code, 4);
    assert.match(stderr, /OPENAI_API_KEY/);
  });

  it('init: a failing class gets no file; a second run asks only for it and writes the tensors', async () => {
    const out = join(dir, 'conv');
    const args = ['agent', 'init', '--labels', labels, '--layout', 'uav', '--out', out, '--base-url', server.url, '--max-attempts', '2', '--timeout', '5', ...vocab];
    const first = await skagent(args);
    assert.equal(first.code, 1, first.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['001_wave_hand.txt', '003_sit_down.txt']);
    assert.match(first.stdout, /2 written, 0 already present, 1 failed/);

    failKick = false;
    const asked = server.requests.length;
    const second = await skagent(args);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(server.requests.length - asked, 5, 'only the missing class is asked, five rounds');
    const text = readFileSync(join(out, '002_kick_ball.txt'), 'utf8');
    const rounds = parseConversation(text, 'kick');
    assert.equal(rounds.length, 5);
    assert.equal(rounds[2].answer, '1, 2, 5');
    assert.match(rounds[2].question, /17 skeleton joints/);
    const j = readNpy(join(out, 'cls_matrix', 'toy_j_critical_joints.npy'));
    assert.deepEqual(j.shape, [3, 17, 17]);
    const markedRows = [...Array(17).keys()].filter((r) => j.data[17 * 17 + r * 17] === 1);
    assert.deepEqual(markedRows, [0, 1, 4]);
    for (const o of [first, second]) assert.ok(!(o.stdout + o.stderr).includes(KEY));
  });

  it('refine: corrected lists from metrics.json; unconfused classes are not asked', async () => {
    const metrics = join(dir, 'metrics.json');
    writeFileSync(metrics, JSON.stringify({ top1_acc: 0.5, confusion_matrix: [[4, 1, 0], [0, 5, 0], [0, 0, 5]] }));
    const out = join(dir, 'refined');
    const asked = server.requests.length;
    const res = await skagent(['agent', 'refine', '--conversations', join(dir, 'conv'), '--labels', labels, '--confusion', metrics,
      '--out', out, '--mode', 'corrected', '--base-url', server.url, ...vocab]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(server.requests.length - asked, 2);
    const report = JSON.parse(readFileSync(join(out, 'refine_report.json'), 'utf8'));
    assert.deepEqual(report.updated, [0, 1]);
    assert.deepEqual(report.skipped, [2]);
    assert.deepEqual(report.classLists[0].similar, [1]);
    const wave = parseConversation(readFileSync(join(out, '001_wave_hand.txt'), 'utf8'), 'wave');
    assert.equal(wave.length, 6);
    assert.match(wave[5].question, /'wave hand' action needs to be distinguished from similar actions like 'kick\/ball'\./);
    assert.equal(wave[5].answer, 'Refined: wave hand differs from its look-alikes by its timing.');
    assert.deepEqual(readFileSync(join(out, '003_sit_down.txt')), readFileSync(join(dir, 'conv', '003_sit_down.txt')));
  });

  it('refine: a confusion matrix of the wrong size is bad input (exit 3)', async () => {
    const npy = join(dir, 'bad.json');
    writeFileSync(npy, JSON.stringify({ confusion_matrix: [[1, 0], [0, 1]] }));
    const res = await skagent(['agent', 'refine', '--conversations', join(dir, 'conv'), '--labels', labels, '--confusion', npy, '--out', join(dir, 'x'), '--base-url', server.url]);
    assert.equal(res.code, 3);
    assert.match(res.stderr, /2x2 confusion matrix for 3 classes/);
  });

  it('select rebuilds the shipped UAV tensors byte for byte', { skip: needOriginal() }, async () => {
    const out = join(dir, 'sel');
    const res = await skagent(['agent', 'select', '--conversations', original('text', 'gpt4o', 'uav_human'),
      '--labels', original('text', 'label_map', 'uav_human.txt'), '--out', out], {});
    assert.equal(res.code, 0, res.stderr);
    for (const m of ['j', 'b', 'k']) {
      const f = `uav_human_${m}_critical_joints.npy`;
      assert.deepEqual(readFileSync(join(out, f)), readFileSync(original('cls_matrix', f)));
    }
  });
});
