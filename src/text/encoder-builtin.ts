/**
 * The built-in text encoder: needs no downloaded network weights (nor any file: with CLIP's BPE
 * vocabulary it uses BPE tokens, without it hashed words), is deterministic and runs in microseconds.
 *
 * A description becomes a bag of features: its tokens (unigrams) and adjacent token pairs
 * (bigrams, so that "left hand" and "right hand" differ), weighted by TF-IDF over the current
 * descriptions of all classes (words every description uses, "a person", count little). The bag
 * is projected to `dim` by a fixed random ±1/√dim matrix whose column for a feature is generated
 * from a hash of the feature (a random projection: the cosine of two embeddings approximates
 * that of their bags, so descriptions sharing words get similar embeddings), then L2-normalised.
 * Optionally a trainable linear layer (initialised to the identity) follows, letting the
 * alignment loss adapt the text side as the original's trained CLIP does.
 */
import { Tensor, tensor, tidy, keep, nn, noGrad, eye } from '../torch/index.js';
import { fnv1a, type TokenEncoder } from './word-tokens.js';
import { mulberry32 } from '../rng/mulberry32.js';
import { type TextEncoder, distinctClasses, classIndexTensor } from './encoder.js';

/** n-gram lengths over BPE tokens and their weights. */
const FEATURE_KINDS: readonly { n: number; weight: number }[] = [
  { n: 1, weight: 1 },
  { n: 2, weight: 0.5 },
];

export interface BuiltinTextEncoderOptions {
  dim: number;
  /** Adds the trainable dim×dim linear layer. Default false. */
  trainable?: boolean;
  /** Seed of the random projection. Default 0. */
  seed?: number;
  device?: string;
}

export class BuiltinTextEncoder implements TextEncoder {
  readonly followsDescriptions = true;
  readonly trainable: boolean;
  readonly dim: number;
  readonly name: string;
  /** `builtin_proj` (Linear dim→dim) when trainable. */
  readonly module: nn.ModuleDict<nn.Linear> | null;
  private readonly proj: nn.Linear | null;
  private readonly seed: number;
  private readonly device: string;
  private table: Tensor | null = null;
  private tableTexts: readonly string[] = [];

  constructor(private readonly tokenizer: TokenEncoder, o: BuiltinTextEncoderOptions) {
    if (!Number.isInteger(o.dim) || o.dim <= 0) throw new RangeError(`builtin text encoder: dim must be a positive integer, got ${o.dim}`);
    this.dim = o.dim;
    this.trainable = o.trainable ?? false;
    this.seed = o.seed ?? 0;
    this.device = o.device ?? 'cpu';
    this.name = `built-in hashed-token text encoder (dim ${this.dim}${this.trainable ? ', trainable linear layer' : ''})`;
    if (this.trainable) {
      const proj = new nn.Linear(this.dim, this.dim);
      noGrad(() => tidy(() => { proj.weight.copy_(eye(this.dim)); proj.bias!.zero_(); }));
      this.proj = proj;
      this.module = new nn.ModuleDict({ builtin_proj: proj });
      if (this.device !== 'cpu') this.module.to(this.device);
    } else {
      this.proj = null;
      this.module = null;
    }
  }

  embed(classIndices: readonly number[] | Int32Array, descriptions: readonly string[], indices?: Tensor): Tensor {
    distinctClasses(classIndices, descriptions.length);
    const table = this.update(descriptions);
    return tidy(() => {
      const rows = table.indexSelect(0, classIndexTensor(classIndices, this.device, indices));
      return this.proj ? this.proj.forward(rows) : rows;
    });
  }

  refresh(descriptions: readonly string[]): void { this.update(descriptions); }

  parameters(): Tensor[] { return this.module ? this.module.parameters() : []; }

  dispose(): void {
    this.table?.dispose();
    this.table = null;
    this.module?.dispose();
  }

  /** The fixed embeddings of every class; rebuilt when any description changed (IDF is shared). */
  private update(descriptions: readonly string[]): Tensor {
    const same = this.table && descriptions.length === this.tableTexts.length && descriptions.every((d, c) => d === this.tableTexts[c]);
    if (same) return this.table!;
    const values = hashedEmbeddings(descriptions.map((d) => this.tokenizer.encode(d)), this.dim, this.seed);
    this.table?.dispose();
    this.table = keep(tensor(values, [descriptions.length, this.dim], { device: this.device }));
    this.tableTexts = [...descriptions];
    return this.table;
  }
}

/**
 * L2-normalised random projections of the TF-IDF weighted n-gram bags of token sequences:
 * float32 [docs.length × dim], row-major. Pure and deterministic for a seed.
 */
function hashedEmbeddings(docs: readonly (readonly number[])[], dim: number, seed: number): Float32Array {
  const bags = docs.map(featureCounts);
  const docFreq = new Map<string, number>();
  for (const bag of bags) for (const f of bag.keys()) docFreq.set(f, (docFreq.get(f) ?? 0) + 1);
  const out = new Float32Array(docs.length * dim);
  const acc = new Float64Array(dim);
  const signs = new Int8Array(dim);
  bags.forEach((bag, d) => {
    acc.fill(0);
    for (const [feature, { count, weight }] of bag) {
      // Smoothed IDF, as scikit-learn's TfidfVectorizer; sublinear term frequency.
      const idf = Math.log((1 + docs.length) / (1 + docFreq.get(feature)!)) + 1;
      const w = weight * (1 + Math.log(count)) * idf;
      featureSigns(feature, seed, signs);
      for (let j = 0; j < dim; j++) acc[j] += w * signs[j];
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += acc[j] * acc[j];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) out[d * dim + j] = acc[j] * scale;
  });
  return out;
}

function featureCounts(tokens: readonly number[]): Map<string, { count: number; weight: number }> {
  const bag = new Map<string, { count: number; weight: number }>();
  for (const { n, weight } of FEATURE_KINDS) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = `${n}:${tokens.slice(i, i + n).join(',')}`;
      const entry = bag.get(key);
      if (entry) entry.count++;
      else bag.set(key, { count: 1, weight });
    }
  }
  return bag;
}

/** The feature's column of the projection, as ±1 (the 1/√dim factor cancels in the normalisation). */
function featureSigns(feature: string, seed: number, out: Int8Array): void {
  const next = mulberry32(fnv1a(`${seed}|${feature}`));
  let bits = 0;
  for (let j = 0; j < out.length; j++) {
    if (j % 32 === 0) bits = next();
    out[j] = (bits >>> (j % 32)) & 1 ? 1 : -1;
  }
}
