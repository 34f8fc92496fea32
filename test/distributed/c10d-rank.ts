/**
 * One rank of the c10d tests (test/distributed/c10d.test.ts), run as a real subprocess:
 * `node c10d-rank.js <scenario>` with RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT in the
 * environment; prints one JSON line with what it observed.
 */
import { tensor, setNumThreads } from '../../src/torch/index.js';
import { ProcessGroup } from '../../src/torch/distributed.js';

const scenario = process.argv[2];
const rank = Number(process.env.RANK);
const worldSize = Number(process.env.WORLD_SIZE);
setNumThreads(1);

async function main(): Promise<unknown> {
  const timeoutMs = Number(process.env.C10D_TIMEOUT_MS ?? 20000);
  const group = await ProcessGroup.init({ rank, worldSize, masterAddr: process.env.MASTER_ADDR!, masterPort: Number(process.env.MASTER_PORT), backend: 'gloo', timeoutMs });
  if (scenario === 'collectives') {
    const a = tensor(Float32Array.from([1, 2, 3].map((v) => v * (rank + 1))), [3]);
    await group.allreduce([a], 'sum').wait();
    const b = tensor(Float32Array.from([rank + 1, 10 * (rank + 1)]), [2]);
    await group.allreduce([b], 'avg').wait();
    const m = tensor(Float32Array.from([rank, -rank]), [2]);
    await group.allreduce([m], 'max').wait();
    const c = tensor(Float64Array.from([rank === 1 ? 7.5 : 0, rank === 1 ? -2 : 0]), [2]);
    await group.broadcast([c], 1).wait();
    const g = await group.allgather(tensor(Int32Array.from([rank, rank * 100]), [2]));
    // Several collectives in flight, one wait.
    const x = tensor(Float32Array.from([rank]), [1]);
    const y = tensor(Float32Array.from([2 * rank]), [1]);
    const { Work } = await import('../../src/torch/distributed.js');
    await Work.all([group.allreduce([x]), group.allreduce([y])]);
    group.storeSet(`hello/${rank}`, `from ${rank}`);
    await group.barrier();
    const store = Array.from({ length: worldSize }, (_, r) => group.storeGet(`hello/${r}`));
    return {
      sum: Array.from(a.toFloat32Array()), avg: Array.from(b.toFloat32Array()), max: Array.from(m.toFloat32Array()),
      broadcast: Array.from(c.toFloat64Array()), allgather: g.map((t) => Array.from(t.dataSync() as Int32Array)),
      inflight: [x.item(), y.item()], store,
    };
  }
  if (scenario === 'event-loop') {
    // Rank 1 joins the barrier late; rank 0's event loop must keep running meanwhile.
    if (rank === 1) await new Promise((r) => setTimeout(r, 1000));
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 50);
    const t0 = Date.now();
    await group.barrier();
    clearInterval(timer);
    return { ticks, waitedMs: Date.now() - t0 };
  }
  if (scenario === 'timeout') {
    // Rank 1 never takes part: rank 0's allreduce must fail within the timeout, not hang.
    if (rank === 1) { await new Promise((r) => setTimeout(r, timeoutMs * 3)); return { rank }; }
    const t0 = Date.now();
    try {
      await group.allreduce([tensor(Float32Array.from([1]), [1])]).wait();
      return { error: null };
    } catch (err) {
      return { error: (err as Error).message, afterMs: Date.now() - t0 };
    }
  }
  throw new Error(`unknown scenario ${scenario}`);
}

main().then((r) => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); },
  (err) => { process.stderr.write(`rank ${rank}: ${(err as Error).stack}\n`); process.exit(1); });
