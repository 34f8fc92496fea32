/** `skagent data synth`: the built-in synthetic action datasets. */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { SYNTH_CLASS_NAMES, SYNTH_LAYOUTS, isSynthLayout, writeSynthetic } from '../../data/synthetic.js';
import { intOption } from './data-common.js';
import { writeFileAtomic } from '../../io/atomic.js';

const HELP = `skagent data synth — generate a synthetic skeleton action dataset (PYSKL annotation pickle)

Usage: skagent data synth --layout <nturgb+d|coco|uav> --out <file.pkl> [--classes 12] [--per-class 40]
                          [--seed 0] [--min-frames 40] [--max-frames 160] [--protocol 4] [--labels <file.txt>]

Each class is a distinct motion of a kinematic stick figure; samples vary in length, speed,
amplitude, body size, position and facing, and carry sensor noise, missing joints (zeros), missing
frames and sometimes a second, idle person. The file looks like the real dataset of the layout:
  nturgb+d  NTU names, splits xsub_train/xsub_val/xview_train/xview_val, float16 [M,T,25,3] metres
  coco      FineGYM-style ids, splits train/val, float16 [M,T,17,2] pixels + scores, img_shape
  uav       UAV-Human names, splits csv1_*/csv2_*, float64 [M,T,17,2] pixels + float32 ones
The same seed gives the same file. --labels also writes the label map (one class name per line,
line i = class i), the format of the original's label_map/<dataset>.txt.

Classes (label: name):
${SYNTH_CLASS_NAMES.map((n, i) => `  ${String(i).padStart(2)}: ${n}`).join('\n')}

Example:
  skagent data synth --layout nturgb+d --out data/synth_ntu.pkl --per-class 100`;

export const dataSynthCommand: Command = {
  path: ['data', 'synth'],
  summary: 'Generate a synthetic skeleton action dataset (nturgb+d, coco or uav layout)',
  help: HELP,
  async run(args) {
    const { values } = parseArgs({
      args, allowPositionals: false, strict: true,
      options: {
        layout: { type: 'string' }, out: { type: 'string' }, classes: { type: 'string' }, 'per-class': { type: 'string' },
        seed: { type: 'string' }, 'min-frames': { type: 'string' }, 'max-frames': { type: 'string' }, protocol: { type: 'string' },
        labels: { type: 'string' },
      },
    });
    const layout = values.layout;
    if (layout === undefined || !isSynthLayout(layout)) throw new UserError(`--layout must be one of ${SYNTH_LAYOUTS.join(', ')}`, ExitCode.usage);
    if (!values.out) throw new UserError('missing --out', ExitCode.usage);
    const classes = intOption(values.classes, 'classes', 12, 1);
    if (classes > SYNTH_CLASS_NAMES.length) throw new UserError(`--classes is at most ${SYNTH_CLASS_NAMES.length}`, ExitCode.usage);
    const minFrames = intOption(values['min-frames'], 'min-frames', 40, 2);
    const maxFrames = intOption(values['max-frames'], 'max-frames', 160, minFrames);
    const protocol = intOption(values.protocol, 'protocol', 4, 2);
    if (protocol !== 2 && protocol !== 4) throw new UserError('--protocol must be 2 or 4', ExitCode.usage);
    const started = performance.now();
    const content = writeSynthetic(values.out, {
      layout, classes, perClass: intOption(values['per-class'], 'per-class', 40, 1), seed: intOption(values.seed, 'seed', 0, 0), minFrames, maxFrames,
    }, protocol);
    const splits = [...content.split].map(([k, v]) => `${k} ${v.length}`).join(', ');
    process.stdout.write(`wrote ${values.out}: ${content.annotations.length} samples, ${classes} classes (${splits}) in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
    if (values.labels) {
      writeFileAtomic(values.labels, SYNTH_CLASS_NAMES.slice(0, classes).map((n) => `${n}\n`).join(''));
      process.stdout.write(`wrote ${values.labels}: ${classes} class names\n`);
    }
    return ExitCode.ok;
  },
};
