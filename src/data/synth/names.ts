/**
 * Sample names and splits of the synthetic datasets, shaped like the real ones so that the real
 * split rules apply: NTU names (`S001C002P003R001A004`, cross-subject and cross-view splits),
 * UAV-Human names (`P012S01G10B00H10UC012000LC021000A007R1_09101028`, csv1/csv2), and FineGYM-style
 * ids with `train` / `val` lists.
 */
import { NTU60_SPLITS, NTU_XSUB_TRAIN_PERFORMERS, assignSplits, formatNtuName } from '../ntu-splits.js';
import { UAV_CSV1_TRAIN, UAV_SUBJECTS, assignUavSplits } from '../uav-splits.js';
import type { SynthRng } from './rng.js';
import type { SynthLayout } from './layouts.js';

/** About this share of the samples lands in the training split. */
const TRAIN_SHARE = 0.7;
const NTU_PERFORMERS = 40;
const NTU60_SETUPS = 17;

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);
const NTU_TRAIN = range(NTU_PERFORMERS, 1).filter((p) => NTU_XSUB_TRAIN_PERFORMERS.has(p));
const NTU_VAL = range(NTU_PERFORMERS, 1).filter((p) => !NTU_XSUB_TRAIN_PERFORMERS.has(p));
const UAV_TRAIN = range(UAV_SUBJECTS).filter((s) => UAV_CSV1_TRAIN.has(s));
const UAV_VAL = range(UAV_SUBJECTS).filter((s) => !UAV_CSV1_TRAIN.has(s));
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

export interface SynthName {
  readonly name: string;
  /** Whether the name was drawn for the training side (the subject / split follows from it). */
  readonly train: boolean;
}

/** A name for class `label` (0-based). */
function sampleName(layout: SynthLayout, label: number, rng: SynthRng): SynthName {
  const train = rng.chance(TRAIN_SHARE);
  return { name: nameOnSide(layout, label, train, rng), train };
}

function nameOnSide(layout: SynthLayout, label: number, train: boolean, rng: SynthRng): string {
  switch (layout) {
    case 'nturgb+d':
      return formatNtuName({ setup: rng.int(1, NTU60_SETUPS), camera: rng.int(1, 3), performer: rng.pick(train ? NTU_TRAIN : NTU_VAL), replication: rng.int(1, 2), action: label + 1 });
    case 'uav':
      return `P${pad(rng.pick(train ? UAV_TRAIN : UAV_VAL), 3)}S${pad(rng.int(0, 1), 2)}G${pad(rng.int(10, 11), 2)}B${pad(rng.int(0, 1) * 10, 2)}`
        + `H${pad(rng.int(1, 2) * 10, 2)}UC${pad(rng.int(0, 99) * 1000, 6)}LC${pad(rng.int(0, 99) * 1000, 6)}A${pad(label, 3)}R${rng.int(0, 1)}`
        + `_${pad(rng.int(1, 12), 2)}${pad(rng.int(1, 28), 2)}${pad(rng.int(0, 23), 2)}${pad(rng.int(0, 59), 2)}`;
    case 'coco': {
      const id = range(11).map(() => rng.pick([...ID_CHARS])).join('');
      const start = rng.int(0, 9000);
      const first = rng.int(0, 60);
      return `${id}_E_${pad(start, 6)}_${pad(start + rng.int(20, 90), 6)}_A_${pad(first, 4)}_${pad(first + 1, 4)}`;
    }
  }
}

/** A name not in `taken` (retrying with the same stream, so the result stays deterministic). */
export function uniqueSampleName(layout: SynthLayout, label: number, rng: SynthRng, taken: Set<string>): SynthName {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const drawn = sampleName(layout, label, rng);
    if (!taken.has(drawn.name)) {
      taken.add(drawn.name);
      return drawn;
    }
  }
  throw new Error(`could not find an unused ${layout} sample name for class ${label}; ask for fewer samples per class`);
}

/**
 * Split lists for the generated names, in the order given. FineGYM-style names carry no subject,
 * so their membership is the side they were drawn for (`isTrain`); the others follow the real rules.
 */
export function syntheticSplits(layout: SynthLayout, names: readonly string[], isTrain: (name: string) => boolean): Map<string, string[]> {
  switch (layout) {
    case 'nturgb+d':
      return assignSplits(names, NTU60_SPLITS);
    case 'uav':
      return assignUavSplits(names);
    case 'coco':
      return new Map([['train', names.filter(isTrain)], ['val', names.filter((n) => !isTrain(n))]]);
  }
}
