/**
 * A live pose stream over a recognizer: frames are pushed one at a time (people with track ids,
 * coming and going, at any frame rate), kept on the model's frame rate in a ring buffer of
 * `window` frames, and every `stride` frames the window is recognised.
 *
 * Person slots: each prediction fills the model's M slots with the M tracks of the window with the
 * highest summed confidence (present in more frames, seen more surely), as `selectTracks` does
 * for files. Live pacing: at most one recognition runs at a time; a prediction that falls due
 * while the previous one still runs is skipped (counted in `skipped`), so latency stays bounded
 * instead of queueing up behind a slow model.
 */
import { type MappedFrame, type PackedKeypoints, type PoseOptions, PoseInputError, type PoseTarget, packKeypoints, parsePoseFrame, personMapper } from './poses.js';
import { Resampler } from './resample.js';
import type { ChannelOrder, PoseFormat } from './pose-formats.js';

/** A ranked class. */
export interface TopLabel { index: number; label: string; score: number }

/** What the stream needs of a recognizer (skeletonagent/runtime's Recognizer has it). */
export interface KeypointRecognizer {
  recognize(keypoints: PackedKeypoints, opts?: { topK?: number }): Promise<{ scores: Float32Array; top: TopLabel[] }>;
}

export interface StreamOptions extends PoseOptions {
  /** Frames (at the model's rate) each prediction sees. */
  window: number;
  /** Frames between predictions. */
  stride: number;
  /** The model's frame rate; timestamped input is resampled to it. Default 30. */
  fps?: number;
  /** Predict once this many frames are buffered (default: the whole window). */
  minFrames?: number;
  /** Longest gap (s) bridged by interpolation when resampling; default 0.5. */
  maxGap?: number;
  topK?: number;
}

/** One pushed frame: `{ t?, people: [{ id?, keypoints }] }` or an array of people. t in seconds. */
export type LiveFrame = unknown;

export interface StreamPrediction {
  /** Index of the newest model-rate frame in the window (0-based, counted since the stream began). */
  frame: number;
  /** Its time (s) when the input is timestamped. */
  t?: number;
  /** Frames in the window (less than `window` before it fills when minFrames allows). */
  frames: number;
  /** Track ids in the model's person slots, slot order. */
  tracks: string[];
  scores: Float32Array;
  top: TopLabel[];
  /** Milliseconds from the push that completed the stride to the result. */
  latencyMs: number;
}

export class PoseStream {
  private readonly ring: MappedFrame[];
  private head = 0;
  private filled = 0;
  private produced = 0;
  private sinceLast = 0;
  private busy = false;
  private timed: boolean | undefined;
  private resampler: Resampler | undefined;
  private mapper: ((v: ArrayLike<number>) => { points: Float32Array; confidence: number }) | undefined;
  private source: { format: PoseFormat; channels: ChannelOrder } | undefined;
  private readonly minFrames: number;
  /** Predictions skipped because the previous one was still running. */
  skipped = 0;
  /** Pushed frames so far. */
  pushed = 0;

  constructor(private readonly recognizer: KeypointRecognizer, private readonly target: PoseTarget, private readonly opts: StreamOptions) {
    for (const k of ['window', 'stride'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 1) throw new PoseInputError(`stream ${k}: must be a positive integer, got ${opts[k]}`);
    }
    this.minFrames = opts.minFrames ?? opts.window;
    if (!Number.isInteger(this.minFrames) || this.minFrames < 1 || this.minFrames > opts.window) {
      throw new PoseInputError(`stream minFrames: must be an integer in 1..window (${opts.window}), got ${opts.minFrames}`);
    }
    this.ring = new Array<MappedFrame>(opts.window);
  }

  /** Model-rate frames buffered now (at most `window`). */
  get buffered(): number { return this.filled; }

  /**
   * Adds one frame. Resolves to a prediction when one fell due with this frame (every `stride`
   * model-rate frames once `minFrames` are buffered), otherwise null. Bad frames throw
   * PoseInputError naming the field and leave the stream as it was.
   */
  async push(frame: LiveFrame, where = 'frame'): Promise<StreamPrediction | null> {
    const start = performance.now();
    const mapped = this.mapFrame(frame, where);
    this.pushed++;
    let frames: MappedFrame[];
    if (mapped.t === undefined) frames = [mapped];
    else {
      this.resampler ??= new Resampler({ fps: this.opts.fps ?? 30, maxGap: this.opts.maxGap });
      frames = this.resampler.push(mapped as MappedFrame & { t: number });
    }
    for (const f of frames) this.append(f);
    if (this.sinceLast < this.opts.stride || this.filled < this.minFrames) return null;
    this.sinceLast = 0;
    if (this.busy) {
      this.skipped++;
      return null;
    }
    const window = this.windowFrames();
    const { keypoints, tracks } = packKeypoints(window, this.target);
    const newest = window[window.length - 1];
    this.busy = true;
    try {
      const r = await this.recognizer.recognize(keypoints, { topK: this.opts.topK });
      return {
        frame: this.produced - 1, ...(newest.t === undefined ? {} : { t: newest.t }), frames: window.length, tracks,
        scores: r.scores, top: r.top, latencyMs: performance.now() - start,
      };
    } finally {
      this.busy = false;
    }
  }

  private mapFrame(frame: LiveFrame, where: string): MappedFrame {
    const { frame: f, format, channels } = parsePoseFrame(frame, { ...this.opts, ...this.source }, where);
    const isTimed = f.t !== undefined;
    if (this.timed !== undefined && isTimed !== this.timed) {
      throw new PoseInputError(`${where}.t: ${this.timed ? 'missing (earlier frames had timestamps)' : 'given, but earlier frames had none'}`);
    }
    if (isTimed && this.resampler !== undefined) {
      try {
        this.resampler.check(f.t!); // before anything changes: a refused frame leaves the stream as it was
      } catch (err) {
        throw err instanceof PoseInputError ? new PoseInputError(`${where}.t: ${err.message}`) : err;
      }
    }
    if (format !== undefined && channels !== undefined && this.source === undefined) {
      try {
        this.mapper = personMapper(format, channels, this.target);
      } catch (err) {
        throw err instanceof PoseInputError ? new PoseInputError(`${where}: ${err.message}`) : err;
      }
      this.source = { format, channels };
    }
    const people = f.people.map((p) => ({ id: p.id, ...this.mapper!(p.values) }));
    this.timed = isTimed;
    return isTimed ? { t: f.t, people } : { people };
  }

  private append(f: MappedFrame): void {
    this.ring[this.head] = f;
    this.head = (this.head + 1) % this.opts.window;
    this.filled = Math.min(this.filled + 1, this.opts.window);
    this.produced++;
    this.sinceLast++;
  }

  /** The buffered frames, oldest first. */
  private windowFrames(): MappedFrame[] {
    const W = this.opts.window;
    const out: MappedFrame[] = [];
    for (let i = this.filled; i > 0; i--) out.push(this.ring[(this.head - i + W) % W]);
    return out;
  }
}
