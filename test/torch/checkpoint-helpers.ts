/** Shared pieces of the checkpoint tests: a scratch folder, hashing, the fixture checkpoint, a dtype zoo. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../src/torch/index.js';
import { loadCheckpoint, type Checkpoint } from '../../src/torch/checkpoint.js';
import { bytesOf } from '../../src/io/ndarray.js';
import { fixture } from '../fixtures.js';

export const FIXTURE_CHECKPOINT = 'models/ntu60_xsub_j/checkpoint.pth';

/** A scratch folder removed when the process exits. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skagent-ckpt-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function sha256(t: torch.Tensor): string {
  return createHash('sha256').update(bytesOf(t.toNdArray())).digest('hex');
}

export function disposeAll(ck: Checkpoint): void {
  for (const t of ck.stateDict.values()) t.dispose();
  for (const s of ck.optimizer?.state.values() ?? []) s.momentum_buffer?.dispose();
}

let cached: Checkpoint | null = null;
/** The NTU-60 joint checkpoint, loaded once per process. */
export function fixtureCheckpoint(): Checkpoint {
  cached ??= loadCheckpoint(fixture(FIXTURE_CHECKPOINT));
  return cached;
}

/** Tensors of every dtype a checkpoint may hold, including non-contiguous and degenerate ones. */
export function dtypeZoo(): Map<string, torch.Tensor> {
  return new Map<string, torch.Tensor>([
    ['f32', torch.tensor([1.5, -2, 3.25, 1e-30], [2, 2])],
    ['f64', torch.tensor([Math.PI, -1e300], { dtype: 'float64' })],
    ['f16', torch.tensor([0.1, 65504, -0.5]).to('float16')],
    ['bf16', torch.tensor([0.1, 3, -2.5e38]).to('bfloat16')],
    ['i64', torch.tensor(BigInt64Array.from([-(2n ** 62n), 2n ** 53n + 1n, 0n]))],
    ['i32', torch.tensor(Int32Array.from([7, -8]))],
    ['u8', torch.tensor(Uint8Array.from([0, 255]))],
    ['bool', torch.tensor([1, 0, 1], { dtype: 'bool' })],
    ['transposed', torch.tensor([1, 2, 3, 4, 5, 6], [2, 3]).T],
    ['scalar', torch.tensor(2.5, [])],
    ['empty', torch.zeros([0, 3])],
  ]);
}
