/** `skagent serve`: exported models behind HTTP and WebSocket on loopback (or a given host). */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';
import { PoseServer } from '../../live/server.js';
import { loadModels, MODEL_OPTIONS, modelOptionsHelp } from './model-options.js';

const HELP = `skagent serve — recognise actions over HTTP and WebSocket with exported models

Usage: skagent serve <model.onnx...> [--host 127.0.0.1] [--port 8080] [--concurrency 2] [--queue 32]

  <model.onnx...>   one model, or several for an ensemble (from 'skagent export')
  --host H          address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)
  --port N          port (default 8080; 0 picks a free one)
  --concurrency N   recognitions running at once, shared by all clients (default 2)
  --queue N         recognitions waiting before the server answers 503 (default 32)
  --max-body BYTES  largest request body / WebSocket message (default 8388608)
${modelOptionsHelp}

Endpoints:
  GET  /v1/health       models, layout, classes, pool load
  POST /v1/recognize    JSON poses (as 'skagent predict' reads; optional "top") → { top, tracks, frames }
  WS   /v1/stream?window=W&stride=S&top=K
                        one live stream per connection: send one frame per message
                        ({ "t": seconds, "people": [{ "id": 1, "keypoints": [[x, y, score], ...] }] });
                        every S frames (at the model's rate) a { "type": "prediction", top, latencyMs }
                        reply; a bad frame gets { "type": "error", status, error } and the stream goes on.
                        W defaults to the model's clip length, S to W/4.

Bad input is a 4xx naming the field (400 not JSON, 413 too large, 422 poses that do not fit the
model); 503 with Retry-After when the pool is full. See docs/deploy.md.

Example:
  skagent serve ntu60_j.onnx ntu60_b.onnx --port 8080 --threads 2
  curl -s localhost:8080/v1/recognize -d @kinect.json`;

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Serve exported ONNX models over HTTP (recognize) and WebSocket (live streams)',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { ...MODEL_OPTIONS, host: { type: 'string' }, port: { type: 'string' }, concurrency: { type: 'string' }, queue: { type: 'string' }, 'max-body': { type: 'string' } },
    });
    if (positionals.length < 1) throw new UserError('expected <model.onnx...>', ExitCode.usage);
    const int = (v: string | undefined, name: string, fallback: number, min: number): number => {
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new UserError(`--${name}: expected an integer >= ${min}, got '${v}'`, ExitCode.usage);
      return n;
    };
    const port = int(values.port, 'port', 8080, 0);
    const concurrency = int(values.concurrency, 'concurrency', 2, 1);
    const queue = int(values.queue, 'queue', 32, 0);
    const maxBodyBytes = int(values['max-body'], 'max-body', 8 * 1024 * 1024, 1);
    const { rec, fps, poseOptions } = await loadModels(positionals, values);
    const server = new PoseServer({ recognizer: rec, fps, poseOptions, concurrency, queue, maxBodyBytes });
    let addr;
    try {
      addr = await server.listen(port, values.host ?? '127.0.0.1');
    } catch (err) {
      await rec.dispose();
      throw new UserError(`cannot listen on ${values.host ?? '127.0.0.1'}:${port}: ${(err as Error).message}`, ExitCode.environment);
    }
    process.stdout.write(`serving ${positionals.join(', ')} (${rec.layout}, ${rec.numClasses} classes) on http://${addr.address}:${addr.port} — POST /v1/recognize, WS /v1/stream, GET /v1/health\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await rec.dispose();
    return ExitCode.ok;
  },
};
