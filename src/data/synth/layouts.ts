/**
 * How the stick figure's landmarks become each dataset's joints (joint orders of
 * skeletonagent/utils/graph.py's layouts) and how they are observed: 3D camera coordinates like
 * Kinect v2 for NTU, pixel coordinates plus detector scores for COCO-17 (FineGYM / Kinetics style)
 * and UAV-Human.
 */
import type { InputLayoutName } from '../../skeleton/layouts.js';
import type { Landmark } from './stick-figure.js';

/** Layouts synthetic files come in (the file layouts of skeleton/layouts.ts; joint counts are checked there on open). */
export const SYNTH_LAYOUTS = ['nturgb+d', 'coco', 'uav'] as const satisfies readonly InputLayoutName[];
export type SynthLayout = (typeof SYNTH_LAYOUTS)[number];

export function isSynthLayout(name: string): name is SynthLayout {
  return (SYNTH_LAYOUTS as readonly string[]).includes(name);
}

/** Joint index → landmark. */
export const JOINT_LANDMARKS: Readonly<Record<SynthLayout, readonly Landmark[]>> = {
  'nturgb+d': [
    'pelvis', 'spineMid', 'neck', 'head', 'leftShoulder', 'leftElbow', 'leftWrist', 'leftHand',
    'rightShoulder', 'rightElbow', 'rightWrist', 'rightHand', 'leftHip', 'leftKnee', 'leftAnkle', 'leftFoot',
    'rightHip', 'rightKnee', 'rightAnkle', 'rightFoot', 'chest', 'leftHandTip', 'leftThumb', 'rightHandTip', 'rightThumb',
  ],
  coco: [
    'nose', 'leftEye', 'rightEye', 'leftEar', 'rightEar', 'leftShoulder', 'rightShoulder', 'leftElbow', 'rightElbow',
    'leftWrist', 'rightWrist', 'leftHip', 'rightHip', 'leftKnee', 'rightKnee', 'leftAnkle', 'rightAnkle',
  ],
  uav: [
    'nose', 'rightShoulder', 'rightElbow', 'rightWrist', 'leftShoulder', 'leftElbow', 'leftWrist', 'rightHip',
    'rightKnee', 'rightAnkle', 'leftHip', 'leftKnee', 'leftAnkle', 'rightEye', 'leftEye', 'rightEar', 'leftEar',
  ],
};

/** A 3D sensor: camera coordinates in metres, the origin `height` above the floor. */
export interface DepthSensor {
  readonly kind: 'depth';
  readonly height: number;
  /** Coordinate noise (standard deviation, metres). */
  readonly noise: number;
}

/** A pinhole camera looking horizontally; pixel coordinates with the image y axis pointing down. */
export interface ImageSensor {
  readonly kind: 'image';
  readonly width: number;
  readonly height: number;
  readonly focal: number;
  /** Camera height above the floor, metres. */
  readonly elevation: number;
  /** Coordinate noise (standard deviation, pixels). */
  readonly noise: number;
  /** Detector confidence of visible joints: uniform in [lo, hi]; `null` = always 1 (UAV files). */
  readonly score: readonly [number, number] | null;
}

export interface SynthStyle {
  readonly sensor: DepthSensor | ImageSensor;
  /** Distance range of the performer from the sensor, metres. */
  readonly depth: readonly [number, number];
  /** dtypes the real files use (PYSKL annotation format); no score array for 3D data. */
  readonly keypointDtype: 'float16' | 'float64';
  readonly scoreDtype: 'float16' | 'float32' | null;
}

export const SYNTH_STYLES: Readonly<Record<SynthLayout, SynthStyle>> = {
  'nturgb+d': { sensor: { kind: 'depth', height: 0.85, noise: 0.008 }, depth: [2.6, 3.8], keypointDtype: 'float16', scoreDtype: null },
  coco: {
    sensor: { kind: 'image', width: 1280, height: 720, focal: 900, elevation: 1.0, noise: 1.2, score: [0.55, 0.98] },
    depth: [3.2, 4.5], keypointDtype: 'float16', scoreDtype: 'float16',
  },
  uav: {
    sensor: { kind: 'image', width: 1920, height: 1080, focal: 1300, elevation: 1.4, noise: 1.5, score: null },
    depth: [4.0, 6.5], keypointDtype: 'float64', scoreDtype: 'float32',
  },
};
