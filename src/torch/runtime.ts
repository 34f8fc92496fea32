/** Process-wide engine settings: seeds, threads, devices. */
import { native, type CpuCacheStats } from './native.js';

/** Seeds libtorch's generators (CPU and CUDA), as torch.manual_seed. */
export function manualSeed(seed: number): void { native().manualSeed(seed); }
export function setNumThreads(n: number): void { native().setNumThreads(n); }
export function getNumThreads(): number { return native().getNumThreads(); }
export function torchVersion(): string { return native().torchVersion; }

/**
 * Large CPU tensors come from a caching allocator that keeps freed blocks for reuse (a training
 * step then allocates the same sizes without page faults): its counters, or null when it is
 * off (SKAGENT_CPU_CACHE=0).
 */
export function cpuCacheStats(): CpuCacheStats | null { return native().cpuMemoryStats(); }
/** Returns the CPU allocator's cached blocks to the system (as torch.cuda.empty_cache for GPUs). */
export function emptyCpuCache(): void { native().emptyCpuCache(); }

export const cuda = {
  isAvailable: (): boolean => native().cudaIsAvailable(),
  deviceCount: (): number => native().cudaDeviceCount(),
  synchronize: (): void => native().cudaSynchronize(),
};

/** 'cuda' when a GPU is usable, else 'cpu'; an explicit request is validated. */
export function resolveDevice(requested?: string): string {
  if (!requested || requested === 'auto') return cuda.isAvailable() ? 'cuda' : 'cpu';
  if (requested.startsWith('cuda') && !cuda.isAvailable()) throw new Error(`device '${requested}' requested but CUDA is not available in this libtorch build`);
  return requested;
}
