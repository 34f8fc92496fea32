/**
 * Faults a long training meets, each through the real CLI on tiny synthetic data (quick/j, one
 * thread, one loader worker, so a worker left alive would show up as a process that never exits):
 * a torn newest checkpoint on --resume, two trainings on one work dir, a NaN/inf loss, SIGTERM and
 * SIGINT, and a disk that fills while a checkpoint is written (a real tmpfs; skipped, loudly, when
 * this process may not mount one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../fixtures.js';
import { readCheckpointFile } from '../../src/torch/checkpoint.js';

const CLI = join(REPO_ROOT, 'bin/skagent.js');
const work = mkdtempSync(join(tmpdir(), 'skagent-faults-'));
const ann = join(work, 'synth.pkl');
const base = join(work, 'base');
/** Generous: a hang (a loader worker left alive) shows up as hitting this. */
const TIMEOUT_MS = 240_000;
const common = ['--ann-file', ann, '--threads', '1', '--workers', '1', '--batch', '8', '--agent', 'off', '--seed', '3'];

interface Run { status: number | null; signal: NodeJS.Signals | null; stderr: string }

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: TIMEOUT_MS, env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

function train(dir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Run {
  return cli(['train', 'quick/j', '--work-dir', dir, ...common, ...extra], env);
}

function copyOfBase(name: string): string {
  const dir = join(work, name);
  cpSync(base, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

function readable(path: string): boolean {
  try {
    readCheckpointFile(path);
    return true;
  } catch {
    return false;
  }
}

const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp') || f === 'train.lock');

test.before(() => {
  const r = cli(['data', 'synth', '--layout', 'nturgb+d', '--classes', '12', '--per-class', '1', '--min-frames', '20', '--max-frames', '30', '--out', ann]);
  assert.equal(r.status, 0, r.stderr);
  const t = train(base, ['--epochs', '2']);
  assert.equal(t.status, 0, t.stderr);
  assert.ok(readable(join(base, 'epoch_2.pth')));
});
test.after(() => rmSync(work, { recursive: true, force: true }));

test('--resume with a torn newest checkpoint names it, resumes from the newest readable one, and exits', () => {
  const dir = copyOfBase('torn');
  truncateSync(join(dir, 'epoch_2.pth'), statSync(join(dir, 'epoch_2.pth')).size >> 1);
  const r = train(dir, ['--epochs', '2', '--resume']);
  assert.equal(r.signal, null, `the process did not exit by itself (killed after ${TIMEOUT_MS} ms):\n${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /epoch_2\.pth is unreadable \(.*\); trying the previous checkpoint/);
  assert.match(r.stderr, /resumed from .*epoch_1\.pth \(epoch 1\); continuing at epoch 2/);
  assert.ok(readable(join(dir, 'epoch_2.pth')), 'epoch 2 was trained again and written whole');
  assert.equal(readlinkSync(join(dir, 'latest.pth')), 'epoch_2.pth');
  assert.deepEqual(leftovers(dir), []);
});

test('--resume with every checkpoint corrupt refuses (exit 3) and the process exits with its loader workers', () => {
  const dir = copyOfBase('all-corrupt');
  for (const f of ['epoch_1.pth', 'epoch_2.pth']) writeFileSync(join(dir, f), 'not a checkpoint');
  const r = train(dir, ['--epochs', '3', '--resume']);
  assert.equal(r.signal, null, `the process did not exit by itself:\n${r.stderr}`);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /none of the 2 epoch checkpoints in .* is readable/);
  assert.deepEqual(leftovers(dir), [], 'the work dir lock is released on the error path');
});

test('a second training on the same work dir refuses, naming the first one\'s pid; a dead owner\'s lock is taken over', async () => {
  const dir = copyOfBase('locked');
  const owner = spawn('sleep', ['120']);
  try {
    writeFileSync(join(dir, 'train.lock'), JSON.stringify({ pid: owner.pid, host: hostname(), started: '2026-01-01T00:00:00Z' }));
    const r = train(dir, ['--epochs', '2', '--resume']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`work dir .* is in use by another training \\(pid ${owner.pid}, started 2026-01-01T00:00:00Z\\)`));
    assert.ok(existsSync(join(dir, 'train.lock')), 'the owner\'s lock is left alone');
  } finally {
    const gone = once(owner, 'exit'); // reaped, not a zombie that still answers kill(pid, 0)
    owner.kill('SIGKILL');
    await gone;
  }
  const r = train(dir, ['--epochs', '2', '--resume']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`pid ${owner.pid} is no longer running; taking it over`));
  assert.deepEqual(leftovers(dir), [], 'released at exit');
});

/** quick/j with a learning rate that blows the weights up after the first step. */
function explodingConfig(): string {
  const config = JSON.parse(readFileSync(join(REPO_ROOT, 'configs', 'quick', 'j.json'), 'utf8'));
  config.optimizer.lr = 1e30;
  const path = join(work, 'exploding.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

test('a loss that becomes NaN/inf stops the run with its epoch/iteration and the last good checkpoint; --skip-nonfinite skips such batches', () => {
  const config = explodingConfig();
  const stop = cli(['train', config, '--work-dir', copyOfBase('nan-stop'), '--epochs', '3', '--resume', ...common]);
  assert.equal(stop.status, 1, stop.stderr);
  assert.match(stop.stderr, /the loss became (NaN|Infinity|-Infinity) at epoch 3, iteration \d+ \(batch \d+ of \d+\); the weights were not updated with it and the last good checkpoint is .*epoch_2\.pth/);
  const dir = copyOfBase('nan-skip');
  const skip = cli(['train', config, '--work-dir', dir, '--epochs', '3', '--resume', '--skip-nonfinite', ...common]);
  assert.equal(skip.status, 0, skip.stderr);
  assert.match(skip.stderr, /skipping the batch at epoch 3, iteration \d+ .*: loss (NaN|Infinity)/);
  assert.match(skip.stderr, /batch\(es\) with a non-finite loss were skipped/);
  assert.ok(readable(join(dir, 'epoch_3.pth')));
});

/** Starts a 3-epoch run from the base's epoch 2, stopped (SIGSTOP) right after epoch 3's checkpoint; then `signal`. */
async function stopWith(signal: 'SIGTERM' | 'SIGINT'): Promise<{ code: number | null; stderr: string; dir: string }> {
  const dir = copyOfBase(`signal-${signal}`);
  const child = spawn(process.execPath, [CLI, 'train', 'quick/j', '--work-dir', dir, '--epochs', '4', '--resume', ...common],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SKAGENT_STOP_AFTER_EPOCH: '3' } });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      if (/SKAGENT_STOP_AFTER_EPOCH=3: epoch 3 is saved/.test(stderr)) resolve();
    });
    child.on('exit', () => resolve());
  });
  // The hook logs its line and then stops itself: signal only once the process is really stopped,
  // or the SIGCONT lands before the SIGSTOP and the child stays stopped with the signal pending.
  if (child.exitCode === null && child.pid !== undefined) await untilStopped(child.pid);
  child.kill(signal);
  child.kill('SIGCONT');
  const code = await exited;
  return { code, stderr, dir };
}

/** Resolves once /proc says the process is stopped (state T) or gone; fails after 60 s. */
async function untilStopped(pid: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    let state: string;
    try { state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0]!; } catch { return; }
    if (state === 'T' || state === 'Z') return;
    if (Date.now() > deadline) throw new Error(`training child ${pid} did not stop itself within 60 s (state ${state})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGTERM and SIGINT stop a training with exit 143 / 130, the checkpoints written complete, resumable', { timeout: 300_000 }, async () => {
  const [term, int] = await Promise.all([stopWith('SIGTERM'), stopWith('SIGINT')]);
  for (const [r, code, word] of [[term, 143, 'terminated'], [int, 130, 'interrupted']] as const) {
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, new RegExp(`skagent train: ${word} \\(SIG(TERM|INT)\\); files written so far are complete`));
    assert.ok(readable(join(r.dir, 'epoch_3.pth')));
    assert.equal(readlinkSync(join(r.dir, 'latest.pth')), 'epoch_3.pth');
    assert.deepEqual(leftovers(r.dir), []);
  }
});

/** A 3 MiB tmpfs, or a reason to skip: the epoch-1 checkpoint (~1.9 MB) fits, the next one does not. */
function smallDisk(): string | null {
  const mnt = join(work, 'tmpfs');
  mkdirSync(mnt);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { encoding: 'utf8' });
  return r.status === 0 ? mnt : null;
}

test('a disk that fills while a checkpoint is written: the run stops (exit 4) with the message, the previous checkpoint and latest intact', (t) => {
  const mnt = smallDisk();
  if (!mnt) {
    t.skip('SKIPPED: cannot mount a tmpfs here (needs root)');
    console.warn('\n*** SKIPPED: disk-full test needs to mount a tmpfs (root) ***\n');
    return;
  }
  try {
    const dir = join(mnt, 'run');
    mkdirSync(dir);
    cpSync(join(base, 'epoch_1.pth'), join(dir, 'epoch_1.pth'));
    const r = train(dir, ['--epochs', '2', '--resume']);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /disk full \(ENOSPC\) while writing .*epoch_2\.pth: it was not written; .*epoch_1\.pth and latest\.pth are intact/);
    assert.ok(!existsSync(join(dir, 'epoch_2.pth')));
    assert.ok(readable(join(dir, 'epoch_1.pth')));
    assert.equal(readlinkSync(join(dir, 'latest.pth')), 'epoch_1.pth');
    assert.deepEqual(leftovers(dir), [], 'the partial temporary file is removed');
  } finally {
    spawnSync('umount', [mnt]);
  }
});
