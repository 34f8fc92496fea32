/**
 * Pose estimator output formats and how their joints map onto the joint sets the models read, as
 * data. A format is named by what writes it; a joint set is what a model's raw keypoints hold
 * (layouts of skeletonagent/utils/graph.py). Each table lists, for every joint of the target set,
 * the source joint it is copied from. Mappings that would need invented joints (NTU's spine or hand
 * tips from a COCO skeleton, COCO's eyes and ears from a Kinect skeleton) are deliberately absent:
 * asking for one is an error, not a guess.
 */

/** Joint orders pose estimators write. Their joint counts differ, so a count names its format. */
export const POSE_FORMATS = {
  /** COCO-17: MoveNet, YOLO-pose, RTMPose, MMPose, Detectron2. */
  coco17: { joints: 17, writers: 'COCO-17 (MoveNet, YOLO-pose, RTMPose)' },
  /** OpenPose COCO-18: COCO's joints in another order plus the neck (joint 1). */
  openpose18: { joints: 18, writers: 'OpenPose-18 (COCO-18 with neck)' },
  /** MediaPipe BlazePose-33 (x, y, z, visibility). */
  blazepose33: { joints: 33, writers: 'MediaPipe BlazePose-33' },
  /** Kinect v2 / NTU RGB+D 25 joints (x, y, z in metres). */
  ntu25: { joints: 25, writers: 'NTU-25 (Kinect v2)' },
} as const;
export type PoseFormat = keyof typeof POSE_FORMATS;
export const POSE_FORMAT_NAMES = Object.keys(POSE_FORMATS) as PoseFormat[];

/** Joint sets the models' raw keypoints use (what a dataset stores, before any pipeline step). */
export type JointSet = 'coco17' | 'uav17' | 'ntu25';

/** The joint set a model layout's raw keypoints are in (coco_new's three extra joints are computed by its pipeline). */
export const LAYOUT_JOINT_SETS: Readonly<Record<string, JointSet>> = {
  coco: 'coco17',
  coco_new: 'coco17',
  uav: 'uav17',
  'nturgb+d': 'ntu25',
};

/**
 * target joint set → source format → for each target joint, the source joint index. A format
 * equal to the target set needs no table. The uav17 tables are the coco17 one composed with the
 * source's own (built below, so the UAV order is written once).
 */
const DIRECT: Readonly<Partial<Record<JointSet, Partial<Record<PoseFormat, readonly number[]>>>>> = {
  coco17: {
    // OpenPose: 0 nose, 1 neck, 2-4 right arm, 5-7 left arm, 8-10 right leg, 11-13 left leg, 14/15 eyes R/L, 16/17 ears R/L.
    openpose18: [0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10],
    // BlazePose: 0 nose, 2/5 eyes L/R, 7/8 ears L/R, 11-16 arms (L, R alternating), 23-28 legs (L, R alternating).
    blazepose33: [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28],
  },
};

/** UAV-Human's joint order (skeletonagent/utils/graph.py `uav` layout) as COCO-17 joints. */
const UAV_FROM_COCO: readonly number[] = [0, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3];

/** Why a target joint set cannot be filled from a format, for the error message. */
const UNDERIVABLE: Readonly<Record<JointSet, string>> = {
  coco17: 'COCO-17 joints (nose, eyes, ears, limbs) from a 2D or 3D pose estimator',
  uav17: 'COCO-17 joints (nose, eyes, ears, limbs) from a 2D pose estimator, reordered to UAV-Human',
  ntu25: 'NTU-25 (Kinect v2) 3D joints: spine, neck, hand tips and thumbs cannot be derived from other skeletons',
};

/** For each joint of `target`, the joint of `format` it is copied from; throws naming what was expected. */
export function jointMap(format: PoseFormat, target: JointSet): readonly number[] {
  if (target === 'uav17') {
    const toCoco = format === 'coco17' ? null : jointMap(format, 'coco17');
    return UAV_FROM_COCO.map((c) => (toCoco === null ? c : toCoco[c]));
  }
  if (format === target) return Array.from({ length: POSE_FORMATS[format].joints }, (_, i) => i);
  const table = DIRECT[target]?.[format];
  if (table === undefined) {
    throw new Error(`${POSE_FORMATS[format].writers} poses cannot feed this model: it expects ${UNDERIVABLE[target]}`);
  }
  return table;
}

/** The format whose joint count is `joints`, or undefined. */
export function formatOfJointCount(joints: number): PoseFormat | undefined {
  return POSE_FORMAT_NAMES.find((f) => POSE_FORMATS[f].joints === joints);
}

/**
 * What each value of a joint holds: x, y, optionally z, optionally a confidence (score /
 * visibility / tracking state). Written as a string of letters: 'xy', 'xys', 'xyz', 'xyzs'.
 */
export const CHANNEL_ORDERS = ['xy', 'xys', 'xyz', 'xyzs'] as const;
export type ChannelOrder = (typeof CHANNEL_ORDERS)[number];

/**
 * The channel order a format's writers use for a given channel count, or undefined where the
 * count alone is ambiguous (3 values from BlazePose: x, y, z or x, y, visibility).
 */
export function defaultChannels(format: PoseFormat, channels: number): ChannelOrder | undefined {
  if (channels === 2) return 'xy';
  if (channels === 4) return 'xyzs';
  if (channels !== 3) return undefined;
  if (format === 'coco17' || format === 'openpose18') return 'xys';
  if (format === 'ntu25') return 'xyz';
  return undefined;
}
