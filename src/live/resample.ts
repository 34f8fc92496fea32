/**
 * Resampling timestamped pose frames onto a fixed frame rate (the model's): every grid time
 * between two input frames gets a frame interpolated linearly per track, so a 60 fps or a jittery
 * 24 fps camera feeds a 30 fps model the motion it was trained on. A person seen in only one of
 * the two neighbouring frames is taken from the nearer one (appearing and leaving people do not
 * get interpolated towards zero). Across a gap longer than `maxGap` (dropped frames, a stalled
 * camera) nothing is invented: grid frames more than one frame period away from a real frame
 * hold nobody.
 */
import { type MappedFrame, type MappedPerson, PoseInputError } from './poses.js';

/**
 * Most grid frames one step (or one whole sequence) may produce: an hour at 30 fps. Timestamps
 * far apart (milliseconds sent as seconds, a client's garbage) would otherwise allocate frames
 * without bound, and a time so large that adding a period does not change it would never end.
 */
export const MAX_RESAMPLED_FRAMES = 108_000;

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

  /**
   * Throws a PoseInputError (message without the field: callers name it) when a frame at `t`
   * cannot be pushed: not after the previous one, or too far after it to fill the gap frame by frame.
   */
  check(t: number): void {
    const prev = this.prev;
    if (prev === undefined) return;
    if (!(t > prev.t)) throw new PoseInputError(`${t} is not after the previous frame's ${prev.t}`);
    const steps = (t - this.nextTime) / this.period;
    if (steps > MAX_RESAMPLED_FRAMES) {
      throw new PoseInputError(`${t} s is ${t - prev.t} s after the previous frame: ${Math.ceil(steps)} frames at ${1 / this.period} fps, more than ${MAX_RESAMPLED_FRAMES} (an hour at 30 fps)`);
    }
    if (this.nextTime + this.period === this.nextTime) throw new PoseInputError(`${t} s is too large to step by 1/${1 / this.period} s (t is in seconds)`);
  }

  /** Frames on the grid up to `frame.t` (none, one or several). Times must increase; see `check`. */
  push(frame: MappedFrame & { t: number }): MappedFrame[] {
    this.check(frame.t);
    const prev = this.prev;
    this.prev = frame;
    if (prev === undefined) {
      this.nextTime = frame.t + this.period;
      return [{ t: frame.t, people: frame.people }];
    }
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

/** A whole timestamped sequence on the grid; `where` names the frames in errors. */
export function resampleFrames(frames: readonly MappedFrame[], opts: ResampleOptions, where = 'frames'): MappedFrame[] {
  const r = new Resampler(opts);
  const span = frames.length > 0 ? frames[frames.length - 1].t! - frames[0].t! : 0;
  if (span * opts.fps > MAX_RESAMPLED_FRAMES) {
    throw new PoseInputError(`${where}: the timestamps span ${span} s, ${Math.ceil(span * opts.fps)} frames at ${opts.fps} fps, more than ${MAX_RESAMPLED_FRAMES} (an hour at 30 fps)`);
  }
  return frames.flatMap((f, i) => {
    if (f.t === undefined) throw new Error('resampleFrames: every frame needs a timestamp t');
    try {
      return r.push(f as MappedFrame & { t: number });
    } catch (err) {
      throw err instanceof PoseInputError ? new PoseInputError(`${where}[${i}].t: ${err.message}`) : err;
    }
  });
}
