/** A data-loading worker thread: runs the pipeline for the sample indices the main thread asks for. */
import { parentPort, workerData } from 'node:worker_threads';
import { SampleSource, type WorkerSourceSpec } from './samples.js';

interface Request { id: number; index: number; seed: number }

const source = SampleSource.forWorker(workerData as WorkerSourceSpec);
parentPort!.on('message', (req: Request) => {
  try {
    const s = source.get(req.index, req.seed);
    const data = s.keypoint.data;
    parentPort!.postMessage({ id: req.id, shape: s.keypoint.shape, data, label: s.label }, [data.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).message, exitCode: (err as { exitCode?: number }).exitCode });
  }
});
