/**
 * `skagent train --nproc-per-node 2` end to end through the real CLI (Gloo on loopback, the
 * embedded synthetic data, quick config, 1 thread per rank):
 * - the run trains, validates and tests (--test-last/--test-best) sharded, and rank 0 alone writes
 *   logs, checkpoints and test results;
 * - a rank killed mid-epoch ends the run with an error naming it; --resume completes from the
 *   last complete checkpoint;
 * - a rank that hangs (SIGSTOP) makes the others stop after --dist-timeout, naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../fixtures.js';
import { torchAvailable } from '../../src/torch/index.js';
import { availableBackends } from '../../src/torch/distributed.js';
import { freePort } from './spawn-ranks.js';

const skip = !torchAvailable() ? 'SKIPPED: libtorch bridge not built'
  : !availableBackends().gloo ? 'SKIPPED: bridge built without c10d Gloo (apt-get install libgloo-dev; npm run build:native)' : false;
if (skip) console.warn(`\n*** ${skip} ***\n`);

const CLI = join(REPO_ROOT, 'bin/skagent.js');
const work = mkdtempSync(join(tmpdir(), 'skagent-ddp-cli-'));
const ann = join(work, 'synth.pkl');
const env = { ...process.env, OMP_NUM_THREADS: '1' };

async function args(dir: string, epochs: number, extra: string[] = []): Promise<string[]> {
  return [CLI, 'train', 'quick/j', '--ann-file', ann, '--work-dir', dir, '--epochs', String(epochs), '--validate', '--threads', '1', '--workers', '0',
    '--seed', '3', '--nproc-per-node', '2', '--master-port', String(await freePort()), ...extra];
}

interface Run { code: number | null; stderr: string; seconds: number }

/** Runs the launcher; `onLine` sees its stderr lines (to kill or stop a rank at a chosen point). */
function run(argv: string[], onLine?: (line: string, all: string) => void): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      for (const line of text.split(/[\n\r]/)) if (line) onLine?.(line, stderr);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr, seconds: (Date.now() - t0) / 1000 }); });
  });
}

function pidOf(stderr: string, rank: number): number {
  const m = new RegExp(`rank ${rank}: pid (\\d+)`).exec(stderr);
  assert.ok(m, `no pid for rank ${rank} in: ${stderr}`);
  return Number(m[1]);
}

test.before(() => {
  const r = spawnSync(process.execPath, [CLI, 'data', 'synth', '--layout', 'nturgb+d', '--classes', '12', '--per-class', '4', '--out', ann], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
test.after(() => rmSync(work, { recursive: true, force: true }));

test('2 ranks train, validate and test sharded; rank 0 alone writes logs, checkpoints and results; the log gives world size and effective batch', { skip }, async () => {
  const dir = join(work, 'plain');
  const r = await run(await args(dir, 2, ['--test-last', '--test-best', '--bucket-cap-mb', '1']));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /rank 0 of 2 joined \(gloo, .*gradient buckets of 1 MiB\)/);
  const files = readdirSync(dir);
  assert.equal(files.filter((f) => f.endsWith('.log')).length, 1, files.join(' '));
  for (const f of ['epoch_1.pth', 'epoch_2.pth', 'latest.pth']) assert.ok(files.includes(f), `${f} missing: ${files.join(' ')}`);
  const log = readFileSync(join(dir, files.find((f) => f.endsWith('.log'))!), 'utf8');
  assert.match(log, /world size 2, batch 8 per rank × 2 rank\(s\) × 1 accumulated = effective batch 16/);
  assert.match(log, /linear-scaling rule: 0\.01 × 16 \/ 8 = 0\.02/);
  assert.match(log, /epoch 2 validation: top1/);
  // The val split (15 samples) does not divide by 2: the gathered scores hold each sample once.
  for (const name of ['test_last', 'test_best']) {
    assert.match(log, new RegExp(`${name}: top1 .*\\(15 samples, sharded over 2 ranks\\)`));
    assert.equal(JSON.parse(readFileSync(join(dir, name, 'metrics.json'), 'utf8')).num_samples, 15);
  }
});

test('a rank killed mid-epoch ends the run naming it; --resume completes from the last complete checkpoint', { skip }, async () => {
  const dir = join(work, 'killed');
  let killed = false;
  const r = await run(await args(dir, 3, ['--dist-timeout', '30']), (line, all) => {
    // Mid-epoch 2: once epoch 1's checkpoint is written, during epoch 2's first steps.
    if (!killed && /epoch 1 validation/.test(line)) {
      killed = true;
      const waitForCheckpoint = setInterval(() => {
        if (!existsSync(join(dir, 'epoch_1.pth'))) return;
        clearInterval(waitForCheckpoint);
        setTimeout(() => process.kill(pidOf(all, 1), 'SIGKILL'), 1500);
      }, 50);
    }
  });
  assert.ok(killed, `never reached epoch 2: ${r.stderr}`);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /rank 1 \(pid \d+\) was killed by SIGKILL/);
  assert.ok(r.seconds < 120, `the run took ${r.seconds} s to stop`);
  assert.ok(existsSync(join(dir, 'epoch_1.pth')) && !existsSync(join(dir, 'epoch_3.pth')));
  assert.doesNotMatch(r.stderr, /epoch 2 validation/, 'the kill came after epoch 2');
  const resumed = await run([...(await args(dir, 3)), '--resume']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resumed from .*epoch_(1|2)\.pth/);
  assert.ok(existsSync(join(dir, 'epoch_3.pth')));
});

test('a rank that hangs makes the others stop after --dist-timeout with a message naming it', { skip }, async () => {
  const dir = join(work, 'hung');
  let stopped = 0;
  const r = await run(await args(dir, 3, ['--dist-timeout', '8']), (line, all) => {
    // Mid-epoch 1, during its first steps.
    if (!stopped && /training quick\/j:/.test(line)) { stopped = pidOf(all, 1); setTimeout(() => process.kill(stopped, 'SIGSTOP'), 1500); }
  });
  assert.ok(stopped, `never started training: ${r.stderr}`);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /rank 0: gradient allreduce \(during backward\) \(collective #\d+\) failed/);
  // Stopped before its backward or inside it (the reducer's allreduce overlaps it): both name rank 1 alone.
  assert.match(r.stderr, /rank 0: .*\n  rank 1 (\(at collective #\d+\) did not reach collective #\d+|started collective #\d+ but neither finished nor failed it within 8 s): died or hangs/);
  assert.doesNotMatch(r.stderr, /rank 0 (\(at collective|started collective)/, 'rank 0 does not blame itself');
  assert.ok(r.seconds < 90, `the run took ${r.seconds} s to stop`);
  assert.throws(() => process.kill(stopped, 0), (err: NodeJS.ErrnoException) => err.code === 'ESRCH', `rank 1 (pid ${stopped}) is still alive`);
});
