/**
 * Poses files for the Live view: JSON (`{"keypoints": [...]}` or the bare array, nested
 * persons × frames × joints × channels, or frames × joints × channels for one person) and .npy
 * (float32/float64, [persons, frames, joints, channels] or [frames, joints, channels]). Channels
 * as the model's dataset stores them: x, y, z (3D) or x, y, score (2D).
 */
import type { Skeleton } from './api';

export interface Poses {
  keypoints: { data: number[] | Float32Array; persons: number; frames: number; joints: number; channels: number };
  skeleton: Skeleton;
  edges?: [number, number][];
}

function fromDense(data: Float32Array, persons: number, frames: number, joints: number, channels: number, scoreChannel: boolean): Poses {
  const C = scoreChannel ? channels - 1 : channels;
  const coords: number[] = [];
  const score: number[] = [];
  for (let i = 0; i < persons * frames * joints; i++) {
    for (let c = 0; c < C; c++) coords.push(data[i * channels + c]);
    if (scoreChannel) score.push(data[i * channels + channels - 1]);
  }
  return {
    keypoints: { data, persons, frames, joints, channels },
    skeleton: { shape: [persons, frames, joints, C], data: coords, score: scoreChannel ? score : null, is3d: !scoreChannel && C === 3 },
  };
}

function parseNpy(bytes: Uint8Array): { data: Float32Array; shape: number[] } {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== '\x93NUMPY') throw new Error('not a .npy file');
  const major = bytes[6];
  const headerLen = major === 1 ? bytes[8] | (bytes[9] << 8) : new DataView(bytes.buffer, bytes.byteOffset + 8, 4).getUint32(0, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error('Fortran-ordered arrays are not supported');
  const body = bytes.slice(start + headerLen);
  const n = shape.reduce((a, b) => a * b, 1);
  if (descr === '<f4') return { data: new Float32Array(body.buffer, 0, n), shape };
  if (descr === '<f8') return { data: Float32Array.from(new Float64Array(body.buffer, 0, n)), shape };
  throw new Error(`dtype ${descr}: expected float32 or float64`);
}

/** Reads a poses file; `channels` is what the model expects (3: x, y, z or x, y, score). */
export function parsePoses(name: string, bytes: Uint8Array, channels: number, scoreChannel = false): Poses {
  let data: Float32Array;
  let shape: number[];
  if (name.endsWith('.npy')) {
    ({ data, shape } = parseNpy(bytes));
  } else {
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    const arr = (Array.isArray(doc) ? doc : (doc as { keypoints?: unknown }).keypoints) as unknown;
    if (!Array.isArray(arr)) throw new Error('expected a nested array, or an object with "keypoints"');
    shape = [];
    for (let a: unknown = arr; Array.isArray(a); a = a[0]) shape.push(a.length);
    const flat = (arr as unknown[]).flat(3) as number[];
    if (flat.some((v) => typeof v !== 'number')) throw new Error('every value must be a number');
    data = Float32Array.from(flat);
  }
  if (shape.length === 3) shape = [1, ...shape];
  if (shape.length !== 4) throw new Error(`expected [persons,] frames × joints × channels, got shape [${shape.join(', ')}]`);
  if (shape[3] !== channels) throw new Error(`${shape[3]} channels per joint; the model expects ${channels}`);
  return fromDense(data, shape[0], shape[1], shape[2], shape[3], scoreChannel);
}
