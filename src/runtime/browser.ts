/**
 * `skeletonagent/runtime` in browsers (and bundlers): the Recognizer on onnxruntime-web (wasm,
 * WebGPU where the browser has it), models fetched from URLs. Where onnxruntime-web finds its
 * .wasm files is set with `ort.env.wasm.wasmPaths` (re-exported here as `ort`).
 */
import * as ortWeb from 'onnxruntime-web';
import { Recognizer as CoreRecognizer, type ModelSource, type ModelSpec, type OrtModule, type RecognizerOptions, type RuntimeBackend } from './recognizer.js';

export * from './api.js';
export const ort = ortWeb;

const browserBackend: RuntimeBackend = {
  ort: ortWeb as unknown as OrtModule,
  async read(source: ModelSource): Promise<Uint8Array> {
    if (source instanceof Uint8Array) return source;
    if (source instanceof ArrayBuffer) return new Uint8Array(source);
    const url = source instanceof URL ? source.href : source;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: cannot fetch the model (HTTP ${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  },
  sessionOptions(o: RecognizerOptions): Record<string, unknown> {
    return { executionProviders: o.executionProviders ?? ['wasm'], graphOptimizationLevel: 'all' };
  },
};

export class Recognizer extends CoreRecognizer {
  /** Loads one model or an ensemble (URLs or bytes; weights per model optional). */
  static async load(models: ModelSource | ModelSpec | readonly (ModelSource | ModelSpec)[], opts: RecognizerOptions = {}): Promise<CoreRecognizer> {
    return CoreRecognizer.loadWith(browserBackend, models, opts);
  }
}
