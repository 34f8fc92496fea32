/** The random generators the original code uses, reproduced bit for bit. */
import { NumpyRandomState } from './numpy.js';
import { PythonRandom } from './python.js';

export { MT19937 } from './mt19937.js';
export { NumpyRandomState } from './numpy.js';
export { PythonRandom } from './python.js';
export { traceCalls, type RngCall } from './trace.js';

/**
 * The two global generators a pipeline draws from: numpy's (`np.random.*`) and Python's
 * (`random.*`). One per data-loading worker, like the original's per-process globals.
 */
export interface PipelineRng {
  readonly numpy: NumpyRandomState;
  readonly python: PythonRandom;
}

/**
 * Both generators seeded with the same value, as the original's `worker_init_fn` and
 * `set_random_seed` do (`np.random.seed(s); random.seed(s)`).
 */
export function createPipelineRng(seed = 0): PipelineRng {
  return { numpy: new NumpyRandomState(seed), python: new PythonRandom(seed) };
}
