/** A whole pose sequence through a recognizer: mapped, resampled when timestamped, person slots chosen. */
import { type PoseSequence, mapSequence, packKeypoints, poseTargetOf } from './poses.js';
import { resampleFrames } from './resample.js';
import type { KeypointRecognizer, TopLabel } from './stream.js';

export type PoseRecognizer = KeypointRecognizer & Parameters<typeof poseTargetOf>[0];

export interface SequenceResult {
  top: TopLabel[];
  scores: Float32Array;
  /** Track ids in the model's person slots. */
  tracks: string[];
  /** Frames the model saw (after resampling). */
  frames: number;
}

/** `fps`: the model's frame rate timestamped poses are resampled to (default 30). */
export async function recognizeSequence(rec: PoseRecognizer, seq: PoseSequence, opts: { topK?: number; fps?: number } = {}): Promise<SequenceResult> {
  const target = poseTargetOf(rec);
  let frames = mapSequence(seq, target);
  if (frames[0].t !== undefined) frames = resampleFrames(frames, { fps: opts.fps ?? 30 });
  const { keypoints, tracks } = packKeypoints(frames, target);
  const r = await rec.recognize(keypoints, { topK: opts.topK });
  return { top: r.top, scores: r.scores, tracks, frames: frames.length };
}
