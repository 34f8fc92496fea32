/** `skagent view`: the web app over work dirs, results, datasets, conversations and models. */
import { existsSync, readFileSync } from 'node:fs';
import { poseContract, readModelIO } from '../../live/pose-model.js';
import { parseArgs } from 'node:util';
import { ViewServer } from '../../viewer/server.js';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { intOption } from './data-common.js';

const HELP = `skagent view — look at runs, results, data and the agent in a browser

Usage: skagent view [paths...] [--host H] [--port N] [--pose-model model.onnx ...]

Serves a page (the URL is printed) over everything found under the paths (default: work_dirs):
  runs          folders with *.log.json: loss, top-1/top-5 and lr per iteration, validation
                metrics per epoch; updates while the run trains; several runs overlaid
  results       folders with scores.npy + labels.npy (skagent test --out): confusion matrix
                (click a cell for its samples), per-class accuracy, most-confused pairs, ensembles
                of several results (J+B, 4M, 6M, your weights, a weight search on validation results)
  data          annotation pickles (.pkl) and dataset stores: samples by split and class, the
                skeleton animated, raw and after a config's pipeline
  agent         a run's conversation folder (or any folder of NNN_<class>.txt files): descriptions
                round by round, confusions at each refresh, critical joints on the skeleton
  live          exported models (.onnx, skagent export) run in the page: on a synthetic action,
                a poses file, or the camera with a pose model (--pose-model)

Only files under the given paths are served. The page and its scripts are bundled in the
package: nothing is fetched from the internet.

Options:
  --host H      address to bind (default 127.0.0.1: this machine only; 0.0.0.0 exposes the
                files under the paths to your network)
  --port N      port (default 0: any free port)
  --pose-model F  a 2D COCO-17 pose estimator as ONNX for the Live tab's camera (repeatable):
                MoveNet single-pose (input [1,H,W,3], output [1,1,17,3]), RTMPose (SimCC
                outputs simcc_x, simcc_y) or a top-down heatmap model ([1,17,H/4,W/4]); only
                these files are served (the page can also open one from disk). How to get one
                offline: docs/viewer.md, "Camera"

Example (after 'skagent demo'):
  skagent view work_dirs/demo

Stop with Ctrl-C. Exit codes: 0 stopped, 2 usage error, 3 a path does not exist.`;

export const viewCommand: Command = {
  path: ['view'],
  summary: 'Web app over runs, results, datasets and agent conversations (local server)',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { host: { type: 'string' }, port: { type: 'string' }, 'pose-model': { type: 'string', multiple: true } },
    });
    const paths = positionals.length > 0 ? positionals : ['work_dirs'];
    for (const p of paths) {
      if (!existsSync(p)) throw new UserError(`${p}: no such file or folder${positionals.length === 0 ? ' (give the folders to look at, e.g. skagent view work_dirs/demo after skagent demo)' : ''}`);
    }
    const poseModels = values['pose-model'] ?? [];
    for (const p of poseModels) {
      if (!existsSync(p)) throw new UserError(`--pose-model ${p}: no such file`);
      // Refused here, with what the model has and what is expected, rather than later in the page.
      poseContract(readModelIO(readFileSync(p), `--pose-model ${p}`), `--pose-model ${p}`);
    }
    const server = new ViewServer({ paths, host: values.host ?? '127.0.0.1', port: intOption(values.port, 'port', 0, 0), poseModels });
    const url = await server.listen();
    process.stdout.write(`skagent view: ${url}  (serving ${server.roots.roots.join(', ')}; Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    return ExitCode.ok;
  },
};
