/** Pose files (Node): JSON documents (see parsePoseJson) and .npy arrays shaped (frames, people, joints, values). */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseNpy } from '../io/npy.js';
import { type PoseOptions, type PoseSequence, PoseInputError, parsePoseJson, posesFromArray } from './poses.js';

export function readPoseFile(path: string, opts: PoseOptions = {}): PoseSequence {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new PoseInputError(`${path}: cannot read the poses: ${(err as Error).message}`);
  }
  if (extname(path).toLowerCase() === '.npy') {
    let arr;
    try { arr = parseNpy(bytes, path); } catch (err) { throw new PoseInputError((err as Error).message); }
    if (typeof arr.data[0] === 'bigint' || arr.dtype === 'float16') throw new PoseInputError(`${path}: ${arr.dtype} array, expected float32 or float64`);
    return posesFromArray({ shape: arr.shape, data: arr.data as ArrayLike<number> }, opts, path);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new PoseInputError(`${path}: not JSON (${(err as Error).message}); pose files are .json or .npy`);
  }
  return parsePoseJson(doc, opts, path);
}
