/**
 * What an annotation file's `keypoint` arrays look like for each skeleton layout, *before* any
 * pipeline step (data.md §1.1, §2). FineGYM and Kinetics files hold COCO-17; the pipeline's
 * `Kinetics_Transform` turns them into `coco_new` (20 joints) later, so `coco_new` datasets are
 * validated as COCO-17 input here.
 */
export interface InputLayout {
  /** Joints per person in the file. */
  readonly joints: number;
  /** Coordinate channels of `keypoint` (3 = x, y, z; 2 = x, y with scores in `keypoint_score`). */
  readonly channels: number;
  /** The pipeline's PreNormalize3D accepts only 1 or 2 persons (pipeline.md §2.1). */
  readonly maxPersons: number | null;
}

export const INPUT_LAYOUTS = {
  'nturgb+d': { joints: 25, channels: 3, maxPersons: 2 },
  coco: { joints: 17, channels: 2, maxPersons: null },
  coco_new: { joints: 17, channels: 2, maxPersons: null },
  uav: { joints: 17, channels: 2, maxPersons: null },
} as const satisfies Record<string, InputLayout>;

export type InputLayoutName = keyof typeof INPUT_LAYOUTS;

export function isInputLayoutName(name: string): name is InputLayoutName {
  return Object.prototype.hasOwnProperty.call(INPUT_LAYOUTS, name);
}

export function inputLayout(name: string): InputLayout {
  if (!isInputLayoutName(name)) {
    throw new Error(`unknown skeleton layout '${name}' (expected one of: ${Object.keys(INPUT_LAYOUTS).join(', ')})`);
  }
  return INPUT_LAYOUTS[name];
}
