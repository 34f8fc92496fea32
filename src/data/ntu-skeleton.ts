/**
 * Reader for the official NTU RGB+D `.skeleton` text files (parsed as tools/data/ntu_preproc.py
 * does). Line endings are handled as Python's text mode does (CRLF and CR read as LF); a truncated
 * or malformed file fails with the line number where the reader stopped.
 */
import { DataError } from './errors.js';

export const NTU_JOINTS = 25;

/** One tracked body: its joints over the non-empty frames where it appears. */
export interface SkeletonBody {
  /** The body id token as written (ids are 64-bit, beyond JS number precision). */
  readonly id: string;
  /** Index of its first frame, counting only frames that have at least one body. */
  readonly start: number;
  /** Number of frames it appears in. */
  frames: number;
  /** float32 x, y, z per joint: [frames, 25, 3], C order. */
  kpt: Float32Array;
}

/** A float as numpy reads it for a float32 array: parsed to double, then rounded to float32. */
const FLOAT_TOKEN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INT_TOKEN = /^[+-]?\d+$/;

/** Parses one file's text. `file` names it in error messages. Bodies are in first-appearance order. */
export function parseSkeletonText(text: string, file: string): SkeletonBody[] {
  const lines = text.split(/\r\n|\r|\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let idx = 0;
  const fail = (problem: string): never => {
    throw new DataError({ file }, `line ${idx + 1}: ${problem}`);
  };
  const next = (what: string): string => {
    if (idx >= lines.length) fail(`expected ${what} but the file ends (truncated?)`);
    return lines[idx++];
  };
  const nextInt = (what: string): number => {
    const line = next(what).trim();
    if (!INT_TOKEN.test(line)) {
      idx--;
      fail(`expected ${what}, got '${line}'`);
    }
    return Number(line);
  };

  const numFrames = nextInt('the frame count');
  const bodies = new Map<string, { start: number; chunks: Float32Array[] }>();
  let fidx = 0;
  for (let f = 0; f < numFrames; f++) {
    const numBodies = nextInt(`the body count of frame ${f + 1}/${numFrames}`);
    if (numBodies === 0) continue; // empty frames do not advance the frame counter
    for (let b = 0; b < numBodies; b++) {
      const idToken = next(`the info line of body ${b + 1} in frame ${f + 1}`).trim().split(/\s+/)[0];
      if (!INT_TOKEN.test(idToken)) {
        idx--;
        fail(`expected a body id, got '${idToken}'`);
      }
      const id = BigInt(idToken).toString();
      let body = bodies.get(id);
      if (!body) bodies.set(id, (body = { start: fidx, chunks: [] }));
      const joints = nextInt(`the joint count of body ${b + 1} in frame ${f + 1}`);
      if (joints !== NTU_JOINTS) {
        idx--;
        fail(`expected ${NTU_JOINTS} joints, got ${joints}`);
      }
      const kpt = new Float32Array(NTU_JOINTS * 3);
      for (let j = 0; j < NTU_JOINTS; j++) {
        const tokens = next(`joint ${j + 1} of body ${b + 1} in frame ${f + 1}`).trim().split(/\s+/);
        for (let c = 0; c < 3; c++) {
          const t = tokens[c];
          if (t === undefined || !FLOAT_TOKEN.test(t)) {
            idx--;
            fail(`expected x y z numbers for joint ${j + 1}, got '${lines[idx].trim()}'`);
          }
          kpt[j * 3 + c] = Number(t);
        }
      }
      body.chunks.push(kpt);
    }
    fidx++;
  }
  if (idx !== lines.length) fail(`unexpected content after the last of ${numFrames} frames`);

  return [...bodies.entries()].map(([id, { start, chunks }]) => {
    const kpt = new Float32Array(chunks.length * NTU_JOINTS * 3);
    chunks.forEach((c, i) => kpt.set(c, i * NTU_JOINTS * 3));
    return { id, start, frames: chunks.length, kpt };
  });
}
