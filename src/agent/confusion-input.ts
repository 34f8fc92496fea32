/**
 * Confusion matrices handed to `skagent agent refine`: `[true][pred]` counts from the `metrics.json`
 * of `skagent test` (key `confusion_matrix`, a nested array) or from a 2-D `.npy` file.
 */
import { readFileSync } from 'node:fs';
import { readNpy } from '../io/npy.js';

export function readConfusionMatrix(path: string): number[][] {
  if (path.endsWith('.npy')) {
    const arr = readNpy(path);
    if (arr.shape.length !== 2 || arr.shape[0] !== arr.shape[1]) {
      throw new Error(`${path}: expected a square 2-D [true][pred] array, got shape [${arr.shape.join(', ')}]`);
    }
    const n = arr.shape[0];
    const values = Array.from(arr.data as ArrayLike<number | bigint>, Number);
    return Array.from({ length: n }, (_, a) => values.slice(a * n, (a + 1) * n));
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read '${path}' as JSON: ${(err as Error).message}`);
  }
  const matrix = (json as { confusion_matrix?: unknown })?.confusion_matrix;
  if (!Array.isArray(matrix) || !matrix.every((row) => Array.isArray(row) && row.every((v) => typeof v === 'number'))) {
    throw new Error(`${path}: expected a field "confusion_matrix" holding a nested array of numbers [true][pred]`);
  }
  return matrix as number[][];
}
