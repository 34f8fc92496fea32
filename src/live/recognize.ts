/** A whole pose sequence through a recognizer: mapped, resampled when timestamped, person slots chosen. */
import { type PackedKeypoints, type PoseSequence, type PoseTarget, mapSequence, packKeypoints, poseTargetOf } from './poses.js';
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

/**
 * The model's input for a sequence: mapped onto its joints, resampled to `fps` (default 30) when
 * timestamped, person slots filled. `where` names the frames in errors.
 */
export function prepareSequence(seq: PoseSequence, target: PoseTarget, opts: { fps?: number; where?: string } = {}): { keypoints: PackedKeypoints; tracks: string[]; frames: number } {
  let frames = mapSequence(seq, target);
  if (frames[0].t !== undefined) frames = resampleFrames(frames, { fps: opts.fps ?? 30 }, opts.where);
  const { keypoints, tracks } = packKeypoints(frames, target);
  return { keypoints, tracks, frames: frames.length };
}

/** `fps`: the model's frame rate timestamped poses are resampled to (default 30). */
export async function recognizeSequence(rec: PoseRecognizer, seq: PoseSequence, opts: { topK?: number; fps?: number } = {}): Promise<SequenceResult> {
  const { keypoints, tracks, frames } = prepareSequence(seq, poseTargetOf(rec), opts);
  const r = await rec.recognize(keypoints, { topK: opts.topK });
  return { top: r.top, scores: r.scores, tracks, frames };
}
