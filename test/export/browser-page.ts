/**
 * The browser side of browser-runtime.test.ts, bundled with esbuild: the runtime as a web page
 * imports it, on onnxruntime-web's wasm backend (single-threaded: the test server sends no
 * cross-origin-isolation headers), exposed to the test as window.skagentRecognize.
 */
import { Recognizer, ort } from '../../src/runtime/browser.js';

declare global {
  interface Window {
    skagentRecognize(models: string[], keypoints: number[][][][]): Promise<{ scores: number[]; top: { index: number; label: string; score: number }[] }>;
    skagentBenchmark(model: string, dims: number[], iterations: number): Promise<{ msPerRun: number[] }>;
  }
}

ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;

window.skagentRecognize = async (models, keypoints) => {
  const rec = await Recognizer.load(models, { executionProviders: ['wasm'] });
  try {
    const out = await rec.recognize(keypoints);
    return { scores: Array.from(out.scores), top: out.top };
  } finally {
    await rec.dispose();
  }
};

window.skagentBenchmark = async (model, dims, iterations) => {
  const rec = await Recognizer.load(model, { executionProviders: ['wasm'] });
  try {
    const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37) * 0.8);
    await rec.runInput(0, data, dims);
    const msPerRun: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      await rec.runInput(0, data, dims);
      msPerRun.push(performance.now() - start);
    }
    return { msPerRun };
  } finally {
    await rec.dispose();
  }
};
