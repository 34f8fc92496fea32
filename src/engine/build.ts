/**
 * Builds the recogniser a config's `model` section describes (see docs/original.md for the
 * original's model files), fresh or from a checkpoint.
 */
import { existsSync } from 'node:fs';
import { type Config, checkConsistency } from '../config/index.js';
import { buildGraph, getLayout, MIX_GROUPS, type LayoutName } from '../skeleton/index.js';
import { NumpyRandomState } from '../rng/index.js';
import type { NdArray } from '../io/ndarray.js';
import { fromNdArray, manualSeed, ones, type Tensor } from '../torch/index.js';
import { loadCheckpoint } from '../torch/checkpoint.js';
import { Recognizer } from '../model/recognizer.js';
import type { MixConfig } from '../model/mixup.js';
import { UserError } from '../errors.js';

export interface BuildOptions {
  /** Critical-joint tensor [Cls, V, V] from the Selector; all-ones (every joint critical) when absent. */
  criticalJoints?: NdArray | null;
  /** Seed of numpy's generator (the random graph A) and of libtorch's (every other initial weight), as the original seeds both before building. */
  seed?: number;
}

export function numJointsOf(config: Config): number {
  return getLayout(config.model.backbone.graph_cfg.layout, 'model.backbone.graph_cfg.layout').numJoints;
}

export function buildModel(config: Config, o: BuildOptions = {}): Recognizer {
  const b = config.model.backbone;
  const V = numJointsOf(config);
  const Cls = b.num_classes;
  checkConsistency(config, 'config');
  manualSeed(o.seed ?? 0);
  const graph = fromNdArray(buildGraph(b.graph_cfg, new NumpyRandomState(o.seed ?? 0)));
  let examplar: Tensor;
  if (o.criticalJoints) {
    const s = o.criticalJoints.shape;
    if (s.length !== 3 || s[0] !== Cls || s[1] !== V || s[2] !== V) {
      throw new UserError(`critical-joint tensor has shape [${s.join(', ')}], the config needs [${Cls}, ${V}, ${V}]`);
    }
    examplar = fromNdArray(o.criticalJoints);
  } else {
    examplar = ones([Cls, V, V]);
  }
  try {
    return new Recognizer({
      variant: b.type, numClasses: Cls, numJoints: V, graph, examplar,
      inChannels: b.in_channels, baseChannels: b.base_channels, numStages: b.num_stages,
      inflateStages: b.inflate_stages, downStages: b.down_stages, numPerson: b.num_person,
    });
  } finally {
    graph.dispose();
    examplar.dispose();
  }
}

/** Builds the config's model and loads a checkpoint (per-epoch or best; the authors' or ours). */
export function loadModelFromCheckpoint(config: Config, checkpoint: string): Recognizer {
  if (!existsSync(checkpoint)) throw new UserError(`checkpoint ${checkpoint} does not exist`);
  let ck;
  try {
    ck = loadCheckpoint(checkpoint);
  } catch (err) {
    throw new UserError(`${checkpoint}: cannot read the checkpoint: ${(err as Error).message}`);
  }
  const model = buildModel(config);
  try {
    model.loadCheckpointState(ck.stateDict, checkpoint);
  } catch (err) {
    model.dispose();
    throw new UserError((err as Error).message);
  } finally {
    for (const t of ck.stateDict.values()) t.dispose();
    ck.optimizer?.state.forEach((s) => s.momentum_buffer?.dispose());
  }
  return model;
}

/** The mix-up settings of a config (the head's joint_cfg picks the part groups). */
export function mixConfigOf(config: Config): MixConfig {
  const head = config.model.cls_head;
  const groups = MIX_GROUPS[head.joint_cfg as LayoutName];
  if (!groups) throw new UserError(`config: model.cls_head.joint_cfg '${head.joint_cfg}' has no mix-up part groups (nturgb+d, coco_new and uav have)`);
  return { groups, numClasses: head.num_classes, spatial: head.mix?.spatial, temporal: head.mix?.temporal, ratio: head.mix?.ratio };
}
