/**
 * The batch-internal skeleton mix-up (`skeleton_mix`, skeletonagent/models/recognizers/tools.py):
 * each sample is paired with a cyclic partner; ≈75 % of batches get a body-part × time-window swap
 * (the partner's window, resampled in time, pasted over chosen joint groups), the rest a global
 * linear blend. The draws follow the original's order (torch.randint, then Python's random), so a
 * seeded step matches the original.
 */
import { Tensor, tidy, noGrad, full, randint, tensor, where, zeros } from '../torch/index.js';
import type { PythonRandom } from '../rng/index.js';

export interface MixConfig {
  /** The layout's five joint groups, in the order random.sample draws from. */
  groups: readonly (readonly number[])[];
  numClasses: number;
  /** Number of groups swapped: [low, high] inclusive (original: 2, 3). */
  spatial?: readonly [number, number];
  /** Coarse time-window length in steps of `ratio` frames: [low, high] (original: 13, 20). */
  temporal?: readonly [number, number];
  /** Temporal down-sample ratio of the coarse grid (original: 4). */
  ratio?: number;
  /** Probability threshold: p > swapAbove → part swap, else linear blend (original: 0.25). */
  swapAbove?: number;
}

export interface MixDraws {
  shift: number;
  groupsChosen: number[];
  joints: number[];
  ct: number;
  t0: number;
  p: number;
  ct2?: number;
  t2?: number;
  blend?: number;
}

export interface MixResult {
  /** The mixed batch, same shape as the input. */
  data: Tensor;
  /** Soft labels [N, Cls] (float32). */
  labels: Tensor;
  /** The label weight of the partner, as the float32 mask mean the original returns. */
  lambda: number;
  partner: Int32Array;
  draws: MixDraws;
}

/** One draw of the original's nearest resample: source frame for output τ (float32 arithmetic). */
export function nearestIndices(outLength: number, inLength: number): Int32Array {
  const scale = Math.fround(inLength / outLength);
  const idx = new Int32Array(outLength);
  for (let t = 0; t < outLength; t++) idx[t] = Math.min(Math.floor(Math.fround(t * scale)), inLength - 1);
  return idx;
}

/** Mixes x [N, M, T, V, C] with int64 labels [N]. Runs without gradient. */
export function skeletonMix(x: Tensor, labels: Tensor, cfg: MixConfig, rng: PythonRandom): MixResult {
  return noGrad(() => tidy(() => {
    const [N, , T, V] = x.shape;
    const ratio = cfg.ratio ?? 4;
    const [spaLo, spaHi] = cfg.spatial ?? [2, 3];
    const [temLo, temHi] = cfg.temporal ?? [13, 20];
    const S = Math.trunc(T / ratio);
    if (temHi > S) throw new RangeError(`mix-up: temporal window up to ${temHi} steps of ${ratio} frames needs T ≥ ${temHi * ratio}, got T = ${T} (set the config's mix temporal range)`);

    const shift = N > 2 ? randint(1, N - 1, [1]).item() : 0;
    const partner = new Int32Array(N);
    for (let i = 0; i < N; i++) partner[i] = (i + shift) % N;
    const cs = rng.randint(spaLo, spaHi);
    const chosen = rng.sample(cfg.groups.map((_, i) => i), cs);
    const joints = [...new Set(chosen.flatMap((g) => cfg.groups[g]))].sort((a, b) => a - b);
    const ct = rng.randint(temLo, temHi);
    const t0 = rng.randint(0, S - ct);
    const p = rng.random();
    const draws: MixDraws = { shift, groupsChosen: chosen, joints, ct, t0, p };
    const partnerIdx = tensor(BigInt64Array.from(partner, (v) => BigInt(v)), [N], { dtype: 'int64' });
    const xp = x.indexSelect(0, partnerIdx);

    let data: Tensor;
    let lambda: number;
    if (p > (cfg.swapAbove ?? 0.25)) {
      const ct2 = rng.randint(ct, S);
      const t2 = rng.randint(0, S - ct2);
      Object.assign(draws, { ct2, t2 });
      const rt = ratio * ct;
      // Frame map: identity outside the target window, the resampled partner window inside.
      const frames = new BigInt64Array(T);
      for (let t = 0; t < T; t++) frames[t] = BigInt(t);
      const near = nearestIndices(rt, ratio * ct2);
      for (let k = 0; k < rt; k++) frames[ratio * t0 + k] = BigInt(ratio * t2 + near[k]);
      const src = xp.indexSelect(2, tensor(frames, [T], { dtype: 'int64' }));
      const maskData = new Uint8Array(T * V);
      for (let k = 0; k < rt; k++) for (const v of joints) maskData[(ratio * t0 + k) * V + v] = 1;
      const mask = tensor(maskData, [1, 1, T, V, 1], { dtype: 'bool' });
      data = where(mask, src, x);
      // λ is the mean of the coarse [S, V] mask, in float32 as the original's tensor mean.
      lambda = Math.fround(Math.fround(ct * joints.length) / (S * V));
    } else {
      const blend = rng.random();
      draws.blend = blend;
      // The original builds a constant [S, V] mask and returns its float32 mean.
      lambda = full([S, V], blend).mean().item();
      data = x.mul(1 - blend).add(xp.mul(blend));
    }
    const oneHot = (l: Tensor) => zeros([N, cfg.numClasses]).scatter(1, l.view(N, 1), 1);
    const mixed = oneHot(labels).mul(1 - lambda).add(oneHot(labels.indexSelect(0, partnerIdx)).mul(lambda));
    return { data, labels: mixed, lambda, partner, draws };
  }));
}
