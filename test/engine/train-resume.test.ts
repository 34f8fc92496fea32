/**
 * Training end to end through the real CLI, on the embedded synthetic data:
 * - a quick-config run learns (validation top-1 far above chance);
 * - a run killed (SIGKILL) right after its first epoch checkpoint (where the child stops itself
 *   through the trainer's SKAGENT_STOP_AFTER_EPOCH hook) and resumed with --resume ends
 *   with exactly the weights of an uninterrupted run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../fixtures.js';
import { readCheckpointFile } from '../../src/torch/checkpoint.js';
import { bytesOf } from '../../src/io/ndarray.js';

const CLI = join(REPO_ROOT, 'bin/skagent.js');
const work = mkdtempSync(join(tmpdir(), 'skagent-train-'));
const ann = join(work, 'synth.pkl');
const common = ['--ann-file', ann, '--threads', '2', '--workers', '1', '--seed', '7'];

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

test.before(() => {
  const r = cli(['data', 'synth', '--layout', 'nturgb+d', '--classes', '12', '--per-class', '24', '--out', ann]);
  assert.equal(r.status, 0, r.stderr);
});
test.after(() => rmSync(work, { recursive: true, force: true }));

function valTop1(workDir: string): number[] {
  const log = readdirSync(workDir).find((f) => f.endsWith('.log.json'))!;
  return readFileSync(join(workDir, log), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.mode === 'val').map((e) => e.top1_acc);
}

test('a quick-config run on synthetic data learns: validation top-1 at least 3× chance (8.3 %)', () => {
  const dir = join(work, 'learn');
  const r = cli(['train', 'quick/j', '--work-dir', dir, '--epochs', '8', '--validate', ...common]);
  assert.equal(r.status, 0, r.stderr);
  const top1 = valTop1(dir);
  assert.equal(top1.length, 8);
  assert.ok(Math.max(...top1) >= 0.25, `validation top-1 per epoch: ${top1.map((t) => (100 * t).toFixed(1)).join(', ')} %`);
  assert.ok(existsSync(join(dir, 'latest.pth')) && readdirSync(dir).some((f) => f.startsWith('best_top1_acc_epoch_')));
});

test('killed after epoch 1 and resumed, a run ends with the weights of an uninterrupted one', async () => {
  const straight = join(work, 'straight');
  const resumed = join(work, 'resumed');
  const args = (dir: string) => ['train', 'quick/b', '--work-dir', dir, '--epochs', '2', ...common];
  assert.equal(cli(args(straight)).status, 0);

  // The child stops itself (SIGSTOP) right after writing epoch 1 and saying so; the kill then
  // lands at that known point, whatever the speed of the machine.
  const child = spawn(process.execPath, [CLI, ...args(resumed)], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SKAGENT_STOP_AFTER_EPOCH: '1' } });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  const stopped = await new Promise<boolean>((resolve) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      if (/SKAGENT_STOP_AFTER_EPOCH=1: epoch 1 is saved/.test(stderr)) resolve(true);
    });
    child.on('exit', () => resolve(false));
  });
  assert.ok(stopped, `the child exited before stopping after epoch 1:\n${stderr}`);
  child.kill('SIGKILL');
  await exited;
  assert.ok(existsSync(join(resumed, 'epoch_1.pth')), 'epoch 1 was saved before the kill');
  assert.ok(!existsSync(join(resumed, 'epoch_2.pth')), 'the kill came before epoch 2');
  const r = cli([...args(resumed), '--resume']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /resumed from .*epoch_1\.pth/);

  const a = readCheckpointFile(join(straight, 'epoch_2.pth')).stateDict;
  const b = readCheckpointFile(join(resumed, 'epoch_2.pth')).stateDict;
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [key, t] of a) {
    assert.ok(Buffer.from(bytesOf(t.array)).equals(Buffer.from(bytesOf(b.get(key)!.array))), `${key} differs after resume`);
  }
});
