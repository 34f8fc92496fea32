/** Options shared by the commands that run exported models on poses (predict, serve). */
import { ExitCode, UserError } from '../../errors.js';
import type { PoseOptions } from '../../live/poses.js';
import type { Recognizer } from '../../runtime/recognizer.js';

export const MODEL_OPTIONS = {
  weights: { type: 'string' },
  threads: { type: 'string' },
  fps: { type: 'string' },
  format: { type: 'string' },
  channels: { type: 'string' },
} as const;

export const modelOptionsHelp = `  --weights W,..   ensemble weights, one per model (default: the original's J+B / 4M / 6M presets)
  --threads N      ONNX Runtime threads per model (default: its own choice)
  --fps F          the model's frame rate timestamped poses are resampled to (default 30)
  --format F       pose format when the joint count is not enough: coco17, openpose18, blazepose33, ntu25
  --channels C     what each joint's values are: xy, xys, xyz, xyzs (default from the format)`;

function positive(v: string | undefined, name: string, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new UserError(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got '${v}'`, ExitCode.usage);
  return n;
}

/** Loads the runtime lazily (predict/serve are the only commands that need onnxruntime). */
export async function loadModels(paths: string[], values: { weights?: string; threads?: string; fps?: string; format?: string; channels?: string }): Promise<{ rec: Recognizer; fps: number; poseOptions: PoseOptions }> {
  const threads = positive(values.threads, 'threads', true);
  const fps = positive(values.fps, 'fps', false) ?? 30;
  let weights: number[] | undefined;
  if (values.weights !== undefined) {
    weights = values.weights.split(',').map((w) => Number(w));
    if (weights.length !== paths.length || weights.some((w) => !Number.isFinite(w) || w < 0)) {
      throw new UserError(`--weights: expected ${paths.length} non-negative numbers separated by commas (one per model), got '${values.weights}'`, ExitCode.usage);
    }
  }
  const bad = paths.find((p) => !p.endsWith('.onnx'));
  if (bad !== undefined) throw new UserError(`${bad}: expected an exported .onnx model (skagent export)`, ExitCode.usage);
  const { Recognizer } = await import('../../runtime/node.js');
  let rec;
  try {
    rec = await Recognizer.load(paths.map((model, i) => (weights ? { model, weight: weights[i] } : { model })), threads ? { threads } : {});
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const poseOptions: PoseOptions = {};
  if (values.format !== undefined) poseOptions.format = values.format;
  if (values.channels !== undefined) poseOptions.channels = values.channels;
  return { rec, fps, poseOptions };
}
