/**
 * NTU RGB+D sample names (`SsssCcccPpppRrrrAaaa`) and the benchmark splits derived from them
 * (tools/data/ntu_preproc.py). The parsing mirrors the original's string handling: the label is the
 * number after the *last* `A`, the performer the three digits after the first `P`, the setup the
 * three digits after the first `S`, and cross-view tests for the substring `C001`.
 */

/** Cross-subject training performers, NTU-60 and NTU-120 alike (53 ids). */
export const NTU_XSUB_TRAIN_PERFORMERS: ReadonlySet<number> = new Set([
  1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38, 45, 46, 47, 49, 50, 52,
  53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81, 82, 83, 84, 85, 86, 89, 91, 92, 93, 94, 95, 97,
  98, 100, 103,
]);

/** NTU-60 contains actions 1..60; NTU-120 adds 61..120. */
export const NTU60_MAX_ACTION = 60;

export interface NtuName {
  readonly setup: number;
  readonly camera: number;
  readonly performer: number;
  readonly replication: number;
  /** 1-based action id (label + 1). */
  readonly action: number;
}

const NAME = /^S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})$/;

/** Parses a sample name; null when it does not follow the NTU pattern. */
export function parseNtuName(name: string): NtuName | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const [setup, camera, performer, replication, action] = m.slice(1).map(Number);
  return { setup, camera, performer, replication, action };
}

export function formatNtuName(n: NtuName): string {
  const p = (x: number): string => String(x).padStart(3, '0');
  return `S${p(n.setup)}C${p(n.camera)}P${p(n.performer)}R${p(n.replication)}A${p(n.action)}`;
}

/** Label = action id − 1. */
export function ntuLabel(n: NtuName): number {
  return n.action - 1;
}

type SplitRule = (n: NtuName) => boolean;

/** Split name → membership rule, in the order the original writes the split dicts. */
export const NTU60_SPLITS: ReadonlyArray<readonly [string, SplitRule]> = [
  ['xsub_train', (n) => NTU_XSUB_TRAIN_PERFORMERS.has(n.performer)],
  ['xsub_val', (n) => !NTU_XSUB_TRAIN_PERFORMERS.has(n.performer)],
  ['xview_train', (n) => n.camera !== 1],
  ['xview_val', (n) => n.camera === 1],
];

export const NTU120_SPLITS: ReadonlyArray<readonly [string, SplitRule]> = [
  ['xsub_train', (n) => NTU_XSUB_TRAIN_PERFORMERS.has(n.performer)],
  ['xsub_val', (n) => !NTU_XSUB_TRAIN_PERFORMERS.has(n.performer)],
  ['xset_train', (n) => n.setup % 2 === 0],
  ['xset_val', (n) => n.setup % 2 === 1],
];

/** Split name → member names, keeping the order of `names`. */
export function assignSplits(names: readonly string[], rules: ReadonlyArray<readonly [string, SplitRule]>): Map<string, string[]> {
  const parsed = names.map((name) => ({ name, n: parseNtuName(name) as NtuName }));
  return new Map(rules.map(([split, rule]) => [split, parsed.filter(({ n }) => rule(n)).map(({ name }) => name)]));
}
