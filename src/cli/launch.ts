/**
 * Multi-process training, as torchrun: `--nproc-per-node N` starts N local ranks (child processes
 * running the same command) and supervises them; machines join with --nnodes/--node-rank/
 * --master-addr/--master-port. A process started by torchrun (or by this launcher) finds its
 * place in the environment: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT.
 *
 * Supervision: when a rank exits with an error or a signal, the launcher says which, gives the
 * others a short grace to notice and stop with their own message (they name the rank that fell
 * behind), then stops those still running, as torchrun stops a failed run's workers (waiting the
 * whole collective timeout would leave a hung rank, which never exits, running that long again).
 * The run's exit code is the first failure's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ExitCode, UserError } from '../errors.js';
import { intOption } from './commands/data-common.js';

/**
 * After the first failure, how long the other ranks get to stop by themselves: enough for a rank
 * whose collective failed too to wait for its peers' reports (DataParallel waits up to 10 s) and
 * print its diagnosis. A rank still computing is stopped; its checkpoints are written atomically.
 */
const STOP_GRACE_MS = 15_000;

export const DISTRIBUTED_OPTIONS = {
  'nproc-per-node': { type: 'string' },
  nnodes: { type: 'string' },
  'node-rank': { type: 'string' },
  'master-addr': { type: 'string' },
  'master-port': { type: 'string' },
  'dist-timeout': { type: 'string' },
  'bucket-cap-mb': { type: 'string' },
} as const;

export const DISTRIBUTED_HELP = `Multi-process (data-parallel) training, PyTorch's c10d (Gloo on CPU, NCCL on CUDA):
  --nproc-per-node N  start N ranks on this machine and supervise them (each gets --batch samples
                      per step: the effective batch is batch × ranks × --accumulate)
  --nnodes N          machines taking part (default 1); each runs the same command with its
  --node-rank R       index 0..N-1 (rank 0's machine serves the rendezvous)
  --master-addr A     rank 0's address (default 127.0.0.1)
  --master-port P     its rendezvous port (default 29500)
  --dist-timeout S    seconds a rank waits for the others (rendezvous, every collective) before
                      stopping with a message naming the rank that fell behind (default 1800)
  --bucket-cap-mb MB  size of the gradient buckets, DDP's bucket_cap_mb (default 25): each
                      bucket's allreduce starts as soon as its gradients are ready, overlapping
                      the rest of the backward; smaller buckets start earlier, in more messages
  A process started by torchrun is a rank already: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and
  MASTER_PORT from the environment. See docs/distributed.md.`;

type DistValues = Partial<Record<keyof typeof DISTRIBUTED_OPTIONS, string>>;

/** This process's place in a multi-process run. */
export interface RankPlace {
  rank: number;
  worldSize: number;
  localRank: number;
  masterAddr: string;
  masterPort: number;
  timeoutMs: number;
  /** DDP's bucket_cap_mb. */
  bucketCapMb: number;
}

export interface LaunchPlan {
  nprocPerNode: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number;
  timeoutMs: number;
}

const DEFAULT_PORT = 29500;

function timeoutOf(values: DistValues): number {
  return 1000 * intOption(values['dist-timeout'], 'dist-timeout', 1800, 1);
}

/** The launcher's plan when --nproc-per-node is given and this process is not a rank already. */
export function launchPlan(values: DistValues, env: NodeJS.ProcessEnv = process.env): LaunchPlan | null {
  if (values['nproc-per-node'] === undefined || env.RANK !== undefined) return null;
  const nnodes = intOption(values.nnodes, 'nnodes', 1, 1);
  const nodeRank = intOption(values['node-rank'], 'node-rank', 0, 0);
  if (nodeRank >= nnodes) throw new UserError(`--node-rank ${nodeRank} is outside --nnodes ${nnodes} (expected 0..${nnodes - 1})`, ExitCode.usage);
  // Checked here too, so that a bad value stops the launcher instead of every rank.
  intOption(values['bucket-cap-mb'], 'bucket-cap-mb', 25, 1);
  return {
    nprocPerNode: intOption(values['nproc-per-node'], 'nproc-per-node', 1, 1), nnodes, nodeRank,
    masterAddr: values['master-addr'] ?? '127.0.0.1',
    masterPort: intOption(values['master-port'], 'master-port', DEFAULT_PORT, 1),
    timeoutMs: timeoutOf(values),
  };
}

/** This process's rank from the torchrun environment, or null for a single-process run. */
export function rankPlace(values: DistValues, env: NodeJS.ProcessEnv = process.env): RankPlace | null {
  if (env.RANK === undefined && env.WORLD_SIZE === undefined) return null;
  const num = (name: string, min: number, fallback?: number): number => {
    const v = env[name];
    if (v === undefined && fallback !== undefined) return fallback;
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isInteger(n) || n < min) throw new UserError(`environment ${name} must be an integer ≥ ${min}, got '${v ?? ''}' (set by torchrun or skagent train --nproc-per-node)`, ExitCode.usage);
    return n;
  };
  const worldSize = num('WORLD_SIZE', 1);
  const rank = num('RANK', 0);
  if (rank >= worldSize) throw new UserError(`environment RANK=${rank} is outside WORLD_SIZE=${worldSize}`, ExitCode.usage);
  return {
    rank, worldSize, localRank: num('LOCAL_RANK', 0, rank),
    masterAddr: env.MASTER_ADDR || '127.0.0.1', masterPort: num('MASTER_PORT', 1, DEFAULT_PORT), timeoutMs: timeoutOf(values),
    bucketCapMb: intOption(values['bucket-cap-mb'], 'bucket-cap-mb', 25, 1),
  };
}

/** The command line for the ranks: the launcher's own flags removed. */
function rankArgs(args: readonly string[]): string[] {
  const launcherOnly = new Set(['--nproc-per-node', '--nnodes', '--node-rank', '--master-addr', '--master-port']);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag] = args[i].split('=', 1);
    if (launcherOnly.has(flag)) { if (!args[i].includes('=')) i++; continue; }
    out.push(args[i]);
  }
  return out;
}

/**
 * Starts this machine's ranks (`skagent <command> <args>` each, with the torchrun environment),
 * forwards SIGINT/SIGTERM to them, and resolves with the run's exit code when all have exited.
 */
export async function launch(plan: LaunchPlan, command: readonly string[], args: readonly string[], log: (line: string) => void): Promise<number> {
  const worldSize = plan.nnodes * plan.nprocPerNode;
  const script = process.argv[1];
  log(`launching ${plan.nprocPerNode} rank(s) on this machine (node ${plan.nodeRank} of ${plan.nnodes}, world size ${worldSize}, rendezvous ${plan.masterAddr}:${plan.masterPort})`);
  const children: { rank: number; child: ChildProcess; exited: boolean }[] = [];
  let firstFailure: { rank: number; code: number } | null = null;
  let stopTimer: NodeJS.Timeout | null = null;
  const stopAll = (signal: NodeJS.Signals) => { for (const c of children) if (!c.exited) c.child.kill(signal); };
  const onSignal = (signal: NodeJS.Signals) => { log(`${signal}: stopping the ranks`); stopAll(signal); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await Promise.all(Array.from({ length: plan.nprocPerNode }, (_, local) => new Promise<void>((resolve) => {
      const rank = plan.nodeRank * plan.nprocPerNode + local;
      const child = spawn(process.execPath, [...process.execArgv, script, ...command, ...rankArgs(args)], {
        stdio: 'inherit',
        env: { ...process.env, RANK: String(rank), LOCAL_RANK: String(local), WORLD_SIZE: String(worldSize), LOCAL_WORLD_SIZE: String(plan.nprocPerNode), MASTER_ADDR: plan.masterAddr, MASTER_PORT: String(plan.masterPort) },
      });
      log(`rank ${rank}: pid ${child.pid}`);
      const entry = { rank, child, exited: false };
      children.push(entry);
      child.on('exit', (code, signal) => {
        entry.exited = true;
        if ((code !== 0 || signal) && !firstFailure) {
          firstFailure = { rank, code: signal ? ExitCode.failure : code ?? ExitCode.failure };
          const graceMs = Math.min(STOP_GRACE_MS, plan.timeoutMs + 5000);
          log(`rank ${rank} (pid ${child.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; the other ranks get ${graceMs / 1000} s to stop by themselves`);
          // Those at a collective notice and report; any still running then is stopped.
          stopTimer = setTimeout(() => {
            const left = children.filter((c) => !c.exited);
            if (left.length === 0) return;
            log(`stopping rank(s) ${left.map((c) => c.rank).join(', ')} (still running after rank ${rank} failed)`);
            stopAll('SIGTERM');
            setTimeout(() => stopAll('SIGKILL'), 5000).unref();
          }, graceMs);
          stopTimer.unref();
        }
        resolve();
      });
    })));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (stopTimer) clearTimeout(stopTimer);
  }
  const failure = firstFailure as { rank: number; code: number } | null;
  if (failure) {
    log(`run failed: rank ${failure.rank} failed first; the last complete checkpoint stays usable (--resume continues from it)`);
    return failure.code;
  }
  return ExitCode.ok;
}
