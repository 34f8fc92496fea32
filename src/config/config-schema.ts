/**
 * The schema of a training/evaluation config: the original's mmcv config files as data
 * (`configs/<split>/<modality>.py`). Keys and nesting are the original's, so
 * `cfg.model.cls_head.weight_1` or `cfg.data.train.split` read as they do in Python. Tuples are
 * JSON lists.
 */
import { GRAPH_MODES } from '../skeleton/graph.js';
import { LAYOUT_NAMES } from '../skeleton/layouts.js';
import { FEATURES } from '../transforms/ops/features.js';
import {
  type Infer, type Schema, SchemaError, array, bool, int, isPlainObject, nullable, number, object, oneOf, optional, show, string,
  tuple, union, withDefault,
} from '../schema.js';

/** A pipeline op as written in a config: `{type: ..., ...arguments}` (arguments are checked by compose). */
const opEntry: Schema<Record<string, unknown>> = {
  expected: 'an operation {type: ..., ...}',
  parse(v, path) {
    if (!isPlainObject(v) || typeof v.type !== 'string') throw new SchemaError(path, `expected an operation {type: ..., ...}, got ${show(v)}`);
    return v;
  },
};
const pipeline = array(opEntry, { minLength: 1 });
/** In a dataset entry: the pipeline itself, or the name of a top-level pipeline ("train_pipeline"). */
const pipelineRef = union([pipeline, oneOf(['train_pipeline', 'val_pipeline', 'test_pipeline'])]);

const layout = oneOf(LAYOUT_NAMES);
const positive = number({ exclusiveMin: 0 });

const graphCfg = object({
  layout,
  mode: oneOf(GRAPH_MODES),
  num_filter: optional(int({ min: 1 })),
  init_off: optional(number()),
  init_std: optional(number({ min: 0 })),
  max_hop: optional(int({ min: 1 })),
  nx_node: optional(int({ min: 1 })),
});

/** One temporal branch: (kernel, dilation), ('max', kernel) or '1x1'. */
const tcnBranch = union([tuple([int({ min: 1 }), int({ min: 1 })]), tuple([oneOf(['max']), int({ min: 1 })]), oneOf(['1x1'])]);

const backbone = object({
  type: oneOf(['GCN_Module_LLM', 'GCN_Module_LLM_K400']),
  llm_model: oneOf(['gpt4o']),
  llm_modality: oneOf(FEATURES),
  num_classes: int({ min: 1 }),
  tcn_ms_cfg: array(tcnBranch, { minLength: 1 }),
  graph_cfg: graphCfg,
  // Constructor arguments the 48 configs leave at their defaults.
  in_channels: optional(int({ min: 1 })),
  base_channels: optional(int({ min: 1 })),
  ch_ratio: optional(int({ min: 1 })),
  num_stages: optional(int({ min: 1 })),
  inflate_stages: optional(array(int({ min: 1 }))),
  down_stages: optional(array(int({ min: 1 }))),
  num_person: optional(int({ min: 1 })),
  data_bn_type: optional(oneOf(['MVC', 'VC'])),
});

const clsHead = object({
  type: oneOf(['SimpleHead', 'SimpleHead_Semi']),
  joint_cfg: layout,
  num_classes: int({ min: 1 }),
  in_channels: int({ min: 1 }),
  work_dir: string({ nonEmpty: true }),
  interval_epoch: int({ min: 1 }),
  weight_1: number({ min: 0 }),
  weight_2: number({ min: 0 }),
  dropout: optional(number({ min: 0, max: 1 })),
  init_std: optional(positive),
  // Not in the original (its mix-up is hard-wired for 100 frames): ranges for shorter clips.
  mix: optional(object({
    spatial: optional(tuple([int({ min: 1 }), int({ min: 1 })])),
    temporal: optional(tuple([int({ min: 1 }), int({ min: 1 })])),
    ratio: optional(int({ min: 1 })),
  })),
});

const datasetFields = {
  type: oneOf(['PoseDataset']),
  ann_file: string({ nonEmpty: true }),
  pipeline: pipelineRef,
  split: string({ nonEmpty: true }),
  box_thr: optional(number({ min: 0, max: 1 })),
  valid_ratio: optional(nullable(number({ min: 0, max: 1 }))),
  memcached: optional(bool()),
  mc_cfg: optional(tuple([string({ nonEmpty: true }), int({ min: 1, max: 65535 })])),
  data_prefix: optional(string()),
};

const meta = object({
  /** The original file this config reproduces, e.g. `configs/ntu60_xsub/j.py`. */
  origin: optional(string({ nonEmpty: true })),
  description: optional(string()),
  /** Key paths whose values are placeholders to be tuned (quick configs). */
  provisional: optional(array(string({ nonEmpty: true }))),
});

export const configSchema = object({
  meta: optional(meta),
  modality: oneOf(FEATURES),
  graph: layout,
  work_dir: string({ nonEmpty: true }),
  model: object({
    type: oneOf(['RecognizerGCN', 'RecognizerGCN_Semi']),
    backbone,
    cls_head: clsHead,
  }),
  memcached: optional(bool()),
  mc_cfg: optional(tuple([string({ nonEmpty: true }), int({ min: 1, max: 65535 })])),
  dataset_type: oneOf(['PoseDataset']),
  ann_file: string({ nonEmpty: true }),
  left_kp: optional(array(int({ min: 0 }))),
  right_kp: optional(array(int({ min: 0 }))),
  box_thr: optional(number({ min: 0, max: 1 })),
  valid_ratio: optional(number({ min: 0, max: 1 })),
  train_pipeline: pipeline,
  val_pipeline: pipeline,
  test_pipeline: pipeline,
  data: object({
    videos_per_gpu: int({ min: 1 }),
    workers_per_gpu: int({ min: 0 }),
    test_dataloader: object({ videos_per_gpu: int({ min: 1 }) }),
    train: object(datasetFields),
    val: object(datasetFields),
    test: object(datasetFields),
  }),
  optimizer: object({
    type: oneOf(['SGD']),
    lr: positive,
    momentum: number({ min: 0, max: 1 }),
    weight_decay: number({ min: 0 }),
    nesterov: bool(),
  }),
  optimizer_config: object({ grad_clip: nullable(object({ max_norm: positive, norm_type: withDefault(positive, 2) })) }),
  lr_config: object({ policy: oneOf(['CosineAnnealing']), min_lr: number({ min: 0 }), by_epoch: bool() }),
  total_epochs: int({ min: 1 }),
  checkpoint_config: object({ interval: int({ min: 1 }) }),
  evaluation: object({
    interval: int({ min: 1 }),
    metrics: array(oneOf(['top_k_accuracy', 'mean_class_accuracy']), { minLength: 1 }),
    topk: optional(array(int({ min: 1 }), { minLength: 1 })),
  }),
  log_config: object({ interval: int({ min: 1 }), hooks: array(object({ type: oneOf(['TextLoggerHook']) })) }),
});

/** A config as written in its file (dataset pipelines may still be references). */
export type RawConfig = Infer<typeof configSchema>;

export type OpConfig = Record<string, unknown> & { readonly type: string };
export type DatasetConfig = Omit<RawConfig['data']['train'], 'pipeline'> & { pipeline: OpConfig[] };

/** A loaded config: every dataset's `pipeline` is the op list itself. */
export type Config = Omit<RawConfig, 'data'> & {
  data: Omit<RawConfig['data'], 'train' | 'val' | 'test'> & { train: DatasetConfig; val: DatasetConfig; test: DatasetConfig };
};
