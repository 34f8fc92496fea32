/**
 * A kinematic stick figure: a handful of joint angles → 3D positions of named body landmarks.
 * Person frame: x to the person's left, y up, z forward, metres; the feet rest on y = 0.
 */

/** One limb's angles, radians. */
export interface Limb {
  /** Arm: angle of the upper arm from hanging down (π = straight up). Leg: hip flexion (forward). */
  raise: number;
  /** Arm: direction in the horizontal plane from sideways (0) to forward (π/2). Leg: abduction. */
  swing: number;
  /** Elbow / knee flexion (0 = straight). */
  bend: number;
}

export interface Pose {
  /** Facing angle about the vertical, 0 = facing the camera. */
  yaw: number;
  /** Forward bend and sideways bend (towards the left positive) of the trunk. */
  trunkPitch: number;
  trunkRoll: number;
  headPitch: number;
  /** Height of the feet above the floor (jumps). */
  lift: number;
  leftArm: Limb;
  rightArm: Limb;
  leftLeg: Limb;
  rightLeg: Limb;
}

export function restPose(): Pose {
  const arm = (): Limb => ({ raise: 0.12, swing: 0.3, bend: 0.15 });
  const leg = (): Limb => ({ raise: 0, swing: 0.05, bend: 0.02 });
  return { yaw: 0, trunkPitch: 0, trunkRoll: 0, headPitch: 0, lift: 0, leftArm: arm(), rightArm: arm(), leftLeg: leg(), rightLeg: leg() };
}

export const LANDMARKS = [
  'pelvis', 'spineMid', 'chest', 'neck', 'head', 'nose', 'leftEye', 'rightEye', 'leftEar', 'rightEar',
  'leftShoulder', 'leftElbow', 'leftWrist', 'leftHand', 'leftHandTip', 'leftThumb',
  'rightShoulder', 'rightElbow', 'rightWrist', 'rightHand', 'rightHandTip', 'rightThumb',
  'leftHip', 'leftKnee', 'leftAnkle', 'leftFoot', 'rightHip', 'rightKnee', 'rightAnkle', 'rightFoot',
] as const;
export type Landmark = (typeof LANDMARKS)[number];
export const LANDMARK_INDEX: Readonly<Record<Landmark, number>> = Object.fromEntries(LANDMARKS.map((n, i) => [n, i])) as Record<Landmark, number>;

/** Segment lengths as fractions of body height. */
const PROPORTIONS = {
  pelvisHeight: 0.53,
  spineMid: 0.14, chest: 0.28, neck: 0.33, head: 0.4,
  shoulderHalfWidth: 0.11, hipHalfWidth: 0.055, hipDrop: 0.03,
  upperArm: 0.17, forearm: 0.15, hand: 0.045, handTip: 0.085, thumb: 0.05,
  thigh: 0.245, shin: 0.245, foot: 0.08,
  noseForward: 0.055, eyeForward: 0.045, eyeUp: 0.02, eyeHalfWidth: 0.018, earHalfWidth: 0.045,
} as const;

type Vec = [number, number, number];

const add = (a: Vec, b: Vec, s = 1): Vec => [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]];
const scale = (a: Vec, s: number): Vec => [a[0] * s, a[1] * s, a[2] * s];
const dot = (a: Vec, b: Vec): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const norm = (a: Vec): number => Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
function normalize(a: Vec): Vec {
  const n = norm(a);
  return n > 1e-9 ? scale(a, 1 / n) : [0, -1, 0];
}

/** Unit vector `dir` rotated by `angle` towards `toward` (projected perpendicular to dir). */
function bendToward(dir: Vec, toward: Vec, angle: number): Vec {
  let perp = add(toward, dir, -dot(toward, dir));
  if (norm(perp) < 1e-6) perp = add([0, 1, 0], dir, -dir[1]);
  perp = normalize(perp);
  return normalize(add(scale(dir, Math.cos(angle)), perp, Math.sin(angle)));
}

/** Rotation of the trunk: pitch about the left axis, then roll about the forward axis. */
function trunkFrame(pitch: number, roll: number): { left: Vec; up: Vec; fwd: Vec } {
  const cp = Math.cos(pitch), sp = Math.sin(pitch), cr = Math.cos(roll), sr = Math.sin(roll);
  // Pitch leans up towards forward; roll leans up towards the left.
  const up: Vec = [sr * cp, cr * cp, sp];
  const fwd: Vec = [-sr * sp, -cr * sp, cp];
  const left: Vec = normalize([up[1] * fwd[2] - up[2] * fwd[1], up[2] * fwd[0] - up[0] * fwd[2], up[0] * fwd[1] - up[1] * fwd[0]]);
  return { left, up, fwd };
}

interface Side {
  readonly sign: 1 | -1;
  readonly arm: 'leftArm' | 'rightArm';
  readonly leg: 'leftLeg' | 'rightLeg';
  readonly eye: Landmark; readonly ear: Landmark;
  readonly shoulder: Landmark; readonly elbow: Landmark; readonly wrist: Landmark;
  readonly hand: Landmark; readonly handTip: Landmark; readonly thumb: Landmark;
  readonly hip: Landmark; readonly knee: Landmark; readonly ankle: Landmark; readonly foot: Landmark;
}

const SIDES: readonly Side[] = (['left', 'right'] as const).map((side) => ({
  sign: side === 'left' ? 1 : -1,
  arm: `${side}Arm`,
  leg: `${side}Leg`,
  eye: `${side}Eye`, ear: `${side}Ear`,
  shoulder: `${side}Shoulder`, elbow: `${side}Elbow`, wrist: `${side}Wrist`,
  hand: `${side}Hand`, handTip: `${side}HandTip`, thumb: `${side}Thumb`,
  hip: `${side}Hip`, knee: `${side}Knee`, ankle: `${side}Ankle`, foot: `${side}Foot`,
}));

const FOOT_DIR = normalize([0, -0.35, 1]);

/** Landmark positions (person frame, metres) as a flat [landmark, xyz] array, written into `out`. */
export function forwardKinematics(pose: Pose, height: number, out = new Float64Array(LANDMARKS.length * 3)): Float64Array {
  const P = PROPORTIONS;
  const L = (f: number): number => f * height;
  const put = (name: Landmark, v: Vec): void => {
    const i = LANDMARK_INDEX[name] * 3;
    out[i] = v[0];
    out[i + 1] = v[1];
    out[i + 2] = v[2];
  };
  const pelvis: Vec = [0, L(P.pelvisHeight), 0];
  const t = trunkFrame(pose.trunkPitch, pose.trunkRoll);
  const alongTrunk = (f: number): Vec => add(pelvis, t.up, L(f));
  put('pelvis', pelvis);
  put('spineMid', alongTrunk(P.spineMid));
  const chest = alongTrunk(P.chest);
  put('chest', chest);
  put('neck', alongTrunk(P.neck));
  const headDir = bendToward(t.up, t.fwd, pose.headPitch);
  const head = add(alongTrunk(P.neck), headDir, L(P.head - P.neck));
  put('head', head);
  put('nose', add(head, t.fwd, L(P.noseForward)));
  for (const side of SIDES) {
    const s = side.sign;
    put(side.eye, add(add(add(head, t.fwd, L(P.eyeForward)), headDir, L(P.eyeUp)), t.left, s * L(P.eyeHalfWidth)));
    put(side.ear, add(head, t.left, s * L(P.earHalfWidth)));

    const arm = pose[side.arm];
    const shoulder = add(chest, t.left, s * L(P.shoulderHalfWidth));
    const upperDir = normalize(add(add(scale(t.left, s * Math.sin(arm.raise) * Math.cos(arm.swing)), t.up, -Math.cos(arm.raise)), t.fwd, Math.sin(arm.raise) * Math.sin(arm.swing)));
    const elbow = add(shoulder, upperDir, L(P.upperArm));
    const foreDir = bendToward(upperDir, add(t.fwd, t.up, 0.3), arm.bend);
    const wrist = add(elbow, foreDir, L(P.forearm));
    put(side.shoulder, shoulder);
    put(side.elbow, elbow);
    put(side.wrist, wrist);
    put(side.hand, add(wrist, foreDir, L(P.hand)));
    put(side.handTip, add(wrist, foreDir, L(P.handTip)));
    put(side.thumb, add(add(wrist, foreDir, L(P.thumb) * 0.6), t.left, -s * L(P.thumb) * 0.6));

    const leg = pose[side.leg];
    const hip: Vec = [s * L(P.hipHalfWidth), pelvis[1] - L(P.hipDrop), 0];
    const thighDir = normalize([s * Math.sin(leg.swing), -Math.cos(leg.raise) * Math.cos(leg.swing), Math.sin(leg.raise) * Math.cos(leg.swing)]);
    const knee = add(hip, thighDir, L(P.thigh));
    const ankle = add(knee, bendToward(thighDir, [0, 0, -1], leg.bend), L(P.shin));
    put(side.hip, hip);
    put(side.knee, knee);
    put(side.ankle, ankle);
    put(side.foot, add(ankle, FOOT_DIR, L(P.foot)));
  }
  groundFeet(out, pose.lift);
  return out;
}

/** Shifts the figure vertically so that its lowest foot point is at `lift` above the floor. */
const FEET: readonly Landmark[] = ['leftAnkle', 'leftFoot', 'rightAnkle', 'rightFoot'];

function groundFeet(points: Float64Array, lift: number): void {
  let lowest = Infinity;
  for (const f of FEET) lowest = Math.min(lowest, points[LANDMARK_INDEX[f] * 3 + 1]);
  for (let i = 1; i < points.length; i += 3) points[i] += lift - lowest;
}
