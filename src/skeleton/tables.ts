/**
 * Per-layout index tables used by the augmentations and the training mix-up
 * (skeletonagent/datasets/pipelines/pose_related.py; mix-up groups from
 * skeletonagent/models/recognizers/tools.py). All indices 0-based.
 */
import type { LayoutName } from './layouts.js';

/**
 * Spatial_Flip joint permutations, keyed by the op's `dataset` argument: new[v] = old[order[v]].
 * Only left/right labels are exchanged; coordinates are not mirrored.
 */
export const SPATIAL_FLIP_ORDERS: Readonly<Record<'nturgb+d' | 'nw_ucla' | 'openpose', readonly number[]>> = {
  'nturgb+d': [0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15, 20, 23, 24, 21, 22],
  nw_ucla: [0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15],
  openpose: [0, 1, 5, 6, 7, 2, 3, 4, 11, 12, 13, 8, 9, 10, 15, 14, 17, 16],
};

/** COCO-17 left/right keypoints swapped by the 2D Flip (FineGYM and K400 configs pass these). */
export const COCO_FLIP_LEFT = [1, 3, 5, 7, 9, 11, 13, 15] as const;
export const COCO_FLIP_RIGHT = [2, 4, 6, 8, 10, 12, 14, 16] as const;

/** Part_Drop groups (NTU joints), indexed by the drawn part id 0..3. */
export const PART_DROP_GROUPS: readonly (readonly number[])[] = [
  [4, 5, 6, 7, 22, 21], // 0 "left hand"
  [12, 13, 14, 15], // 1 "left leg"
  [8, 9, 10, 11, 24, 23], // 2 "right hand"
  [16, 17, 18, 19], // 3 "right leg"
];

/**
 * Mix-up body-part groups per head `joint_cfg`, in the list order `random.sample` draws from:
 * trunk, "left hand", "right hand", "left leg", "right leg" (the names are wrong-sided for NTU and
 * UAV; only the indices matter). Each partitions the layout's joints.
 */
export const MIX_GROUPS: Readonly<Partial<Record<LayoutName, readonly (readonly number[])[]>>> = {
  'nturgb+d': [[3, 2, 20, 1, 0], [8, 9, 10, 11, 23, 24], [4, 5, 6, 7, 21, 22], [16, 17, 18, 19], [12, 13, 14, 15]],
  coco_new: [[0, 1, 2, 3, 4, 17, 18, 19], [5, 7, 9], [6, 8, 10], [11, 13, 15], [12, 14, 16]],
  uav: [[0, 13, 14, 15, 16], [1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]],
};
