/**
 * Text embeddings read from a `.npy` file [classes, dim] (e.g. computed offline by a large text
 * model). The rows are fixed: description updates by the Questioner do not change them.
 */
import { readNpy } from '../io/npy.js';
import { Tensor, fromNdArray, tidy, keep } from '../torch/index.js';
import { type TextEncoder, distinctClasses, classIndexTensor } from './encoder.js';

const FLOAT_DTYPES = ['float16', 'float32', 'float64'];

export class FileTextEncoder implements TextEncoder {
  readonly trainable = false;
  readonly followsDescriptions = false;
  readonly module = null;
  readonly dim: number;
  readonly numClasses: number;
  readonly name: string;
  private readonly table: Tensor;

  constructor(readonly path: string, o: { device?: string } = {}) {
    const arr = readNpy(path);
    if (arr.shape.length !== 2 || !FLOAT_DTYPES.includes(arr.dtype)) {
      throw new Error(`${path}: text embeddings must be a 2-D float array [classes, dim], got ${arr.dtype} [${arr.shape.join(', ')}]`);
    }
    [this.numClasses, this.dim] = arr.shape;
    this.name = `text embeddings from ${path} (${this.numClasses} × ${this.dim})`;
    this.table = keep(tidy(() => fromNdArray(arr).to('float32').to(o.device ?? 'cpu')));
  }

  embed(classIndices: readonly number[] | Int32Array, descriptions: readonly string[], indices?: Tensor): Tensor {
    if (descriptions.length !== this.numClasses) {
      throw new Error(`${this.path}: has ${this.numClasses} rows but the dataset has ${descriptions.length} classes`);
    }
    distinctClasses(classIndices, this.numClasses);
    return tidy(() => this.table.indexSelect(0, classIndexTensor(classIndices, this.table.device, indices)));
  }

  parameters(): Tensor[] { return []; }
  dispose(): void { this.table.dispose(); }
}
