/** Every pipeline operation by the name configs use (`dict(type=...)`). */
import { partDrop, randomRot, spatialFlip } from './ops/augment-3d.js';
import { flip, kineticsTransform } from './ops/augment-2d.js';
import { decompressPose, poseDecode } from './ops/decode.js';
import { genSkeFeat, jointToBone, jointToKB, mergeSkeFeat, rename, toMotion } from './ops/features.js';
import { collect, formatGCNInput, toTensor } from './ops/format.js';
import type { OpDefinition } from './ops/op.js';
import { preNormalize3D } from './ops/pre-normalize.js';
import { uniformSampleDecode, uniformSampleFrames } from './ops/sampling.js';

export const OPS: Readonly<Record<string, OpDefinition>> = {
  PreNormalize3D: preNormalize3D,
  RandomRot: randomRot,
  Spatial_Flip: spatialFlip,
  Part_Drop: partDrop,
  GenSkeFeat: genSkeFeat,
  JointToBone: jointToBone,
  JointToKB: jointToKB,
  ToMotion: toMotion,
  MergeSkeFeat: mergeSkeFeat,
  Rename: rename,
  UniformSampleDecode: uniformSampleDecode,
  UniformSampleFrames: uniformSampleFrames,
  UniformSample: uniformSampleFrames, // the original's alias
  PoseDecode: poseDecode,
  DecompressPose: decompressPose,
  Flip: flip,
  Kinetics_Transform: kineticsTransform,
  FormatGCNInput: formatGCNInput,
  Collect: collect,
  ToTensor: toTensor,
};

/** Names of the operations that sample frames (they carry clip_len and num_clips), aliases included. */
export const SAMPLING_OPS: readonly string[] = Object.keys(OPS).filter((name) => OPS[name] === uniformSampleDecode || OPS[name] === uniformSampleFrames);
