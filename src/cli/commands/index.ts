/** Every CLI command, in the order `skagent --help` lists them. */
import type { Command } from '../command.js';
import { agentInitCommand } from './agent-init.js';
import { agentRefineCommand } from './agent-refine.js';
import { agentSelectCommand } from './agent-select.js';
import { checkpointInspectCommand } from './checkpoint-inspect.js';
import { ensembleCommand } from './ensemble.js';
import { dataConvertCommand } from './data-convert.js';
import { dataInspectCommand } from './data-inspect.js';
import { dataNtuRawCommand } from './data-ntu-raw.js';
import { dataSynthCommand } from './data-synth.js';
import { dataUavRawCommand } from './data-uav-raw.js';
import { transformCommand } from './transform.js';
import { trainCommand } from './train.js';
import { demoCommand } from './demo.js';
import { testCommand } from './test.js';
import { exportCommand } from './export.js';
import { benchCommand } from './bench.js';
import { predictCommand } from './predict.js';
import { serveCommand } from './serve.js';
import { viewCommand } from './view.js';
import { reportCommand } from './report.js';

export const COMMANDS: readonly Command[] = [
  demoCommand,
  trainCommand,
  testCommand,
  exportCommand,
  benchCommand,
  predictCommand,
  serveCommand,
  agentInitCommand,
  agentRefineCommand,
  agentSelectCommand,
  checkpointInspectCommand,
  ensembleCommand,
  dataConvertCommand,
  dataInspectCommand,
  dataNtuRawCommand,
  dataSynthCommand,
  dataUavRawCommand,
  transformCommand,
  viewCommand,
  reportCommand,
];
