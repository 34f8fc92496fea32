/**
 * The Live view's recogniser and the camera's pose estimator, bundled on their own
 * (scripts/build-web.mjs → dist/web/live-runtime.js) so the main page stays small and the report
 * never carries ONNX Runtime. Its .wasm files are served next to this script: nothing is fetched
 * from the internet.
 */
import { Recognizer, ort } from '../src/runtime/browser.js';
import { PoseEstimator, type PoseOrt } from '../src/live/pose-estimator.js';

// Only the .wasm is named: the JavaScript glue is bundled into this file already.
ort.env.wasm.wasmPaths = { wasm: new URL('./ort-wasm-simd-threaded.jsep.wasm', import.meta.url).href };
// Threads need cross-origin isolation, which a local viewer does not set up.
ort.env.wasm.numThreads = 1;

/** A COCO-17 pose model's bytes (from --pose-model or a file the user opened) on onnxruntime-web. */
export function loadPoseEstimator(model: Uint8Array, source: string): Promise<PoseEstimator> {
  return PoseEstimator.create(ort as unknown as PoseOrt, model, { source, sessionOptions: { executionProviders: ['wasm'] } });
}

export { Recognizer };
