/**
 * Loads the libtorch bridge (native/build/Release/skagent_torch.node) on first use, so modules
 * that never touch tensors (data tools, tokenizer) work without libtorch. A missing or broken
 * build becomes one clear error, never a crash.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bridge's caching CPU allocator (native/src/allocator.cc): blocks of 1 MiB and more. */
export interface CpuCacheStats {
  liveBytes: number;
  cachedBytes: number;
  /** Largest live + cached bytes so far. */
  peakBytes: number;
  hits: number;
  misses: number;
}

/** A started c10d collective (opaque). */
export interface NativeWork { readonly __brand: 'c10dWork' }

/** PyTorch's DDP gradient reducer (opaque). */
export interface NativeReducer { readonly __brand: 'c10dReducer' }

/** The raw native surface. Tensors are integer ids into the native tensor table. */
export interface NativeTorch {
  readonly torchVersion: string;
  opHandle(name: string, overload: string): number;
  opSchema(op: number): string;
  callOp(op: number, ...args: unknown[]): unknown;
  release(id: number): void;
  isLive(id: number): boolean;
  sizes(id: number): number[];
  strides(id: number): number[];
  scalarType(id: number): number;
  device(id: number): string;
  isContiguous(id: number): boolean;
  requiresGrad(id: number): boolean;
  setRequiresGrad(id: number, flag: boolean): void;
  isLeaf(id: number): boolean;
  grad(id: number): number | null;
  setGrad(id: number, grad: number | null): void;
  backward(id: number, grad: number | null, retainGraph: boolean): void;
  toArrayBuffer(id: number): ArrayBuffer;
  item(id: number): number | boolean;
  fromArrayBuffer(buf: ArrayBufferLike, byteOffset: number, byteLength: number, shape: readonly number[], scalarType: number, device?: string): number;
  copyFromArrayBuffer(id: number, buf: ArrayBufferLike, byteOffset: number, byteLength: number): void;
  sameStorage(a: number, b: number): boolean;
  liveCount(): number;
  setGradEnabled(enabled: boolean): boolean;
  isGradEnabled(): boolean;
  manualSeed(seed: number | bigint): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaSynchronize(): void;
  parallelInfo(): string;
  cpuMemoryStats(): CpuCacheStats | null;
  emptyCpuCache(): void;
  profilerStart(recordShapes: boolean): void;
  /** torch.randperm(n, generator=torch.Generator().manual_seed(seed)) as an int64 tensor id. */
  randpermSeeded(n: number, seed: number | bigint): number;
  // c10d (native/src/distributed.cc); handles are small integers, works are opaque.
  c10dBackends(): { gloo: boolean; nccl: boolean };
  c10dStore(host: string, port: number, isServer: boolean, worldSize: number, timeoutMs: number): Promise<number>;
  c10dStoreSet(store: number, key: string, value: string): void;
  c10dStoreGet(store: number, key: string): string;
  c10dStoreAdd(store: number, key: string, by: number): number;
  c10dStoreCheck(store: number, key: string): boolean;
  c10dNewGroup(store: number, rank: number, worldSize: number, backend: string, timeoutMs: number, deviceHost: string | null): Promise<number>;
  c10dDestroy(handle: number): void;
  c10dAllreduce(group: number, ids: number[], op: string): NativeWork;
  c10dBroadcast(group: number, ids: number[], root: number): NativeWork;
  c10dAllgather(group: number, input: number, outputs: number[]): NativeWork;
  c10dBarrier(group: number): NativeWork;
  c10dWait(works: NativeWork[], timeoutMs: number): Promise<void>;
  c10dReducer(group: number, params: number[], names: string[], bucketCapBytes: number): NativeReducer;
  c10dReducerPrepare(reducer: NativeReducer, outputs: number[]): void;
  c10dReducerStats(reducer: NativeReducer): Record<string, number>;
  c10dReducerDestroy(reducer: NativeReducer): void;
  /** Rows [key, calls, selfNs, totalNs]. */
  profilerStop(): [string, number, number, number][];
  /** `fn` receives each later libtorch warning (TORCH_WARN) raised on this thread, asynchronously. */
  setWarningHandler(fn: (message: string) => void): void;
}

export class TorchUnavailableError extends Error {
  constructor(detail: string) {
    super(
      'libtorch is not available, so tensors cannot be used.\n' +
      `  ${detail}\n` +
      '  Install libtorch and rebuild the bridge:\n' +
      '    Debian/Ubuntu: sudo apt-get install libtorch-dev && npm run build:native\n' +
      '    elsewhere:     LIBTORCH=/path/to/libtorch npm run build:native',
    );
    this.name = 'TorchUnavailableError';
  }
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const addonPath = process.env.SKAGENT_NATIVE_ADDON ?? join(repoRoot, 'native', 'build', 'Release', 'skagent_torch.node');

let loaded: NativeTorch | null = null;

export function native(): NativeTorch {
  if (loaded) return loaded;
  // libgomp's threads otherwise spin while waiting for work; with data-loading threads on the
  // same cores that spinning starves them (docs/performance.md). Must be set before libtorch (and libgomp) is loaded; a user's value wins.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  if (!existsSync(addonPath)) {
    throw new TorchUnavailableError(`the native addon was not built (${addonPath} is missing).`);
  }
  try {
    const candidate = createRequire(import.meta.url)(addonPath) as Partial<NativeTorch>;
    if (typeof candidate.callOp !== 'function' || typeof candidate.opHandle !== 'function' || typeof candidate.setWarningHandler !== 'function') {
      throw new Error('it is not the skeletonagent libtorch bridge (or one built from older sources)');
    }
    // libtorch's warnings (DDP's reducer, deprecated calls) become Node process warnings: one
    // line on stderr by default, and 'warning' events a program can observe or silence.
    candidate.setWarningHandler((message) => process.emitWarning(message, 'LibtorchWarning'));
    // Only a bridge that loaded completely is kept: a failure above is reported on every call.
    loaded = candidate as NativeTorch;
  } catch (err) {
    throw new TorchUnavailableError(`loading ${addonPath} failed: ${(err as Error).message.split('\n')[0]} (a libtorch that differs from the one it was built against?)`);
  }
  return loaded;
}

/** True when the bridge loads; never throws. */
export function torchAvailable(): boolean {
  try { native(); return true; } catch { return false; }
}
