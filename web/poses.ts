/**
 * Poses files dropped on the Live view, read by the project's pose-input module (src/live/poses.ts:
 * JSON documents of frames × people × joints, or arrays shaped (frames, [people,] joints, values),
 * in any pose format it knows, mapped onto the model's joints); `.npy` arrays are decoded here.
 */
import type { Skeleton } from './api';
import { type PackedKeypoints, type PoseTarget, mapSequence, packKeypoints, parsePoseJson, posesFromArray } from '../src/live/poses.js';

export interface Poses {
  keypoints: PackedKeypoints | { data: number[]; persons: number; frames: number; joints: number; channels: number };
  skeleton: Skeleton;
  edges?: [number, number][];
}

/** Persons × frames × joints × 3 keypoints as a drawable skeleton (2D: the third channel is the score). */
export function skeletonOf(k: { data: ArrayLike<number>; persons: number; frames: number; joints: number }, scoreChannel: boolean): Skeleton {
  const n = k.persons * k.frames * k.joints;
  if (!scoreChannel) return { shape: [k.persons, k.frames, k.joints, 3], data: Array.from(k.data), score: null, is3d: true };
  const data: number[] = [];
  const score: number[] = [];
  for (let i = 0; i < n; i++) {
    data.push(k.data[i * 3], k.data[i * 3 + 1]);
    score.push(k.data[i * 3 + 2]);
  }
  return { shape: [k.persons, k.frames, k.joints, 2], data, score, is3d: false };
}

/** A little-endian float32/float64 C-order .npy array. */
function parseNpy(bytes: Uint8Array): { shape: number[]; data: Float32Array | Float64Array } {
  if (String.fromCharCode(...bytes.subarray(0, 6)) !== '\x93NUMPY') throw new Error('not a .npy file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const v1 = bytes[6] === 1;
  const headerLen = v1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = v1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error('Fortran-ordered arrays are not supported');
  const n = shape.reduce((a, b) => a * b, 1);
  const body = bytes.slice(start + headerLen);
  if (descr === '<f4') return { shape, data: new Float32Array(body.buffer, 0, n) };
  if (descr === '<f8') return { shape, data: new Float64Array(body.buffer, 0, n) };
  throw new Error(`dtype ${descr}: expected float32 or float64`);
}

export function readPosesFile(name: string, bytes: Uint8Array, target: PoseTarget): Poses {
  const seq = name.endsWith('.npy') ? posesFromArray(parseNpy(bytes), {}, name) : parsePoseJson(JSON.parse(new TextDecoder().decode(bytes)), {}, name);
  const { keypoints } = packKeypoints(mapSequence(seq, target), target);
  return { keypoints, skeleton: skeletonOf(keypoints, target.scoreChannel) };
}
