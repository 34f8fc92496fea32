/**
 * Resampling timestamped pose frames onto a fixed frame rate (the model's): every grid time
 * between two input frames gets a frame interpolated linearly per track, so a 60 fps or a jittery
 * 24 fps camera feeds a 30 fps model the motion it was trained on. A person seen in only one of
 * the two neighbouring frames is taken from the nearer one (appearing and leaving people do not
 * get interpolated towards zero). Across a gap longer than `maxGap` (dropped frames, a stalled
 * camera) nothing is invented: grid frames more than one frame period away from a real frame
 * hold nobody.
 */
import type { MappedFrame, MappedPerson } from './poses.js';

export interface ResampleOptions {
  /** Target frame rate (frames per second). */
  fps: number;
  /** Longest gap (seconds) bridged by interpolation; default 0.5. */
  maxGap?: number;
}

/** Grid times within this fraction of a period of an input time count as that time (float slack). */
const EPS = 1e-6;

export class Resampler {
  private readonly period: number;
  private readonly maxGap: number;
  private prev: (MappedFrame & { t: number }) | undefined;
  private nextTime = 0;

  constructor(opts: ResampleOptions) {
    if (!(opts.fps > 0)) throw new Error(`fps must be positive, got ${opts.fps}`);
    this.period = 1 / opts.fps;
    this.maxGap = opts.maxGap ?? 0.5;
  }

  /** Frames on the grid up to `frame.t` (none, one or several). Times must increase. */
  push(frame: MappedFrame & { t: number }): MappedFrame[] {
    const prev = this.prev;
    this.prev = frame;
    if (prev === undefined) {
      this.nextTime = frame.t + this.period;
      return [{ t: frame.t, people: frame.people }];
    }
    if (!(frame.t > prev.t)) throw new Error(`frame time ${frame.t} is not after the previous frame's ${prev.t}`);
    const out: MappedFrame[] = [];
    const span = frame.t - prev.t;
    const slack = EPS * this.period;
    for (; this.nextTime <= frame.t + slack; this.nextTime += this.period) {
      const g = this.nextTime;
      const alpha = Math.min(1, Math.max(0, (g - prev.t) / span));
      if (span > this.maxGap) {
        const near = g - prev.t < frame.t - g ? prev : frame;
        out.push({ t: g, people: Math.abs(g - near.t) < this.period - slack ? near.people : [] });
      } else {
        out.push({ t: g, people: interpolate(prev.people, frame.people, alpha) });
      }
    }
    return out;
  }
}

function interpolate(a: readonly MappedPerson[], b: readonly MappedPerson[], alpha: number): MappedPerson[] {
  const inB = new Map(b.map((p) => [p.id, p]));
  const out: MappedPerson[] = [];
  for (const p of a) {
    const q = inB.get(p.id);
    if (q === undefined) {
      if (alpha < 0.5) out.push(p);
      continue;
    }
    const points = new Float32Array(p.points.length);
    for (let i = 0; i < points.length; i++) points[i] = p.points[i] + alpha * (q.points[i] - p.points[i]);
    out.push({ id: p.id, points, confidence: p.confidence + alpha * (q.confidence - p.confidence) });
    inB.delete(p.id);
  }
  if (alpha >= 0.5) out.push(...inB.values());
  return out;
}

/** A whole timestamped sequence on the grid. */
export function resampleFrames(frames: readonly MappedFrame[], opts: ResampleOptions): MappedFrame[] {
  const r = new Resampler(opts);
  return frames.flatMap((f) => {
    if (f.t === undefined) throw new Error('resampleFrames: every frame needs a timestamp t');
    return r.push(f as MappedFrame & { t: number });
  });
}
