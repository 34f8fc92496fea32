/**
 * The Live view's recogniser, bundled on its own (scripts/build-web.mjs → dist/web/live-runtime.js)
 * so the main page stays small and the report never carries ONNX Runtime. Its .wasm files are
 * served next to this script: nothing is fetched from the internet.
 */
import { Recognizer, ort } from '../src/runtime/browser.js';

// Only the .wasm is named: the JavaScript glue is bundled into this file already.
ort.env.wasm.wasmPaths = { wasm: new URL('./ort-wasm-simd-threaded.jsep.wasm', import.meta.url).href };
// Threads need cross-origin isolation, which a local viewer does not set up.
ort.env.wasm.numThreads = 1;

export { Recognizer };
