/**
 * A short run of the HTTP fuzz campaign (bench/fuzz-http.ts runs the long one; figures in
 * docs/robustness.md): mutated requests at `skagent serve` and `skagent view` started through the
 * CLI on loopback. Every request is answered (2xx, 503, or a 4xx whose JSON error names the
 * request part), nothing planted outside the served folder comes back, the health route answers.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTP_TARGETS, httpCampaign, startServer, viewerFolder } from './http.js';
import { exportQuickModel } from '../live/quick-model.js';

/** A fifth of the in-process short run (each input is a request, many of them a model run). */
const SHORT_RUN = Math.round(Number(process.env.SKAGENT_FUZZ_INPUTS ?? 1500) / 5);

const scratch = mkdtempSync(join(tmpdir(), 'skagent-fuzz-http-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let model: string | undefined;

for (const target of HTTP_TARGETS) {
  test(`HTTP fuzz ${target.name}: ${SHORT_RUN} mutated requests, every one answered, no 500, no leak`, async () => {
    const view = target.server === 'view' ? viewerFolder() : null;
    const server = await startServer(view ? ['view', view.root, '--port', '0']
      : ['serve', model ??= exportQuickModel(scratch), '--port', '0', '--concurrency', '1', '--queue', '1', '--threads', '1', '--max-body', String(256 * 1024)]);
    try {
      const stats = await httpCampaign(target, { inputs: SHORT_RUN, seed: 7, port: server.port, inFlight: 4, sentinel: view?.sentinel ?? null, server });
      assert.deepEqual(stats.problems.map((p) => `#${p.index}: ${p.problem} — ${JSON.stringify(p.request.slice(0, 120))}`), []);
      const statuses = [...stats.statuses.keys()];
      assert.ok(statuses.some((s) => s >= 400 && s < 500), `mutants were refused: ${statuses.join()}`);
      assert.ok(statuses.some((s) => s < 300), `seeds and some mutants were accepted: ${statuses.join()}`);
    } finally {
      await server.stop();
    }
  });
}
