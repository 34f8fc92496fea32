/**
 * Skeleton layouts as data: joint counts, graph edges, centres and the bone / K-bone pair tables
 * (`Graph.get_layout` in skeletonagent/utils/graph.py; `JointToBone` / `JointToKB` in
 * skeletonagent/datasets/pipelines/pose_related.py). All indices are 0-based. The bone tables are
 * separate hard-coded lists in the original, not derived from the graph edges, and are kept
 * verbatim (oddities included).
 */
export const LAYOUT_NAMES = ['openpose', 'openpose_new', 'nturgb+d', 'coco', 'coco_new', 'uav'] as const;
export type LayoutName = (typeof LAYOUT_NAMES)[number];

export type JointPair = readonly [number, number];

export interface Layout {
  readonly name: LayoutName;
  readonly numJoints: number;
  /** Graph centre joint (used by `stgcn_spatial`). UAV keeps the original's unconverted literal 1. */
  readonly center: number;
  /** Graph edges as (child, parent). */
  readonly inward: readonly JointPair[];
  /** JointToBone pairs (v1, v2): bone[v1] = joint[v1] - joint[v2]. */
  readonly bonePairs: readonly JointPair[];
  /** JointToKB pairs: second-order ("grand-parent") differences. */
  readonly kbonePairs: readonly JointPair[];
}

/** Converts the 1-based pair lists the original writes for NTU and UAV. */
function fromOneBased(pairs: readonly JointPair[]): JointPair[] {
  return pairs.map(([a, b]) => [a - 1, b - 1] as const);
}

export const LAYOUTS: Readonly<Record<LayoutName, Layout>> = {
  openpose: {
    name: 'openpose',
    numJoints: 18,
    center: 1,
    inward: [[4, 3], [3, 2], [7, 6], [6, 5], [13, 12], [12, 11], [10, 9], [9, 8], [11, 5], [8, 2], [5, 1], [2, 1], [0, 1],
      [15, 0], [14, 0], [17, 15], [16, 14]],
    bonePairs: [[0, 1], [1, 1], [2, 1], [3, 2], [4, 3], [5, 1], [6, 5], [7, 6], [8, 2], [9, 8], [10, 9], [11, 5], [12, 11],
      [13, 12], [14, 0], [15, 0], [16, 14], [17, 15]],
    kbonePairs: [[0, 0], [1, 1], [2, 2], [3, 1], [4, 2], [5, 5], [6, 1], [7, 5], [8, 1], [9, 2], [10, 8], [11, 1], [12, 5],
      [13, 11], [14, 1], [15, 1], [16, 0], [17, 0]],
  },
  openpose_new: {
    name: 'openpose_new',
    numJoints: 20,
    center: 1,
    inward: [[4, 3], [3, 2], [7, 6], [6, 5], [13, 12], [12, 11], [10, 9], [9, 8], [11, 18], [8, 18], [5, 1], [2, 1], [0, 1],
      [15, 0], [14, 0], [17, 15], [16, 14], [18, 19], [19, 1]],
    bonePairs: [[0, 1], [1, 1], [2, 1], [3, 2], [4, 3], [5, 1], [6, 5], [7, 6], [8, 18], [9, 8], [10, 9], [11, 18], [12, 11],
      [13, 12], [14, 0], [15, 0], [16, 14], [17, 15], [18, 19], [19, 1]],
    kbonePairs: [[0, 0], [1, 1], [2, 2], [3, 1], [4, 2], [5, 5], [6, 1], [7, 5], [8, 19], [9, 18], [10, 8], [11, 19],
      [12, 18], [13, 11], [14, 1], [15, 1], [16, 0], [17, 0], [18, 1], [19, 19]],
  },
  'nturgb+d': {
    name: 'nturgb+d',
    numJoints: 25,
    center: 21 - 1,
    inward: fromOneBased([[1, 2], [2, 21], [3, 21], [4, 3], [5, 21], [6, 5], [7, 6], [8, 7], [9, 21], [10, 9], [11, 10],
      [12, 11], [13, 1], [14, 13], [15, 14], [16, 15], [17, 1], [18, 17], [19, 18], [20, 19], [22, 8], [23, 8], [24, 12],
      [25, 12]]),
    bonePairs: [[0, 1], [1, 20], [2, 20], [3, 2], [4, 20], [5, 4], [6, 5], [7, 6], [8, 20], [9, 8], [10, 9], [11, 10],
      [12, 0], [13, 12], [14, 13], [15, 14], [16, 0], [17, 16], [18, 17], [19, 18], [21, 22], [20, 20], [22, 7], [23, 24],
      [24, 11]],
    kbonePairs: [[0, 20], [1, 1], [2, 2], [3, 20], [4, 4], [5, 20], [6, 4], [7, 5], [8, 8], [9, 20], [10, 8], [11, 9],
      [12, 1], [13, 0], [14, 12], [15, 13], [16, 1], [17, 0], [18, 16], [19, 17], [21, 7], [20, 20], [22, 6], [23, 11],
      [24, 10]],
  },
  coco: {
    name: 'coco',
    numJoints: 17,
    center: 0,
    inward: [[15, 13], [13, 11], [16, 14], [14, 12], [11, 5], [12, 6], [9, 7], [7, 5], [10, 8], [8, 6], [5, 0], [6, 0],
      [1, 0], [3, 1], [2, 0], [4, 2]],
    bonePairs: [[0, 0], [1, 0], [2, 0], [3, 1], [4, 2], [5, 0], [6, 0], [7, 5], [8, 6], [9, 7], [10, 8], [11, 0], [12, 0],
      [13, 11], [14, 12], [15, 13], [16, 14]],
    kbonePairs: [[0, 0], [1, 1], [2, 2], [3, 0], [4, 0], [5, 5], [6, 6], [7, 0], [8, 0], [9, 5], [10, 6], [11, 11],
      [12, 12], [13, 0], [14, 0], [15, 11], [16, 12]],
  },
  coco_new: {
    name: 'coco_new',
    numJoints: 20,
    center: 19,
    inward: [[15, 13], [13, 11], [16, 14], [14, 12], [11, 17], [12, 17], [9, 7], [7, 5], [10, 8], [8, 6], [5, 19], [6, 19],
      [1, 0], [3, 1], [2, 0], [4, 2], [0, 19], [17, 18], [18, 19]],
    bonePairs: [[0, 19], [1, 0], [2, 0], [3, 1], [4, 2], [5, 19], [6, 19], [7, 5], [8, 6], [9, 7], [10, 8], [11, 17],
      [12, 17], [13, 11], [14, 12], [15, 13], [16, 14], [17, 18], [18, 19], [19, 19]],
    kbonePairs: [[0, 0], [1, 19], [2, 19], [3, 0], [4, 0], [5, 5], [6, 6], [7, 19], [8, 19], [9, 5], [10, 6], [11, 18],
      [12, 18], [13, 17], [14, 17], [15, 11], [16, 12], [17, 19], [18, 18], [19, 19]],
  },
  uav: {
    name: 'uav',
    numJoints: 17,
    center: 1, // original forgot the -1 (docs/original.md): 0-based joint 1, the right shoulder
    inward: fromOneBased([[2, 3], [2, 5], [3, 4], [5, 6], [6, 7], [2, 8], [8, 9], [8, 11], [9, 10], [5, 11], [11, 12],
      [12, 13], [1, 14], [1, 15], [14, 16], [15, 17]]),
    bonePairs: [[0, 0], [1, 1], [2, 1], [3, 2], [4, 1], [5, 4], [6, 5], [7, 1], [8, 7], [9, 8], [10, 7], [11, 10],
      [12, 11], [13, 0], [14, 0], [15, 13], [16, 14]],
    kbonePairs: [[0, 0], [1, 1], [2, 2], [3, 1], [4, 4], [5, 1], [6, 4], [7, 7], [8, 1], [9, 7], [10, 1], [11, 4],
      [12, 10], [13, 13], [14, 14], [15, 0], [16, 0]],
  },
};

export function isLayoutName(s: string): s is LayoutName {
  return (LAYOUT_NAMES as readonly string[]).includes(s);
}

/** The layout called `name`, or an error listing the valid names. */
export function getLayout(name: string, where = 'layout'): Layout {
  if (!isLayoutName(name)) throw new Error(`${where}: unknown skeleton layout '${name}' (expected one of ${LAYOUT_NAMES.join(', ')})`);
  return LAYOUTS[name];
}

/**
 * Layouts whose bones, K-bones and motions replace channel 2 (the detection score) by the mean
 * score of the two joints / frames instead of differencing it (`JointToBone` / `JointToKB`,
 * docs/original.md).
 */
export const SCORE_AVERAGING_LAYOUTS: readonly LayoutName[] = ['openpose', 'coco'];

/** Joint names per layout (each dataset's documented joint order), index = joint. */
export const JOINT_NAMES: Readonly<Partial<Record<LayoutName, readonly string[]>>> = {
  'nturgb+d': ['spine base', 'spine middle', 'neck', 'head', 'left shoulder', 'left elbow', 'left wrist', 'left hand',
    'right shoulder', 'right elbow', 'right wrist', 'right hand', 'left hip', 'left knee', 'left ankle', 'left foot',
    'right hip', 'right knee', 'right ankle', 'right foot', 'spine', 'tip of left hand', 'left thumb',
    'tip of right hand', 'right thumb'],
  coco: ['nose', 'left eye', 'right eye', 'left ear', 'right ear', 'left shoulder', 'right shoulder', 'left elbow',
    'right elbow', 'left wrist', 'right wrist', 'left hip', 'right hip', 'left knee', 'right knee', 'left ankle',
    'right ankle'],
  coco_new: ['nose', 'left eye', 'right eye', 'left ear', 'right ear', 'left shoulder', 'right shoulder', 'left elbow',
    'right elbow', 'left wrist', 'right wrist', 'left hip', 'right hip', 'left knee', 'right knee', 'left ankle',
    'right ankle', 'mid-hip', 'thorax', 'mid-shoulder'],
  uav: ['nose', 'right shoulder', 'right elbow', 'right wrist', 'left shoulder', 'left elbow', 'left wrist', 'right hip',
    'right knee', 'right ankle', 'left hip', 'left knee', 'left ankle', 'right eye', 'left eye', 'right ear', 'left ear'],
};

/**
 * What an annotation file's `keypoint` arrays look like for the layouts datasets come in, *before*
 * any pipeline step. FineGYM and Kinetics files hold COCO-17; the pipeline's `Kinetics_Transform`
 * turns them into `coco_new` (20 joints) later, so `coco_new` datasets are validated as COCO-17
 * input (the original's data loading, pyskl/datasets/pose_dataset.py and the per-dataset files).
 */
export interface InputLayout {
  /** Joints per person in the file. */
  readonly joints: number;
  /** Coordinate channels of `keypoint` (3 = x, y, z; 2 = x, y with scores in `keypoint_score`). */
  readonly channels: number;
  /** The pipeline's PreNormalize3D accepts only 1 or 2 persons; null = no limit. */
  readonly maxPersons: number | null;
}

export const INPUT_LAYOUTS = {
  'nturgb+d': { joints: LAYOUTS['nturgb+d'].numJoints, channels: 3, maxPersons: 2 },
  coco: { joints: LAYOUTS.coco.numJoints, channels: 2, maxPersons: null },
  coco_new: { joints: LAYOUTS.coco.numJoints, channels: 2, maxPersons: null },
  uav: { joints: LAYOUTS.uav.numJoints, channels: 2, maxPersons: null },
} as const satisfies Partial<Record<LayoutName, InputLayout>>;

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
