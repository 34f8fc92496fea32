/**
 * Tensor lifetime. Native memory is freed by, in order of preference:
 *  1. `tensor.dispose()`;
 *  2. `tidy(fn)`: every tensor created inside fn is disposed when it returns, except the tensors
 *     reachable from its return value (arrays and plain objects are searched) and kept ones;
 *  3. a FinalizationRegistry safety net that releases tensors whose wrappers were garbage
 *     collected. V8 is told how much native memory tensors hold (external memory accounting),
 *     so unreferenced tensors are collected under memory pressure even without 1 and 2.
 * Set SKAGENT_TRACK_LEAKS=1 to log tensors that only the safety net released.
 */
import { native } from './native.js';

export interface Disposable {
  readonly id: number;
  kept: boolean;
  dispose(): void;
}

const scopes: Disposable[][] = [];
const trackLeaks = process.env.SKAGENT_TRACK_LEAKS === '1';
let leaked = 0;

const registry = new FinalizationRegistry<number>((id) => {
  const n = native();
  if (trackLeaks && n.isLive(id)) {
    leaked++;
    if (leaked <= 10 || leaked % 1000 === 0) console.warn(`[skagent] tensor ${id} released by the GC safety net (${leaked} so far): dispose it or use tidy()`);
  }
  n.release(id);
});

/** Called by every new tensor wrapper. */
export function track(t: Disposable): void {
  registry.register(t, t.id, t);
  const top = scopes[scopes.length - 1];
  if (top) top.push(t);
}

/** Called by dispose(): the safety net no longer needs to watch the tensor. */
export function untrack(t: Disposable): void {
  registry.unregister(t);
}

/** Excludes a tensor from every enclosing tidy() (model parameters, caches). */
export function keep<T extends Disposable>(t: T): T {
  t.kept = true;
  return t;
}

function collect(value: unknown, out: Set<Disposable>, seen: Set<object>): void {
  if (value === null || typeof value !== 'object') return;
  if (seen.has(value)) return;
  seen.add(value);
  if (isDisposable(value)) { out.add(value); return; }
  if (Array.isArray(value)) { for (const v of value) collect(v, out, seen); return; }
  if (value instanceof Map) { for (const v of value.values()) collect(v, out, seen); return; }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) for (const v of Object.values(value)) collect(v, out, seen);
}

function isDisposable(v: object): v is Disposable {
  return typeof (v as Disposable).dispose === 'function' && typeof (v as Disposable).id === 'number' && 'kept' in v;
}

/**
 * Runs fn and disposes the tensors it created, except those it returns (searched through
 * arrays, Maps and plain objects) and kept ones. Returned tensors join the enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Disposable[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    for (const t of scope) if (!t.kept) t.dispose();
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) throw new Error('tidy(fn): fn must be synchronous (tensors created after an await would escape the scope)');
  const survivors = new Set<Disposable>();
  collect(result, survivors, new Set());
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) { if (parent) parent.push(t); }
    else if (!t.kept) t.dispose();
  }
  return result;
}

/** Live tensors in the native table, and how many only the GC safety net released. */
export function memoryStats(): { liveTensors: number; releasedByGc: number } {
  return { liveTensors: native().liveCount(), releasedByGc: leaked };
}
