/** `skagent export`: a checkpoint as an ONNX model for ONNX Runtime (Node, browsers). */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { exportOnnx, readLabels } from '../../export/export.js';

const HELP = `skagent export — write a checkpoint's inference graph as an ONNX model

Usage: skagent export <config> <checkpoint.pth> --out model.onnx [--labels labels.txt]

  <config>         a config name (ntu60_xsub/j, ...) or a config .json file
  <checkpoint.pth> a .pth from 'skagent train' or one of the authors' released checkpoints
  --out F          the .onnx file to write
  --labels F       class names, one per line, in class-index order (stored in the model)

The model is the backbone and the classifier (the text encoder is only used in training),
batch norms folded into the convolutions, opset 17 (ONNX Runtime on CPU, wasm and WebGPU).
Input 'keypoint' [batch, clips, persons, frames, joints, channels]; outputs 'scores'
[batch, classes] (softmax averaged over clips, as 'skagent test') and 'logits'
[batch, clips, classes]. Its metadata carries the layout, modality, classes and labels, the
config's test pipeline, the checkpoint's sha256 and this version, so that the runtime
(import { Recognizer } from 'skeletonagent/runtime') and 'skagent test <config> model.onnx'
need nothing else. See docs/deploy.md.

Example:
  skagent export ntu60_xsub/j work_dirs/ntu60_xsub/j/best.pth --out ntu60_j.onnx --labels ntu60.txt`;

export const exportCommand: Command = {
  path: ['export'],
  summary: 'Export a checkpoint as an ONNX model (runs without libtorch)',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { out: { type: 'string' }, labels: { type: 'string' } } });
    if (positionals.length !== 2) throw new UserError(`expected <config> <checkpoint.pth>, got ${positionals.length} argument(s)`, ExitCode.usage);
    if (!values.out) throw new UserError('missing --out <model.onnx>', ExitCode.usage);
    const [configName, checkpoint] = positionals;
    const config = loadConfig(configName);
    const result = exportOnnx({ config, configName, checkpoint, out: values.out, labels: values.labels ? readLabels(values.labels) : undefined });
    const m = result.metadata;
    process.stdout.write(`wrote ${result.out} (${(result.bytes / 1e6).toFixed(1)} MB): ${m.layout} ${m.modality}, ${m.numClasses} classes${m.labels ? ' with labels' : ''}, ${m.numClips} clips × ${m.clipLen} frames\n`);
    return ExitCode.ok;
  },
};
