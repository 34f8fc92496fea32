/**
 * The fuzz loop: seeds → mutants → parser, each input classified as accepted, refused with the
 * parser's own error, or a crash (any other throw) — and timed against a per-input limit. With a
 * coverage probe (bench/fuzz.ts) it is coverage-guided: a batch of inputs that reached new code
 * joins the corpus that later mutants are made from.
 */
import { performance } from 'node:perf_hooks';
import { Mutator } from './mutate.js';
import { type FuzzTarget, isOwnError } from './target.js';

export interface Escape {
  readonly index: number;
  readonly error: string;
  readonly bytes: Uint8Array;
}

export interface FuzzStats {
  readonly target: string;
  inputs: number;
  accepted: number;
  refused: number;
  readonly crashes: Escape[];
  readonly overTime: Escape[];
  slowestMs: number;
  corpus: number;
  /** Distinct refusal messages (digits and quoted parts folded): a rough count of distinct paths. */
  readonly reasons: Map<string, number>;
}

export interface FuzzOptions {
  readonly inputs: number;
  readonly seed: number;
  /** Per-input limit; a slower input is reported (the long campaign also kills a hung worker). */
  readonly timeLimitMs: number;
  /** Stop early after this many seconds (the input count reached is reported). */
  readonly seconds?: number;
  /** Returns how many new coverage points the inputs since the last call reached. */
  readonly newCoverage?: () => number;
  readonly batch?: number;
  readonly onProgress?: (stats: FuzzStats) => void;
}

const MAX_CORPUS = 256;

/** A seed that does not behave as declared: the target is broken, not the parser. */
class SeedError extends Error {}

export async function fuzz(target: FuzzTarget, opts: FuzzOptions): Promise<FuzzStats> {
  const seeds = target.seeds();
  if (seeds.length === 0) throw new Error(`${target.name}: no seed inputs`);
  // Each corpus entry keeps the name of the seed it descends from (pickle policies depend on it).
  const corpus: { bytes: Uint8Array; name: string }[] = seeds.map((s) => ({ bytes: s.bytes, name: s.name }));
  const mutator = new Mutator(opts.seed, target.text, target.json, target.dictionary);
  const isOwn = target.isOwnError ?? isOwnError;
  const stats: FuzzStats = { target: target.name, inputs: 0, accepted: 0, refused: 0, crashes: [], overTime: [], slowestMs: 0, corpus: corpus.length, reasons: new Map() };
  const batch = opts.batch ?? 64;
  const deadline = opts.seconds === undefined ? Infinity : performance.now() + opts.seconds * 1000;
  let pending: { bytes: Uint8Array; name: string }[] = [];
  for (let i = 0; i < opts.inputs && performance.now() < deadline; i++) {
    // The seeds themselves go first: they must parse.
    const base = i < seeds.length ? corpus[i] : corpus[mutator.pick(corpus.length)];
    const bytes = i < seeds.length ? base.bytes : mutator.mutate(base.bytes, corpus[mutator.pick(corpus.length)].bytes);
    const source = `${base.name}#${i}`;
    const t0 = performance.now();
    try {
      const running = target.parse(bytes, source);
      if (running) await running;
      stats.accepted++;
      if (i < seeds.length && seeds[i].refused) throw new SeedError(`${target.name}: seed ${base.name} should be refused but was accepted`);
    } catch (err) {
      if (err instanceof SeedError) throw err;
      if (i < seeds.length && !(seeds[i].refused && isOwn(err, source))) throw new SeedError(`${target.name}: seed ${base.name} does not parse: ${(err as Error).message}`);
      if (isOwn(err, source)) {
        stats.refused++;
        const reason = (err as Error).message.split(source).join('').replace(/\d+/g, 'N').replace(/'[^']*'/g, "'…'").slice(0, 80);
        stats.reasons.set(reason, (stats.reasons.get(reason) ?? 0) + 1);
      } else {
        const error = err instanceof Error ? `${err.constructor.name}: ${err.message}` : `non-Error thrown: ${String(err)}`;
        stats.crashes.push({ index: i, error: error.slice(0, 300), bytes });
      }
    }
    const ms = performance.now() - t0;
    if (ms > stats.slowestMs) stats.slowestMs = ms;
    if (ms > opts.timeLimitMs) stats.overTime.push({ index: i, error: `${ms.toFixed(0)} ms`, bytes });
    stats.inputs++;
    if (opts.newCoverage) {
      pending.push({ bytes, name: base.name });
      if (pending.length >= batch) {
        if (opts.newCoverage() > 0) {
          corpus.push(...pending.slice(-4));
          if (corpus.length > MAX_CORPUS) corpus.splice(seeds.length, corpus.length - MAX_CORPUS);
        }
        pending = [];
        stats.corpus = corpus.length;
        opts.onProgress?.(stats);
      }
    } else if (i % batch === 0) {
      opts.onProgress?.(stats);
    }
  }
  return stats;
}

/** The campaign scripts' arguments: `[inputs=100000] [seed=1] [--seconds N] [target-substring ...]`. */
export function campaignArgs(args: readonly string[]): { inputs: number; seed: number; seconds?: number; filters: string[] } {
  const rest = args.slice(2);
  const at = rest.indexOf('--seconds');
  const seconds = at >= 0 ? Number(rest.splice(at, 2)[1]) : undefined;
  return { inputs: Number(args[0] ?? 100_000), seed: Number(args[1] ?? 1), seconds, filters: rest };
}
