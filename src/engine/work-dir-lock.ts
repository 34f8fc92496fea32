/**
 * One training per work dir: `<work dir>/train.lock` holds the owner's pid, created with O_EXCL so
 * two starts cannot both win. A second training refuses, naming the first's pid; a lock whose pid
 * is no longer running (a killed run) is taken over. Own code rather than a lock library because
 * the message must name the owner's pid and liveness is a pid check (proper-lockfile and similar
 * use mtime staleness and do not record the owner).
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ExitCode, UserError } from '../errors.js';

interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

export const LOCK_FILE = 'train.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof v.pid === 'number' ? { pid: v.pid, host: String(v.host ?? ''), started: String(v.started ?? '') } : null;
  } catch {
    return null; // unreadable or half-written: treated as stale
  }
}

/**
 * Takes the work dir's lock or throws a UserError naming the training that holds it. Returns the
 * release function (also run at process exit). `log` hears about a stale lock taken over.
 */
export function lockWorkDir(workDir: string, log: (line: string) => void): () => void {
  const path = join(workDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const owner = readOwner(path);
      if (owner && owner.pid !== process.pid && (owner.host !== me.host || alive(owner.pid))) {
        const where = owner.host === me.host ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.host}`;
        throw new UserError(`work dir ${workDir} is in use by another training (${where}, started ${owner.started}); wait for it to finish, stop it, or use another --work-dir (remove ${path} only if that process is gone)`, ExitCode.failure);
      }
      log(`work dir lock ${path}: ${owner ? `pid ${owner.pid} is no longer running` : 'unreadable'}; taking it over`);
      try { unlinkSync(path); } catch { /* raced away */ }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me) + '\n');
    } finally {
      closeSync(fd);
    }
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      process.off('exit', release);
      if (readOwner(path)?.pid === process.pid) {
        try { unlinkSync(path); } catch { /* already gone */ }
      }
    };
    process.on('exit', release);
    return release;
  }
}
