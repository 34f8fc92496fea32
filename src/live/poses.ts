/**
 * Pose sequences as pose estimators write them (frames × people × joints × values), validated and
 * mapped onto the joint set and channels a model's raw keypoints use, then packed into the
 * runtime's keypoint layout (persons × frames × joints × channels) for its person slots.
 * Browser-safe: no Node imports (pose-file.ts reads files).
 */
import { UserError } from '../errors.js';
import {
  CHANNEL_ORDERS, type ChannelOrder, type JointSet, LAYOUT_JOINT_SETS, POSE_FORMATS, POSE_FORMAT_NAMES, type PoseFormat,
  defaultChannels, formatOfJointCount, jointMap,
} from './pose-formats.js';

/** Bad pose input; the message names the field and what was expected. */
export class PoseInputError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PoseInputError';
  }
}

/** One person in one frame, as read: `values` is joints × channels of the sequence's format. */
export interface RawPerson { readonly id: string; readonly values: Float64Array }
export interface RawFrame { readonly t?: number; readonly people: readonly RawPerson[] }

/** A validated pose sequence in its estimator's own format. */
export interface PoseSequence {
  readonly format: PoseFormat;
  readonly channels: ChannelOrder;
  /** Frame rate of the frames when they carry no timestamps (optional). */
  readonly fps?: number;
  readonly frames: readonly RawFrame[];
}

/** What a model wants its raw keypoints to be (from the exported model's metadata). */
export interface PoseTarget {
  /** Skeleton layout name (nturgb+d, coco, coco_new, uav). */
  readonly layout: string;
  readonly joints: number;
  /** Raw channels: 3 = x, y, z (3D) or x, y, score (2D, `scoreChannel`). */
  readonly channels: number;
  readonly scoreChannel: boolean;
  /** Person slots of the model input. */
  readonly persons: number;
}

/** One person in one frame on the model's joints: joints × channels, and a confidence in [0, 1]. */
export interface MappedPerson { readonly id: string; readonly points: Float32Array; readonly confidence: number }
export interface MappedFrame { readonly t?: number; readonly people: readonly MappedPerson[] }

/** The runtime's keypoint input (persons × frames × joints × channels, C order). */
export interface PackedKeypoints { data: Float32Array; persons: number; frames: number; joints: number; channels: number }

export interface PoseOptions {
  /** Source format; default: the one whose joint count the data has. */
  format?: string;
  /** Channel order ('xy', 'xys', 'xyz', 'xyzs'); default: the format's usual one for the count. */
  channels?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkFormat(name: string, where: string): PoseFormat {
  if (!(POSE_FORMAT_NAMES as string[]).includes(name)) {
    throw new PoseInputError(`${where}: unknown pose format '${name}' (expected one of ${POSE_FORMAT_NAMES.join(', ')})`);
  }
  return name as PoseFormat;
}

/** Resolves format and channel order from the data's shape and any explicit choice. */
function resolveShape(joints: number, channels: number, opts: PoseOptions, where: string): { format: PoseFormat; order: ChannelOrder } {
  let format: PoseFormat;
  if (opts.format !== undefined) {
    format = checkFormat(opts.format, `${where}.format`);
    if (POSE_FORMATS[format].joints !== joints) {
      throw new PoseInputError(`${where}: ${joints} joints per person, but format ${format} has ${POSE_FORMATS[format].joints}`);
    }
  } else {
    const f = formatOfJointCount(joints);
    if (f === undefined) {
      const known = POSE_FORMAT_NAMES.map((n) => `${POSE_FORMATS[n].joints} (${n})`).join(', ');
      throw new PoseInputError(`${where}: ${joints} joints per person is no known pose format (expected ${known})`);
    }
    format = f;
  }
  let order: ChannelOrder | undefined;
  if (opts.channels !== undefined) {
    if (!(CHANNEL_ORDERS as readonly string[]).includes(opts.channels)) {
      throw new PoseInputError(`${where}.channels: '${opts.channels}' is not one of ${CHANNEL_ORDERS.join(', ')}`);
    }
    order = opts.channels as ChannelOrder;
    if (order.length !== channels) throw new PoseInputError(`${where}: ${channels} values per joint, but channels '${order}' names ${order.length}`);
  } else {
    order = defaultChannels(format, channels);
    if (order === undefined) {
      throw new PoseInputError(channels >= 2 && channels <= 4
        ? `${where}: ${channels} values per ${format} joint is ambiguous; say what they are with channels (${CHANNEL_ORDERS.join(', ')})`
        : `${where}: ${channels} values per joint (expected 2 to 4: x, y, [z], [score])`);
    }
  }
  return { format, order };
}

function finite(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new PoseInputError(`${where}: ${typeof v === 'number' ? String(v) : JSON.stringify(v) ?? 'undefined'} is not a finite number`);
  }
  return v;
}

/** Largest float32: keypoints reach the model as float32, where a larger finite number is Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

function float32(v: unknown, where: string): number {
  const x = finite(v, where);
  if (Math.abs(x) > FLOAT32_MAX) throw new PoseInputError(`${where}: ${x} is beyond the 32-bit float range (±3.4e38)`);
  return x;
}

/**
 * Reads a pose document: either `{ format?, channels?, fps?, frames: [...] }` or the frames array
 * itself. A frame is an array of people or `{ t?, people: [...] }` (t in seconds); a person is an
 * array of joints or `{ id?, keypoints: [...] }`; a joint is [x, y, (z), (score)]. People without
 * an id are identified by their position in the frame. Explicit `opts` override the document's.
 */
export function parsePoseJson(doc: unknown, opts: PoseOptions = {}, where = 'poses'): PoseSequence {
  let framesValue: unknown = doc;
  let fps: number | undefined;
  const merged: PoseOptions = { ...opts };
  if (isObject(doc)) {
    framesValue = doc.frames;
    if (framesValue === undefined) throw new PoseInputError(`${where}: missing field 'frames' (frames × people × joints × [x, y, (z), (score)])`);
    if (doc.format !== undefined && merged.format === undefined) {
      if (typeof doc.format !== 'string') throw new PoseInputError(`${where}.format: expected a string`);
      merged.format = doc.format;
    }
    if (doc.channels !== undefined && merged.channels === undefined) {
      if (typeof doc.channels !== 'string') throw new PoseInputError(`${where}.channels: expected a string such as 'xys'`);
      merged.channels = doc.channels;
    }
    if (doc.fps !== undefined) {
      fps = finite(doc.fps, `${where}.fps`);
      if (fps <= 0) throw new PoseInputError(`${where}.fps: must be positive, got ${fps}`);
    }
  }
  const base = isObject(doc) ? `${where}.frames` : where;
  if (!Array.isArray(framesValue)) throw new PoseInputError(`${base}: expected an array of frames`);
  if (framesValue.length === 0) throw new PoseInputError(`${base}: empty (no frames)`);
  const state: ReadState = { opts: merged };
  const frames = framesValue.map((fv, fi) => readFrame(fv, `${base}[${fi}]`, state));
  checkTimes(frames, base);
  const shape = state.shape;
  if (shape === undefined) throw new PoseInputError(`${base}: no person in any frame`);
  return { format: shape.format, channels: shape.order, ...(fps === undefined ? {} : { fps }), frames };
}

interface ReadState {
  readonly opts: PoseOptions;
  /** Fixed by the first person read: every later person must match it. */
  shape?: { joints: number; channels: number; format: PoseFormat; order: ChannelOrder };
}

/** One frame: an array of people or `{ t?, people }`; `fw` names it in errors. */
function readFrame(fv: unknown, fw: string, state: ReadState): RawFrame {
  let t: number | undefined;
  let peopleValue: unknown = fv;
  if (isObject(fv)) {
    if (fv.t !== undefined) t = finite(fv.t, `${fw}.t`);
    peopleValue = fv.people;
  }
  const pw = isObject(fv) ? `${fw}.people` : fw;
  if (!Array.isArray(peopleValue)) throw new PoseInputError(`${pw}: expected an array of people`);
  const seen = new Set<string>();
  const people = peopleValue.map((pv, pi): RawPerson => {
    const w = `${pw}[${pi}]`;
    let id = `#${pi}`;
    let kp: unknown = pv;
    if (isObject(pv)) {
      if (pv.id !== undefined) {
        if (typeof pv.id !== 'string' && typeof pv.id !== 'number') throw new PoseInputError(`${w}.id: expected a string or number`);
        id = String(pv.id);
      }
      kp = pv.keypoints;
    }
    const kw = isObject(pv) ? `${w}.keypoints` : w;
    if (seen.has(id)) throw new PoseInputError(`${w}.id: track id '${id}' appears twice in one frame`);
    seen.add(id);
    if (!Array.isArray(kp) || kp.length === 0) throw new PoseInputError(`${kw}: expected an array of joints`);
    const first = kp[0];
    if (!Array.isArray(first)) throw new PoseInputError(`${kw}[0]: expected [x, y, (z), (score)]`);
    const shape = state.shape ?? { joints: kp.length, channels: first.length, ...resolveShape(kp.length, first.length, state.opts, kw) };
    if (kp.length !== shape.joints) throw new PoseInputError(`${kw}: ${kp.length} joints, expected ${shape.joints} (${shape.format})`);
    const values = new Float64Array(shape.joints * shape.channels);
    kp.forEach((jv, ji) => {
      if (!Array.isArray(jv) || jv.length !== shape.channels) {
        throw new PoseInputError(`${kw}[${ji}]: expected ${shape.channels} values (${shape.order}), got ${Array.isArray(jv) ? jv.length : JSON.stringify(jv)}`);
      }
      jv.forEach((v, ci) => { values[ji * shape.channels + ci] = float32(v, `${kw}[${ji}][${ci}]`); });
    });
    state.shape = shape;
    return { id, values };
  });
  return t === undefined ? { people } : { t, people };
}

/**
 * One live frame (`{ t?, people }` or an array of people) in a given format and channel order,
 * or, before the format is known, whatever its joint count says. Frames may hold nobody.
 */
export function parsePoseFrame(frame: unknown, opts: PoseOptions, where = 'frame'): { frame: RawFrame; format?: PoseFormat; channels?: ChannelOrder } {
  const state: ReadState = { opts };
  const f = readFrame(frame, where, state);
  return state.shape === undefined ? { frame: f } : { frame: f, format: state.shape.format, channels: state.shape.order };
}

/** Timestamps: all frames or none, strictly increasing. */
function checkTimes(frames: readonly RawFrame[], where: string): void {
  const timed = frames.filter((f) => f.t !== undefined).length;
  if (timed !== 0 && timed !== frames.length) throw new PoseInputError(`${where}: ${timed} of ${frames.length} frames have a timestamp 't' (all or none)`);
  for (let i = 1; i < frames.length && timed > 0; i++) {
    if (frames[i].t! <= frames[i - 1].t!) throw new PoseInputError(`${where}[${i}].t: ${frames[i].t} is not after the previous frame's ${frames[i - 1].t}`);
  }
}

/** Reads an array shaped (frames, people, joints, values) or (frames, joints, values) (one person). */
export function posesFromArray(arr: { shape: readonly number[]; data: ArrayLike<number> }, opts: PoseOptions = {}, where = 'poses'): PoseSequence {
  const shape = arr.shape.length === 3 ? [arr.shape[0], 1, arr.shape[1], arr.shape[2]] : arr.shape;
  if (shape.length !== 4) {
    throw new PoseInputError(`${where}: array of shape (${arr.shape.join(', ')}); expected (frames, people, joints, values) or (frames, joints, values)`);
  }
  const [T, P, J, C] = shape;
  if (T === 0 || P === 0) throw new PoseInputError(`${where}: empty (shape ${arr.shape.join(', ')})`);
  const { format, order } = resolveShape(J, C, opts, where);
  const frames: RawFrame[] = [];
  const per = J * C;
  for (let t = 0; t < T; t++) {
    const people: RawPerson[] = [];
    for (let p = 0; p < P; p++) {
      const off = (t * P + p) * per;
      const values = new Float64Array(per);
      let any = false;
      for (let i = 0; i < per; i++) {
        const v = Number(arr.data[off + i]);
        if (!Number.isFinite(v)) throw new PoseInputError(`${where}[${t}, ${p}, ${Math.floor(i / C)}, ${i % C}]: ${v} is not a finite number`);
        values[i] = v;
        if (v !== 0) any = true;
      }
      // All-zero slots are how padded arrays mark an absent person (as in the datasets' keypoint arrays).
      if (any) people.push({ id: `#${p}`, values });
    }
    frames.push({ people });
  }
  if (frames.every((f) => f.people.length === 0)) throw new PoseInputError(`${where}: no person in any frame (all zeros)`);
  return { format, channels: order, frames };
}

/** The channel order the target's raw keypoints use. */
function targetOrder(target: PoseTarget): 'xys' | 'xyz' {
  if (target.channels !== 3) throw new PoseInputError(`model: raw keypoints with ${target.channels} channels are not supported (expected 3)`);
  return target.scoreChannel ? 'xys' : 'xyz';
}

/** The joint set of a model's raw keypoints; throws for layouts no pose format maps onto. */
export function targetJointSet(target: PoseTarget): JointSet {
  const set = LAYOUT_JOINT_SETS[target.layout];
  if (set === undefined) throw new PoseInputError(`model layout '${target.layout}': no pose format maps onto it (supported: ${Object.keys(LAYOUT_JOINT_SETS).join(', ')})`);
  return set;
}

/**
 * A converter from one person's values in (format, channels) to the target's joints × channels,
 * with the person's confidence (mean joint score; 1 without scores). Inputs without scores count
 * as fully confident; 3D inputs for 2D models keep x and y.
 */
export function personMapper(format: PoseFormat, channels: ChannelOrder, target: PoseTarget): (values: ArrayLike<number>) => { points: Float32Array; confidence: number } {
  const set = targetJointSet(target);
  const order = targetOrder(target);
  let map: readonly number[];
  try { map = jointMap(format, set); } catch (e) { throw new PoseInputError((e as Error).message); }
  if (map.length !== target.joints) throw new PoseInputError(`model expects ${target.joints} raw joints, the ${set} mapping gives ${map.length}`);
  const C = channels.length;
  const zAt = channels.indexOf('z');
  const sAt = channels.indexOf('s');
  if (order === 'xyz' && zAt < 0) {
    throw new PoseInputError(`this ${target.layout} model expects 3D keypoints (x, y, z); the poses have ${channels.split('').join(', ')}`);
  }
  const J = map.length;
  return (values) => {
    const points = new Float32Array(J * 3);
    let scoreSum = 0;
    for (let j = 0; j < J; j++) {
      const src = map[j] * C;
      const s = sAt >= 0 ? values[src + sAt] : 1;
      points[j * 3] = values[src];
      points[j * 3 + 1] = values[src + 1];
      points[j * 3 + 2] = order === 'xyz' ? values[src + zAt] : s;
      scoreSum += s;
    }
    return { points, confidence: sAt >= 0 ? scoreSum / J : 1 };
  };
}

/** Maps every person of a sequence onto the model's joints and channels. */
export function mapSequence(seq: PoseSequence, target: PoseTarget): MappedFrame[] {
  const convert = personMapper(seq.format, seq.channels, target);
  return seq.frames.map((f) => {
    const people = f.people.map((p) => ({ id: p.id, ...convert(p.values) }));
    return f.t === undefined ? { people } : { t: f.t, people };
  });
}

/**
 * The tracks that fill the model's person slots: those with the highest summed confidence over
 * the frames (a track present in more frames, or seen more surely, ranks higher); ties go to the
 * track seen first. Returned in slot order.
 */
export function selectTracks(frames: readonly MappedFrame[], slots: number): string[] {
  const total = new Map<string, { score: number; first: number }>();
  frames.forEach((f, i) => {
    for (const p of f.people) {
      const e = total.get(p.id);
      if (e === undefined) total.set(p.id, { score: p.confidence, first: i });
      else e.score += p.confidence;
    }
  });
  return [...total.entries()]
    .sort((a, b) => b[1].score - a[1].score || a[1].first - b[1].first)
    .slice(0, slots)
    .map(([id]) => id);
}

/**
 * Packs frames into the runtime's keypoints for the target's person slots (absent people are
 * zeros), with the track ids in slot order.
 */
export function packKeypoints(frames: readonly MappedFrame[], target: PoseTarget): { keypoints: PackedKeypoints; tracks: string[] } {
  const ids = selectTracks(frames, target.persons);
  const J = target.joints;
  const T = frames.length;
  const per = J * 3;
  const data = new Float32Array(Math.max(ids.length, 1) * T * per);
  ids.forEach((id, slot) => {
    frames.forEach((f, t) => {
      const p = f.people.find((q) => q.id === id);
      if (p !== undefined) data.set(p.points, (slot * T + t) * per);
    });
  });
  return { keypoints: { data, persons: Math.max(ids.length, 1), frames: T, joints: J, channels: 3 }, tracks: ids };
}

/** What a loaded recognizer (skeletonagent/runtime) says its raw keypoints must be. */
export function poseTargetOf(rec: {
  readonly layout: string; readonly joints: number; readonly channels: number;
  readonly models: readonly { readonly metadata: { readonly numPerson: number; readonly scoreChannel: boolean } }[];
}): PoseTarget {
  const md = rec.models[0].metadata;
  return { layout: rec.layout, joints: rec.joints, channels: rec.channels, scoreChannel: md.scoreChannel, persons: md.numPerson };
}
