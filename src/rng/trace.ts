/**
 * Call tracing for the generators: wraps a generator so that every public call made through the
 * wrapper is reported with its arguments and result, in the same shape as the reference
 * fixtures' `rng_calls`. Calls a method makes internally (e.g. `uniform` drawing `rand`) are not
 * reported, because the wrapped method runs on the unwrapped object.
 */
export interface RngCall {
  readonly lib: 'numpy' | 'python';
  readonly fn: string;
  readonly args: readonly unknown[];
  readonly result: unknown;
}

export function traceCalls<T extends object>(target: T, lib: RngCall['lib'], log: RngCall[]): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        log.push({ lib, fn: prop, args, result: result instanceof Float64Array ? Array.from(result) : result });
        return result;
      };
    },
  });
}
