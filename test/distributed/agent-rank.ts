/**
 * One rank of a data-parallel `train()` whose semantics record what the trainer shares about the
 * agent (test/distributed/agent.test.ts):
 *   node agent-rank.js <annFile> <workDir> <epochs>   (torchrun environment, 2 ranks)
 * The recording semantics wrap the fixed random text table and log, in order, every
 * adoptDescriptions (the trainer's sharing points: the start and each epoch's end), the
 * descriptions training batches embed with (when they change), each batch's (label, prediction)
 * counts added to the Questioner counts and, on rank 0 (the only rank the trainer asks), the epoch
 * hook: the counts it sees, then every description rewritten from them (except after epoch 2) and
 * the counts reset, as the agent closing an epoch does. Each rank writes its log to <workDir>/agent<rank>.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { ProcessGroup } from '../../src/torch/distributed.js';
import { setUpRun } from '../../src/engine/run-setup.js';
import { DataParallel } from '../../src/engine/data-parallel.js';
import { RunLogger } from '../../src/engine/logger.js';
import { train } from '../../src/engine/trainer.js';
import type { Semantics } from '../../src/engine/semantics.js';

const [annFile, workDir, epochsArg] = process.argv.slice(2);
const rank = Number(process.env.RANK);
const config = loadConfig('quick/j');
const classes = config.model.cls_head.num_classes;

const run = setUpRun({ config, runtime: { threads: 1, workers: 0, device: 'cpu' }, semantics: 'random-table', seed: 0 });
const table = run.semantics;
const counts = new Float64Array(classes * classes);
let descriptions: string[] = Array.from({ length: classes }, (_, c) => `rank ${rank}'s shipped description of class ${c}`);
export type AgentRankEvent =
  | { kind: 'adopt'; descriptions: string[] }
  | { kind: 'embed'; descriptions: string[] }
  | { kind: 'observe'; counts: number[] }
  | { kind: 'epochEnd'; epoch: number; counts: number[]; wrote: string[] };
const events: AgentRankEvent[] = [];
let lastEmbedded: string[] | null = null;

const recording: Semantics = {
  describe: () => 'recording semantics over a fixed random table',
  textModule: null,
  get descriptions() { return descriptions; },
  embed(labels, indices) {
    if (lastEmbedded?.join('\n') !== descriptions.join('\n')) events.push({ kind: 'embed', descriptions: lastEmbedded = [...descriptions] });
    return table.embed(labels, indices);
  },
  observe(labels, logits) {
    const added = new Array<number>(classes * classes).fill(0);
    const z = logits.toFloat32Array();
    labels.forEach((y, i) => {
      let best = 0;
      for (let c = 1; c < classes; c++) if (z[i * classes + c] > z[i * classes + best]) best = c;
      counts[y * classes + best] += 1;
      added[y * classes + best] += 1;
    });
    events.push({ kind: 'observe', counts: added });
  },
  questionerCounts: counts,
  adoptDescriptions(shared) {
    events.push({ kind: 'adopt', descriptions: [...shared] });
    descriptions = [...shared];
  },
  async onEpochEnd(epoch) {
    const seen = [...counts];
    // Epoch 2 leaves them as they are and reports no change, as the agent between its refreshes.
    const refresh = epoch !== 2;
    if (refresh) descriptions = descriptions.map((_, c) => `after epoch ${epoch}: class ${c} was seen ${seen.slice(c * classes, (c + 1) * classes).reduce((a, b) => a + b, 0)} times`);
    counts.fill(0);
    events.push({ kind: 'epochEnd', epoch, counts: seen, wrote: [...descriptions] });
    return refresh ? { refreshed: epoch } : null;
  },
  onValidationBatch: async () => null,
  save: () => {},
  restore: () => {},
  dispose: () => table.dispose(),
};

const group = await ProcessGroup.init({ rank, worldSize: 2, masterAddr: process.env.MASTER_ADDR!, masterPort: Number(process.env.MASTER_PORT), backend: 'gloo', timeoutMs: 60_000 });
const parallel = new DataParallel(group);
await train({
  config, configName: 'quick/j', model: run.model, semantics: recording, workDir, annFile, seed: 3, epochs: Number(epochsArg), batchSize: 4,
  workers: 0, validate: false, resume: false, device: 'cpu', logger: new RunLogger(workDir, false, rank === 0), parallel,
});
writeFileSync(join(workDir, `agent${rank}.json`), JSON.stringify(events));
group.destroy();
