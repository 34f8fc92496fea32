/**
 * The skeleton layouts the agent can talk about: those whose joint numbering the dialogue prompts
 * present (agent.md §3.1). Joint counts and the bone / K-bone pair lists (whose *order* the
 * Selector depends on) come from the skeleton module's tables (layouts.md §5/§6).
 */
import { LAYOUTS as SKELETON_LAYOUTS, type Layout } from '../skeleton/layouts.js';

export type AgentLayout = 'nturgb+d' | 'coco_new' | 'uav';
export const AGENT_LAYOUTS: readonly AgentLayout[] = ['nturgb+d', 'coco_new', 'uav'];

export function isAgentLayout(name: string): name is AgentLayout {
  return (AGENT_LAYOUTS as readonly string[]).includes(name);
}

export function layoutTables(layout: AgentLayout): Layout {
  return SKELETON_LAYOUTS[layout];
}

/** The original's dataset codes with their layout, class count and prompt family (agent.md §3). */
export const DATASETS: Readonly<Record<string, { layout: AgentLayout; classes: number; prompts: PromptFamily }>> = {
  nturgbd_60: { layout: 'nturgb+d', classes: 60, prompts: 'ntu' },
  nturgbd_120: { layout: 'nturgb+d', classes: 120, prompts: 'ntu' },
  finegym: { layout: 'coco_new', classes: 99, prompts: 'finegym' },
  k400: { layout: 'coco_new', classes: 400, prompts: 'k400' },
  uav_human: { layout: 'uav', classes: 155, prompts: 'uav' },
};

/** The original's dataset with this layout and class count (names the run's text folders), or 'custom'. */
export function datasetOf(layout: string, numClasses: number): string {
  return Object.entries(DATASETS).find(([, d]) => d.layout === layout && d.classes === numClasses)?.[0] ?? 'custom';
}

export type PromptFamily = 'ntu' | 'k400' | 'finegym' | 'uav';

/** Prompt family used for a layout when none is named. */
export const DEFAULT_PROMPTS: Readonly<Record<AgentLayout, PromptFamily>> = {
  'nturgb+d': 'ntu',
  coco_new: 'k400',
  uav: 'uav',
};
