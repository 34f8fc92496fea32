/**
 * What the agent needs to know about a skeleton layout: how many joints the LLM is told about and
 * the Selector's own copies of the bone and K-bone pair lists (the original's `cls_matrix.py` keeps
 * its own `bone_pairs` / `k_bone_pairs`, identical to layouts.md §5/§6). Pair order matters: the
 * Selector marks rows by *position* in these lists (agent.md §7).
 */

export type AgentLayout = 'nturgb+d' | 'coco_new' | 'uav';
export type JointPair = readonly [number, number];

export interface LayoutInfo {
  readonly joints: number;
  readonly bonePairs: readonly JointPair[];
  readonly kBonePairs: readonly JointPair[];
}

export const LAYOUTS: Readonly<Record<AgentLayout, LayoutInfo>> = {
  'nturgb+d': {
    joints: 25,
    bonePairs: [[0, 1], [1, 20], [2, 20], [3, 2], [4, 20], [5, 4], [6, 5], [7, 6], [8, 20], [9, 8], [10, 9], [11, 10], [12, 0],
      [13, 12], [14, 13], [15, 14], [16, 0], [17, 16], [18, 17], [19, 18], [21, 22], [20, 20], [22, 7], [23, 24], [24, 11]],
    kBonePairs: [[0, 20], [1, 1], [2, 2], [3, 20], [4, 4], [5, 20], [6, 4], [7, 5], [8, 8], [9, 20], [10, 8], [11, 9], [12, 1],
      [13, 0], [14, 12], [15, 13], [16, 1], [17, 0], [18, 16], [19, 17], [21, 7], [20, 20], [22, 6], [23, 11], [24, 10]],
  },
  coco_new: {
    joints: 20,
    bonePairs: [[0, 19], [1, 0], [2, 0], [3, 1], [4, 2], [5, 19], [6, 19], [7, 5], [8, 6], [9, 7], [10, 8], [11, 17], [12, 17],
      [13, 11], [14, 12], [15, 13], [16, 14], [17, 18], [18, 19], [19, 19]],
    kBonePairs: [[0, 0], [1, 19], [2, 19], [3, 0], [4, 0], [5, 5], [6, 6], [7, 19], [8, 19], [9, 5], [10, 6], [11, 18], [12, 18],
      [13, 17], [14, 17], [15, 11], [16, 12], [17, 19], [18, 18], [19, 19]],
  },
  uav: {
    joints: 17,
    bonePairs: [[0, 0], [1, 1], [2, 1], [3, 2], [4, 1], [5, 4], [6, 5], [7, 1], [8, 7], [9, 8], [10, 7], [11, 10], [12, 11],
      [13, 0], [14, 0], [15, 13], [16, 14]],
    kBonePairs: [[0, 0], [1, 1], [2, 2], [3, 1], [4, 4], [5, 1], [6, 4], [7, 7], [8, 1], [9, 7], [10, 1], [11, 4], [12, 10],
      [13, 13], [14, 14], [15, 0], [16, 0]],
  },
};

export function isAgentLayout(name: string): name is AgentLayout {
  return Object.hasOwn(LAYOUTS, name);
}

/** The original's dataset codes with their layout and prompt family (agent.md §3). */
export const DATASETS: Readonly<Record<string, { layout: AgentLayout; prompts: PromptFamily }>> = {
  nturgbd_60: { layout: 'nturgb+d', prompts: 'ntu' },
  nturgbd_120: { layout: 'nturgb+d', prompts: 'ntu' },
  finegym: { layout: 'coco_new', prompts: 'finegym' },
  k400: { layout: 'coco_new', prompts: 'k400' },
  uav_human: { layout: 'uav', prompts: 'uav' },
};

export type PromptFamily = 'ntu' | 'k400' | 'finegym' | 'uav';

/** Prompt family used for a layout when none is named. */
export const DEFAULT_PROMPTS: Readonly<Record<AgentLayout, PromptFamily>> = {
  'nturgb+d': 'ntu',
  coco_new: 'k400',
  uav: 'uav',
};
