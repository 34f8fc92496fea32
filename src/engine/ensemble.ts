/**
 * Multi-stream score fusion as the original's `tools/ensemble.py` does it (`tools/ensemble.py`):
 * `smp.comb(scores, coeffs)` = s₀·c₀ + s₁·c₁ + … over the stored per-sample probability vectors
 * (no softmax, no re-normalisation), evaluated left to right in numpy's dtype rules so the fused
 * arrays are bit-identical: a float32 stream times a Python number stays float32 (the weight is
 * rounded to float32 first), float32 + float32 is rounded to float32, anything with float64 is float64.
 */
import type { ScoreArray } from './metrics.js';

/** The six modalities, in the order the original's ensemble script lists them. */
export const STREAM_NAMES = ['j', 'b', 'k', 'jm', 'bm', 'km'] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

export interface EnsemblePreset {
  /** CLI name (`--preset`). */
  readonly id: 'jb' | '4s' | '6s';
  /** Name the original's script prints. */
  readonly name: 'J+B' | '4M' | '6M';
  /** Row name in the paper's published result tables. */
  readonly title: string;
  /** Streams in summation order, with their weights. */
  readonly streams: readonly StreamName[];
  readonly weights: readonly number[];
}

/** The fusions `tools/ensemble.py` prints (named as in the published results). */
export const ENSEMBLE_PRESETS: readonly EnsemblePreset[] = [
  { id: 'jb', name: 'J+B', title: '2-ensemble', streams: ['j', 'b'], weights: [1, 1] },
  { id: '4s', name: '4M', title: '4-ensemble', streams: ['j', 'b', 'jm', 'bm'], weights: [2, 2, 1, 1] },
  { id: '6s', name: '6M', title: '6-ensemble', streams: ['j', 'b', 'k', 'jm', 'bm', 'km'], weights: [2, 2, 2, 1, 1, 1] },
];

/**
 * How an unlabelled list of 2, 4 or 6 score files is read: the stream sets of the presets, in the
 * presets' order (j,b / j,b,jm,bm / j,b,k,jm,bm,km).
 */
export function streamsForCount(count: number): readonly StreamName[] | undefined {
  return ENSEMBLE_PRESETS.find((p) => p.streams.length === count)?.streams;
}

export function presetById(id: string): EnsemblePreset | undefined {
  return ENSEMBLE_PRESETS.find((p) => p.id === id);
}

/** `smp.comb`: the weighted sum of equally shaped score matrices, in the given order. */
export function fuseScores(streams: readonly ScoreArray[], weights: readonly number[]): ScoreArray {
  if (streams.length === 0) throw new RangeError('fuseScores: no score streams');
  if (weights.length !== streams.length) throw new RangeError(`fuseScores: ${weights.length} weights for ${streams.length} streams`);
  const shape = streams[0].shape;
  streams.forEach((s, m) => {
    if (s.shape.length !== shape.length || s.shape.some((d, i) => d !== shape[i])) {
      throw new RangeError(`fuseScores: stream ${m} has shape [${s.shape.join(', ')}], stream 0 [${shape.join(', ')}]`);
    }
  });
  const n = streams[0].data.length;
  // Float32 values are exact in float64, so one float64 buffer holds the sum in either dtype.
  const acc = new Float64Array(n);
  let accIsFloat32 = true;
  streams.forEach((stream, m) => {
    const isFloat32 = stream.dtype === 'float32';
    const w = isFloat32 ? Math.fround(weights[m]) : weights[m];
    const src = stream.data;
    const sumIsFloat32 = accIsFloat32 && isFloat32;
    for (let i = 0; i < n; i++) {
      const product = isFloat32 ? Math.fround(w * src[i]) : w * src[i];
      if (m === 0) acc[i] = product;
      else acc[i] = sumIsFloat32 ? Math.fround(acc[i] + product) : acc[i] + product;
    }
    accIsFloat32 = m === 0 ? isFloat32 : sumIsFloat32;
  });
  const out = [...shape];
  return accIsFloat32 ? { dtype: 'float32', shape: out, data: Float32Array.from(acc) } : { dtype: 'float64', shape: out, data: acc };
}

/** Weights tried for each stream by `searchWeights`. */
export const WEIGHT_GRID: readonly number[] = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3];

export interface WeightSearchResult {
  readonly weights: number[];
  /** Top-1 of the fusion with `weights` on the scores searched (validation). */
  readonly top1: number;
  /** Fusions evaluated. */
  readonly evaluated: number;
}

/**
 * Fusion weights that maximise top-1 on the given (validation) scores: coordinate ascent from
 * equal weights, each stream's weight tried over `grid` in turn while the others stay fixed,
 * rounds repeated until none improves. Only a strict gain moves, so ties keep the earlier
 * (simpler) weights and the result is deterministic. Apply the weights to the test scores
 * afterwards: choosing them on the test split would report an optimistic number.
 */
export function searchWeights(
  streams: readonly ScoreArray[], top1: (fused: ScoreArray) => number,
  options: { grid?: readonly number[]; maxRounds?: number } = {},
): WeightSearchResult {
  const grid = options.grid ?? WEIGHT_GRID;
  const maxRounds = options.maxRounds ?? 5;
  let weights = streams.map(() => 1);
  let best = top1(fuseScores(streams, weights));
  let evaluated = 1;
  for (let round = 0; round < maxRounds; round++) {
    let improved = false;
    for (let m = 0; m < streams.length; m++) {
      for (const g of grid) {
        if (g === weights[m]) continue;
        const trial = weights.map((w, i) => (i === m ? g : w));
        if (trial.every((w) => w === 0)) continue;
        const acc = top1(fuseScores(streams, trial));
        evaluated++;
        if (acc > best) {
          best = acc;
          weights = trial;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return { weights, top1: best, evaluated };
}
