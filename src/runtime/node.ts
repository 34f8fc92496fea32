/**
 * `skeletonagent/runtime` in Node: the Recognizer on onnxruntime-node (CPU), models read from
 * files. Imports neither libtorch nor the native addon.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { Recognizer as CoreRecognizer, type ModelSource, type ModelSpec, type OrtModule, type RecognizerOptions, type RuntimeBackend } from './recognizer.js';

export * from './api.js';

const nodeBackend: RuntimeBackend = {
  ort: ort as unknown as OrtModule,
  async read(source: ModelSource): Promise<Uint8Array> {
    if (source instanceof Uint8Array) return source;
    if (source instanceof ArrayBuffer) return new Uint8Array(source);
    try {
      return new Uint8Array(await readFile(source));
    } catch (err) {
      throw new Error(`${source instanceof URL ? source.href : source}: cannot read the model: ${(err as Error).message}`);
    }
  },
  sessionOptions(o: RecognizerOptions): Record<string, unknown> {
    return {
      executionProviders: o.executionProviders ?? ['cpu'],
      ...(o.threads ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {}),
      graphOptimizationLevel: 'all',
      // Idle pool threads sleep instead of spinning: on a shared or busy machine spinning
      // threads take the cores the working ones need.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    };
  },
};

export class Recognizer extends CoreRecognizer {
  /** Loads one model or an ensemble (paths, file: URLs or bytes; weights per model optional). */
  static async load(models: ModelSource | ModelSpec | readonly (ModelSource | ModelSpec)[], opts: RecognizerOptions = {}): Promise<CoreRecognizer> {
    return CoreRecognizer.loadWith(nodeBackend, models, opts);
  }
}
