/** Starts N real Node subprocesses as the ranks of one c10d group on loopback (tests only). */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RankResult { rank: number; code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs `node script ...args` once per rank with the torchrun environment; resolves when all exited. */
export async function runRanks(script: string, args: string[], worldSize: number, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<RankResult[]> {
  const port = await freePort();
  return Promise.all(Array.from({ length: worldSize }, (_, rank) => new Promise<RankResult>((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, OMP_NUM_THREADS: '1', RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(worldSize), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ rank, code, signal, stdout, stderr }); });
  })));
}
