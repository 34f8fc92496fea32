/**
 * The original's datasets by code (the names of its label maps and text folders), with their
 * skeleton layout and class count. A run on a layout and class count that matches one of these
 * uses that dataset's texts; anything else is 'custom'.
 */
import type { LayoutName } from './layouts.js';

export const DATASETS = {
  nturgbd_60: { layout: 'nturgb+d', classes: 60 },
  nturgbd_120: { layout: 'nturgb+d', classes: 120 },
  finegym: { layout: 'coco_new', classes: 99 },
  k400: { layout: 'coco_new', classes: 400 },
  uav_human: { layout: 'uav', classes: 155 },
} as const satisfies Record<string, { layout: LayoutName; classes: number }>;

export type DatasetCode = keyof typeof DATASETS;

export function isDatasetCode(name: string): name is DatasetCode {
  return Object.prototype.hasOwnProperty.call(DATASETS, name);
}

/** The original's dataset with this layout and class count, or 'custom'. */
export function datasetOf(layout: string, numClasses: number): DatasetCode | 'custom' {
  const found = Object.entries(DATASETS).find(([, d]) => d.layout === layout && d.classes === numClasses);
  return found ? (found[0] as DatasetCode) : 'custom';
}
