/**
 * The synthetic action classes: each one bends a rest pose as a function of the normalised time
 * p ∈ [0, 1]. The recipes are chosen so that every class has a distinct, learnable joint
 * trajectory (which limbs move, how often, and whether the motion is held or repeated).
 */
import type { Pose } from './stick-figure.js';

/** Per-sample variation of a recipe. */
export interface ActionStyle {
  /** Repetitions over the clip for periodic actions (≈ 2–4). */
  readonly cycles: number;
  /** Amplitude factor (≈ 0.8–1.15). */
  readonly amp: number;
}

export interface ActionRecipe {
  readonly name: string;
  /** Sets the pose at normalised time p (the pose starts as the rest pose). */
  readonly animate: (pose: Pose, p: number, style: ActionStyle) => void;
}

const TAU = 2 * Math.PI;
const osc = (p: number, cycles: number, phase = 0): number => Math.sin(TAU * cycles * p + phase);
const smooth = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));
/** 0 → 1 between `a` and `b`, held, 1 → 0 between `c` and `d`. */
const envelope = (p: number, a = 0.1, b = 0.3, c = 0.75, d = 0.95): number => smooth((p - a) / (b - a)) * (1 - smooth((p - c) / (d - c)));
/** Smooth 0 → 1 → 0 pulses, `cycles` per clip. */
const pulse = (p: number, cycles: number): number => 0.5 - 0.5 * Math.cos(TAU * cycles * p);

export const ACTIONS: readonly ActionRecipe[] = [
  {
    name: 'wave right hand',
    animate: (q, p, s) => {
      const e = envelope(p, 0.05, 0.2, 0.85, 0.98);
      q.rightArm = { raise: 0.12 + e * 2.5 * s.amp, swing: 0.3, bend: 0.15 + e * (0.5 + 0.45 * osc(p, s.cycles * 1.5)) };
    },
  },
  {
    name: 'raise both arms',
    animate: (q, p, s) => {
      const e = envelope(p);
      q.leftArm = { raise: 0.12 + e * 2.8 * s.amp, swing: 0.2, bend: 0.1 };
      q.rightArm = { raise: 0.12 + e * 2.8 * s.amp, swing: 0.2, bend: 0.1 };
    },
  },
  {
    name: 'squat',
    animate: (q, p, s) => {
      const d = pulse(p, s.cycles) * s.amp;
      q.leftLeg = { raise: 1.4 * d, swing: 0.12, bend: 2.1 * d };
      q.rightLeg = { raise: 1.4 * d, swing: 0.12, bend: 2.1 * d };
      q.trunkPitch = 0.5 * d;
      q.leftArm = { raise: 0.12 + 1.3 * d, swing: 1.4, bend: 0.1 };
      q.rightArm = { raise: 0.12 + 1.3 * d, swing: 1.4, bend: 0.1 };
    },
  },
  {
    name: 'kick with right leg',
    animate: (q, p, s) => {
      const k = Math.max(0, osc(p, s.cycles)) ** 2 * s.amp;
      q.rightLeg = { raise: 1.5 * k, swing: 0.05, bend: 0.9 * (1 - k) * k * 4 * 0.5 };
      q.trunkPitch = -0.15 * k;
      q.leftArm = { raise: 0.5 * k + 0.12, swing: 0.2, bend: 0.3 };
    },
  },
  {
    name: 'jump up',
    animate: (q, p, s) => {
      const phase = (p * s.cycles) % 1;
      const crouch = Math.sin(Math.PI * Math.min(1, phase / 0.35)) * (phase < 0.35 ? 1 : 0);
      const air = phase >= 0.35 && phase < 0.75 ? Math.sin(Math.PI * (phase - 0.35) / 0.4) : 0;
      q.lift = 0.35 * air * s.amp;
      for (const leg of [q.leftLeg, q.rightLeg]) { leg.raise = 0.9 * crouch + 0.2 * air; leg.bend = 1.5 * crouch + 0.3 * air; }
      q.trunkPitch = 0.35 * crouch;
      q.leftArm = { raise: 0.3 + 2.2 * air, swing: 1.2, bend: 0.2 };
      q.rightArm = { raise: 0.3 + 2.2 * air, swing: 1.2, bend: 0.2 };
    },
  },
  {
    name: 'turn around',
    animate: (q, p, s) => {
      q.yaw = Math.PI * smooth((p - 0.1) / 0.8) * s.amp * 1.1;
      const step = pulse(p, 2 * s.cycles);
      q.leftLeg = { raise: 0.5 * step, swing: 0.05, bend: 0.8 * step };
      q.rightLeg = { raise: 0.5 * (1 - step), swing: 0.05, bend: 0.8 * (1 - step) };
    },
  },
  {
    name: 'bow',
    animate: (q, p, s) => {
      const e = envelope(p, 0.15, 0.4, 0.6, 0.85) * s.amp;
      q.trunkPitch = 1.05 * e;
      q.headPitch = 0.3 * e;
      q.leftArm = { raise: 0.12 + 0.9 * e, swing: 1.5, bend: 0.1 };
      q.rightArm = { raise: 0.12 + 0.9 * e, swing: 1.5, bend: 0.1 };
    },
  },
  {
    name: 'clap hands',
    animate: (q, p, s) => {
      const e = envelope(p, 0.05, 0.2, 0.85, 0.97);
      const open = 0.5 + 0.5 * osc(p, s.cycles * 2);
      const swing = 1.05 + e * (0.95 - 0.75 * open) * s.amp;
      q.leftArm = { raise: 0.12 + e * 1.1, swing, bend: 0.2 + 0.6 * e };
      q.rightArm = { raise: 0.12 + e * 1.1, swing, bend: 0.2 + 0.6 * e };
    },
  },
  {
    name: 'punch forward',
    animate: (q, p, s) => {
      const l = Math.max(0, osc(p, s.cycles)), r = Math.max(0, -osc(p, s.cycles));
      q.leftArm = { raise: 0.9 + 0.7 * l * s.amp, swing: 1.55, bend: 2.2 * (1 - l) };
      q.rightArm = { raise: 0.9 + 0.7 * r * s.amp, swing: 1.55, bend: 2.2 * (1 - r) };
      q.trunkRoll = 0.1 * (l - r);
    },
  },
  {
    name: 'march in place',
    animate: (q, p, s) => {
      const l = Math.max(0, osc(p, s.cycles * 1.5)), r = Math.max(0, -osc(p, s.cycles * 1.5));
      q.leftLeg = { raise: 1.3 * l * s.amp, swing: 0.05, bend: 1.6 * l * s.amp };
      q.rightLeg = { raise: 1.3 * r * s.amp, swing: 0.05, bend: 1.6 * r * s.amp };
      q.leftArm = { raise: 0.15 + 0.6 * r, swing: 1.5, bend: 0.6 };
      q.rightArm = { raise: 0.15 + 0.6 * l, swing: 1.5, bend: 0.6 };
    },
  },
  {
    name: 'arm circles',
    animate: (q, p, s) => {
      const e = envelope(p, 0.02, 0.12, 0.88, 0.98);
      const th = TAU * s.cycles * p;
      q.leftArm = { raise: 0.12 + e * (1.45 + 0.45 * Math.sin(th) * s.amp), swing: e * 0.45 * Math.cos(th), bend: 0.05 };
      q.rightArm = { raise: 0.12 + e * (1.45 + 0.45 * Math.sin(th) * s.amp), swing: e * 0.45 * Math.cos(th), bend: 0.05 };
    },
  },
  {
    name: 'side bend',
    animate: (q, p, s) => {
      const b = osc(p, s.cycles * 0.75) * 0.5 * s.amp;
      q.trunkRoll = b;
      q.leftArm = { raise: 0.12 + Math.max(0, -b) * 5, swing: 0.1, bend: 0.3 };
      q.rightArm = { raise: 0.12 + Math.max(0, b) * 5, swing: 0.1, bend: 0.3 };
    },
  },
  {
    name: 'sit down',
    animate: (q, p, s) => {
      const d = smooth((p - 0.15) / 0.5) * s.amp;
      q.leftLeg = { raise: 1.55 * d, swing: 0.15, bend: 1.6 * d };
      q.rightLeg = { raise: 1.55 * d, swing: 0.15, bend: 1.6 * d };
      q.trunkPitch = 0.2 * d;
      q.leftArm = { raise: 0.2 + 0.3 * d, swing: 1.3, bend: 0.9 * d };
      q.rightArm = { raise: 0.2 + 0.3 * d, swing: 1.3, bend: 0.9 * d };
    },
  },
  {
    name: 'point forward with right arm',
    animate: (q, p, s) => {
      const e = envelope(p, 0.2, 0.35, 0.85, 0.97) * s.amp;
      q.rightArm = { raise: 0.12 + 1.45 * e, swing: 0.3 + 1.2 * e, bend: 0.15 * (1 - e) };
      q.headPitch = -0.1 * e;
    },
  },
  {
    name: 'drink from a cup',
    animate: (q, p, s) => {
      const e = envelope(p, 0.1, 0.35, 0.7, 0.9);
      q.rightArm = { raise: 0.12 + 0.45 * e * s.amp, swing: 1.4, bend: 0.15 + 2.3 * e };
      q.headPitch = -0.35 * e * s.amp;
    },
  },
  {
    name: 'stretch arms sideways',
    animate: (q, p, s) => {
      const e = envelope(p, 0.1, 0.3, 0.8, 0.95) * s.amp;
      q.leftArm = { raise: 0.12 + 1.45 * e, swing: 0, bend: 0.05 };
      q.rightArm = { raise: 0.12 + 1.45 * e, swing: 0, bend: 0.05 };
      q.trunkPitch = -0.1 * e;
    },
  },
];

/** What a second person in the scene does: stands, shifting weight and moving the arms a little. */
export const IDLE: ActionRecipe = {
  name: 'idle',
  animate: (q, p, s) => {
    q.trunkRoll = 0.05 * osc(p, s.cycles * 0.5);
    q.leftArm.raise = 0.15 + 0.08 * osc(p, s.cycles, 1);
    q.rightArm.raise = 0.15 + 0.08 * osc(p, s.cycles, 2);
  },
};
