/**
 * The skeleton layouts the agent can talk about: those whose joint numbering the dialogue prompts
 * present, and the prompt family each dataset uses (the original's offline dialogue generators,
 * tools/text/gpt4o/gpt4o_<dataset>.py). Joint counts and bone tables are the skeleton module's (LAYOUTS).
 */
import type { DatasetCode } from '../skeleton/datasets.js';
import type { LayoutName } from '../skeleton/layouts.js';

export const AGENT_LAYOUTS = ['nturgb+d', 'coco_new', 'uav'] as const satisfies readonly LayoutName[];
export type AgentLayout = (typeof AGENT_LAYOUTS)[number];

export function isAgentLayout(name: string): name is AgentLayout {
  return (AGENT_LAYOUTS as readonly string[]).includes(name);
}

export type PromptFamily = 'ntu' | 'k400' | 'finegym' | 'uav';

/** The prompt family of each of the original's datasets. */
export const DATASET_PROMPTS: Readonly<Record<DatasetCode, PromptFamily>> = {
  nturgbd_60: 'ntu',
  nturgbd_120: 'ntu',
  finegym: 'finegym',
  k400: 'k400',
  uav_human: 'uav',
};

/** Prompt family used for a layout when none is named. */
export const DEFAULT_PROMPTS: Readonly<Record<AgentLayout, PromptFamily>> = {
  'nturgb+d': 'ntu',
  coco_new: 'k400',
  uav: 'uav',
};
