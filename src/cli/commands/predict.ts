/** `skagent predict`: actions in a pose file, with exported ONNX models (no libtorch). */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { readPoseFile } from '../../live/pose-file.js';
import { recognizeSequence } from '../../live/recognize.js';
import { loadModels, MODEL_OPTIONS, modelOptionsHelp } from './model-options.js';

const HELP = `skagent predict — recognise the action in a pose file with exported models

Usage: skagent predict <model.onnx...> <poses.json|poses.npy> [--weights 2,1] [--top 5] [--json]

  <model.onnx...>  one model, or several for an ensemble (from 'skagent export'; same layout)
  <poses>          poses as pose estimators write them, mapped onto the model's layout:
                   COCO-17 (MoveNet, YOLO-pose, RTMPose), OpenPose-18 (neck dropped),
                   MediaPipe BlazePose-33, NTU-25 (Kinect). The joint count names the format.
                   .json: { "format"?, "channels"?, "frames": [ frame, ... ] } or the frames
                     array; a frame is [person, ...] or { "t": seconds, "people": [...] };
                     a person is [[x, y, (z), (score)], ...] or { "id": track, "keypoints": [...] }
                   .npy: float array (frames, people, joints, values) or (frames, joints, values);
                     all-zero people are absent
${modelOptionsHelp}
  --top K          classes to print (default 5)
  --json           print { top, tracks, frames } as JSON

Timestamped frames are resampled to --fps; the model's person slots go to the tracks with the
highest summed confidence. A model whose layout the poses cannot fill (2D COCO into a 3D NTU
model) is an error naming what it expects. See docs/deploy.md.

Examples:
  skagent predict ntu60_j.onnx ntu60_b.onnx kinect.json --top 3
  skagent predict finegym_j.onnx movenet.npy --json`;

export const predictCommand: Command = {
  path: ['predict'],
  summary: 'Recognise the action in a pose file with exported ONNX models',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { ...MODEL_OPTIONS, top: { type: 'string' }, json: { type: 'boolean' } },
    });
    if (positionals.length < 2) throw new UserError(`expected <model.onnx...> <poses file>, got ${positionals.length} argument(s)`, ExitCode.usage);
    const top = values.top === undefined ? 5 : Number(values.top);
    if (!Number.isInteger(top) || top < 1) throw new UserError(`--top: expected a positive integer, got '${values.top}'`, ExitCode.usage);
    const posesPath = positionals[positionals.length - 1];
    const { rec, fps, poseOptions } = await loadModels(positionals.slice(0, -1), values);
    try {
      const seq = readPoseFile(posesPath, poseOptions);
      const r = await recognizeSequence(rec, seq, { topK: top, fps });
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ top: r.top, tracks: r.tracks, frames: r.frames, format: seq.format })}\n`);
      } else {
        process.stdout.write(`${posesPath}: ${seq.format} poses, ${r.frames} frames, tracks ${r.tracks.join(', ') || '(none)'}\n`);
        const width = Math.max(...r.top.map((t) => t.label.length));
        for (const [i, t] of r.top.entries()) process.stdout.write(`${String(i + 1).padStart(2)}. ${t.label.padEnd(width)}  ${t.score.toFixed(4)}\n`);
      }
    } finally {
      await rec.dispose();
    }
    return ExitCode.ok;
  },
};
