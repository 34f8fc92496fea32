/**
 * Which 2D pose estimators (COCO-17 keypoint models as ONNX) the camera path can run, recognised
 * from the model's own graph inputs and outputs (names, shapes, element types) before any
 * session is created. Three output contracts, as their projects export them:
 *
 * - `movenet`: MoveNet single-pose (TF Hub, converted with tf2onnx): one input [1, H, W, 3]
 *   (RGB 0..255; int32, uint8 or float32), one output [1, 1, 17, 3] holding (y, x, score) per
 *   joint, y and x normalised to the input image.
 * - `simcc`: RTMPose (MMPose, exported by MMDeploy): one input [1, 3, H, W] float32 (RGB,
 *   ImageNet mean/std), outputs simcc_x [1, 17, W·k] and simcc_y [1, 17, H·k] (k = the
 *   split ratio, 2 for RTMPose): per joint a score for each 1/k input pixel.
 * - `heatmap`: top-down heatmap models (MMPose HRNet / SimpleBaseline): the same input, one
 *   output [1, 17, H/s, W/s] (s = the stride, 4 for those).
 *
 * Anything else is refused with what was found and what is expected.
 */
import onnxProto from 'onnx-proto';
import { UserError } from '../errors.js';

const { onnx } = onnxProto;

/** COCO-17: every supported contract outputs these joints. */
export const POSE_JOINTS = 17;

/** A graph input or output: element type and dims (numbers; symbolic or unknown sizes as their name or null). */
export interface TensorInfo { readonly name: string; readonly type: string; readonly dims: readonly (number | string | null)[] }
export interface ModelIO { readonly inputs: readonly TensorInfo[]; readonly outputs: readonly TensorInfo[] }

export type PixelType = 'int32' | 'uint8' | 'float32';
interface InputSpec { readonly input: string; readonly height: number; readonly width: number }
export type PoseContract =
  | InputSpec & { readonly kind: 'movenet'; readonly dtype: PixelType; readonly output: string }
  | InputSpec & { readonly kind: 'simcc'; readonly outputX: string; readonly outputY: string; readonly splitRatio: number }
  | InputSpec & { readonly kind: 'heatmap'; readonly output: string; readonly stride: number };

/** A model the camera path cannot run; the message names what was found and what is expected. */
export class PoseModelError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PoseModelError';
  }
}

/** What each contract looks like, for messages (docs/viewer.md, "Camera", says the same). */
export const SUPPORTED_CONTRACTS = [
  'MoveNet single-pose: one input [1,H,W,3] int32/uint8/float32, one output [1,1,17,3] (y, x, score)',
  'RTMPose SimCC: one input [1,3,H,W] float32, outputs simcc_x [1,17,W·k] and simcc_y [1,17,H·k]',
  'top-down heatmaps: one input [1,3,H,W] float32, one output [1,17,H/s,W/s]',
];

const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64',
};

/** The graph's inputs (initializers excluded: old exports list them as inputs too) and outputs. */
export function readModelIO(bytes: Uint8Array, source = 'pose model'): ModelIO {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new PoseModelError(`${source}: not an ONNX model (${(err as Error).message})`);
  }
  const graph = model.graph;
  if (!graph) throw new PoseModelError(`${source}: an ONNX file without a graph`);
  const constants = new Set((graph.initializer ?? []).map((t) => t.name));
  const info = (v: onnxProto.onnx.IValueInfoProto): TensorInfo => {
    const t = v.type?.tensorType;
    const dims = (t?.shape?.dim ?? []).map((d) => (d.dimValue != null && Number(d.dimValue) > 0 ? Number(d.dimValue) : d.dimParam || null));
    return { name: v.name ?? '', type: TYPE_NAMES[t?.elemType ?? 0] ?? `type ${t?.elemType ?? '?'}`, dims };
  };
  return {
    inputs: (graph.input ?? []).filter((v) => !constants.has(v.name ?? '')).map(info),
    outputs: (graph.output ?? []).map(info),
  };
}

const show = (t: TensorInfo): string => `'${t.name}' [${t.dims.map((d) => d ?? '?').join(',')}] ${t.type}`;
/** A batch axis: 1, or symbolic (the batch fed is 1). */
const isBatch = (d: number | string | null): boolean => d === 1 || typeof d === 'string' || d === null;
const fixed = (d: number | string | null): d is number => typeof d === 'number' && d > 0;

/** The contract `io` implements; throws PoseModelError naming what was found and what is expected. */
export function poseContract(io: ModelIO, source = 'pose model'): PoseContract {
  const refuse = (why: string): never => {
    throw new PoseModelError(`${source}: ${why}. Found input${io.inputs.length === 1 ? '' : 's'} ${io.inputs.map(show).join(', ') || '(none)'}; `
      + `output${io.outputs.length === 1 ? '' : 's'} ${io.outputs.map(show).join(', ') || '(none)'}. Expected a COCO-17 keypoint model: ${SUPPORTED_CONTRACTS.join('; or ')}`);
  };
  if (io.inputs.length !== 1) refuse(`${io.inputs.length} inputs, a pose model has one (the image)`);
  const [x] = io.inputs;
  if (x.dims.length !== 4 || !isBatch(x.dims[0])) refuse('the input is not an image batch of one [1,H,W,3] or [1,3,H,W]');
  const nhwc = x.dims[3] === 3;
  const nchw = x.dims[1] === 3 && !nhwc;
  if (!nhwc && !nchw) refuse('the input has no axis of 3 colour channels (NHWC or NCHW)');
  const [height, width] = nhwc ? [x.dims[1], x.dims[2]] : [x.dims[2], x.dims[3]];
  if (!fixed(height) || !fixed(width)) refuse('the input size is not fixed (export the model with a fixed height and width)');
  const H = height as number;
  const W = width as number;
  const base = { input: x.name, height: H, width: W };
  if (nhwc) {
    if (x.type !== 'int32' && x.type !== 'uint8' && x.type !== 'float32') refuse(`an NHWC input of ${x.type} (MoveNet takes int32, uint8 or float32 pixels)`);
    const out = io.outputs.find((o) => o.dims.length === 4 && isBatch(o.dims[0]) && o.dims[1] === 1 && o.dims[2] === POSE_JOINTS && o.dims[3] === 3);
    if (!out || out.type !== 'float32') refuse('an NHWC image input but no float32 output [1,1,17,3] (MoveNet single-pose)');
    return { ...base, kind: 'movenet', dtype: x.type as PixelType, output: out!.name };
  }
  if (x.type !== 'float32') refuse(`an NCHW input of ${x.type} (top-down models take float32)`);
  const joints = io.outputs.filter((o) => o.type === 'float32' && isBatch(o.dims[0]) && o.dims[1] === POSE_JOINTS);
  const heat = joints.find((o) => o.dims.length === 4 && fixed(o.dims[2]) && fixed(o.dims[3]));
  if (heat && io.outputs.length === 1) {
    const [h, w] = [heat.dims[2] as number, heat.dims[3] as number];
    if (H / h !== W / w || H % h !== 0) refuse(`heatmaps of ${h}×${w} are not the ${H}×${W} input at one stride`);
    return { ...base, kind: 'heatmap', output: heat.name, stride: H / h };
  }
  const lines = joints.filter((o) => o.dims.length === 3 && fixed(o.dims[2]));
  if (lines.length === 2 && io.outputs.length === 2) {
    const named = (axis: 'x' | 'y') => lines.find((o) => new RegExp(`(^|[^a-z])${axis}$`, 'i').test(o.name));
    let [ox, oy] = [named('x'), named('y')];
    if (!ox || !oy || ox === oy) [ox, oy] = lines; // MMDeploy writes simcc_x first
    const k = (ox.dims[2] as number) / W;
    if (Math.abs((oy.dims[2] as number) / H - k) > 1e-9 || k < 1) {
      refuse(`SimCC outputs of ${ox.dims[2]} and ${oy.dims[2]} bins are not the ${W}×${H} input at one split ratio ≥ 1`);
    }
    return { ...base, kind: 'simcc', outputX: ox.name, outputY: oy.name, splitRatio: k };
  }
  return refuse('an NCHW image input but neither one heatmap output [1,17,h,w] nor two SimCC outputs [1,17,bins]');
}
