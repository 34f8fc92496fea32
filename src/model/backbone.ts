/**
 * The two backbones (skeletonagent/models/gcns/module.py): GCN_Module_LLM (joint embedding + "MVC"
 * data BN + 9 blocks) and GCN_Module_LLM_K400 ("VC" data BN on raw coordinates + 10 blocks), both
 * with the local joint-constraint branch (x1) and the alignment branch (x2).
 */
import { Tensor, tidy, empty, full, nn, type MemoryFormat } from '../torch/index.js';
import { GcnBlock } from './block.js';
import { TEXT_ENCODERS_MODULE } from '../text/encoder.js';

export type BackboneVariant = 'GCN_Module_LLM' | 'GCN_Module_LLM_K400';

export interface BackboneOptions {
  variant: BackboneVariant;
  numClasses: number;
  numJoints: number;
  /** Initial graph [8, V, V]; every block gets its own learnable copy. */
  graph: Tensor;
  /** Critical-joint tensor [Cls, V, V] (fixed; loaded from the Selector's .npy). */
  examplar: Tensor;
  inChannels?: number;
  baseChannels?: number;
  numStages?: number;
  inflateStages?: readonly number[];
  downStages?: readonly number[];
  numPerson?: number;
  /** Width of the text-embedding space the alignment branch projects into (CLIP: 512). */
  textEmbedDim?: number;
  /** Key of the text encoder and linear head ModuleDicts (the original's literal 'ViT-B/32'). */
  textKey?: string;
  /** Memory layout of the block activations (default 'auto'; see Backbone.memoryFormat). */
  memoryFormat?: MemoryFormat | 'auto';
}

export interface BackboneOutput {
  /** Feature map [N, M, C, T', V]. */
  features: Tensor;
  /** Local joint-constraint logits [N, Cls]. */
  x1: Tensor;
  /** Alignment embedding [N, textEmbedDim]. */
  x2: Tensor;
}

/** ln(1/0.07): the raw (never exponentiated) alignment scale the original starts from. */
export const INITIAL_LOGIT_SCALE = Math.log(1 / 0.07);

export class Backbone extends nn.Module {
  readonly variant: BackboneVariant;
  readonly numJoints: number;
  readonly numPerson: number;
  readonly baseChannels: number;
  readonly outChannels: number;
  readonly textKey: string;
  readonly dataBn: nn.BatchNorm1d;
  readonly jointEmbedding: nn.Linear | null;
  readonly directFc: nn.Conv2d;
  readonly linearHead: nn.ModuleDict<nn.Linear>;
  readonly textEncoders: nn.ModuleDict;
  readonly blocks: nn.ModuleList<GcnBlock>;
  /**
   * Memory layout of the activations inside the blocks. 'auto' is channels-last on CPU, where
   * libtorch's oneDNN convolutions then skip the reorders to and from their blocked layout
   * (figures in docs/performance.md), and
   * the original's contiguous layout elsewhere. Both compute the same function; they differ
   * in rounding only (test/model/memory-format.test.ts).
   */
  memoryFormat: MemoryFormat | 'auto';

  constructor(o: BackboneOptions) {
    super();
    this.memoryFormat = o.memoryFormat ?? 'auto';
    this.variant = o.variant;
    this.numJoints = o.numJoints;
    this.numPerson = o.numPerson ?? 2;
    this.baseChannels = o.baseChannels ?? 96;
    this.textKey = o.textKey ?? 'ViT-B/32';
    const inChannels = o.inChannels ?? 3;
    const numStages = o.numStages ?? 10;
    const inflate = o.inflateStages ?? [5, 8];
    const down = o.downStages ?? [5, 8];
    const V = o.numJoints;
    const C0 = this.baseChannels;
    const isK400 = o.variant === 'GCN_Module_LLM_K400';
    if (o.examplar.ndim !== 3 || o.examplar.shape[0] !== o.numClasses || o.examplar.shape[1] !== V || o.examplar.shape[2] !== V) {
      throw new RangeError(`backbone: critical-joint tensor must be [${o.numClasses}, ${V}, ${V}], got [${o.examplar.shape.join(', ')}]`);
    }

    this.param('examplar', o.examplar.to('float32'), false);
    if (!isK400) this.param('pos_embedding', nn.init.normal_(empty([1, V, C0])));
    this.param('logit_scale', full([1, 1], INITIAL_LOGIT_SCALE));
    this.dataBn = this.module('data_bn', new nn.BatchNorm1d(isK400 ? inChannels * V : this.numPerson * C0 * V));
    this.jointEmbedding = isK400 ? null : this.module('to_joint_embedding', new nn.Linear(inChannels, C0));

    // Stage plan of the original's module.py.
    const plan: { inC: number; outC: number; stride: number; residual: boolean }[] = [];
    if (isK400) plan.push({ inC: inChannels, outC: C0, stride: 1, residual: false });
    let inflateTimes = 0;
    let inC = C0;
    for (let i = 2; i <= numStages; i++) {
      const stride = down.includes(i) ? 2 : 1;
      if (inflate.includes(i)) inflateTimes++;
      const outC = Math.trunc(C0 * 2 ** inflateTimes + 1e-4);
      plan.push({ inC, outC, stride, residual: true });
      inC = outC;
    }
    this.outChannels = inC;
    this.directFc = this.module('direct_fc', new nn.Conv2d(inC, 1, 1));
    const head = new nn.Linear(inC, o.textEmbedDim ?? 512);
    nn.init.kaimingNormalFanOut_(head.weight);
    nn.init.constant_(head.bias!, 0);
    this.linearHead = this.module('linear_head', new nn.ModuleDict({ [this.textKey]: head }));
    this.textEncoders = this.module(TEXT_ENCODERS_MODULE, new nn.ModuleDict());
    this.blocks = this.module('gcn', new nn.ModuleList<GcnBlock>());
    for (const p of plan) this.blocks.push(new GcnBlock(p.inC, p.outC, o.graph.clone(), { stride: p.stride, residual: p.residual }));
  }

  get examplar(): Tensor { return this.getParam('examplar')!; }
  get logitScale(): Tensor { return this.getParam('logit_scale')!; }
  /** Positional embedding [1, V, C0] (GCN_Module_LLM only). */
  get posEmbedding(): Tensor | null { return this.getParam('pos_embedding'); }

  /** Installs a text encoder under model_text_dict[textKey] (its keys join the state dict). */
  setTextEncoder(encoder: nn.Module): void { this.textEncoders.set(this.textKey, encoder); }

  /** x [N, M, T, V, C] → features, x1, x2. */
  forward(x: Tensor): BackboneOutput {
    return tidy(() => {
      const [N, M, T, V, C] = x.shape;
      if (V !== this.numJoints) throw new RangeError(`backbone: input has ${V} joints, the model expects ${this.numJoints} (input [${x.shape.join(', ')}])`);
      let h = this.variant === 'GCN_Module_LLM_K400' ? this.embedK400(x, N, M, T, V, C) : this.embedJoints(x, N, M, T, V, C);
      // Every op of the blocks keeps the layout it is given.
      const format = this.memoryFormat === 'auto' ? (h.device === 'cpu' ? 'channels_last' : 'contiguous') : this.memoryFormat;
      if (format === 'channels_last') h = h.contiguous('channels_last');
      for (const block of this.blocks) {
        const next = block.forward(h);
        h.dispose();
        h = next;
      }
      const [, Cf, Tf] = h.shape;
      return {
        features: h.view(N, M, Cf, Tf, V),
        x1: this.constraintLogits(h, N, M),
        x2: this.linearHead.get(this.textKey).forward(h.mean([2, 3]).view(N, M, Cf).mean(1)),
      };
    });
  }

  /** GCN_Module_LLM: Linear(3→96) per joint + pos_embedding, BN over (M, V, C), → [N·M, C, T, V]. */
  private embedJoints(x: Tensor, N: number, M: number, T: number, V: number, C: number): Tensor {
    const C0 = this.baseChannels;
    // In place: the linear layer's backward does not need its output.
    const e = this.jointEmbedding!.forward(x.reshape(N * M * T, V, C)).add_(this.getParam('pos_embedding')!.narrow(1, 0, V));
    const bnIn = e.view(N, M, T, V, C0).permute(0, 1, 3, 4, 2).reshape(N, M * V * C0, T);
    return this.dataBn.forward(bnIn).view(N, M, V, C0, T).permute(0, 1, 3, 4, 2).reshape(N * M, C0, T, V);
  }

  /** GCN_Module_LLM_K400: BN over (V, C) of the raw input, → [N·M, C, T, V]. */
  private embedK400(x: Tensor, N: number, M: number, T: number, V: number, C: number): Tensor {
    const bnIn = x.permute(0, 1, 3, 4, 2).reshape(N * M, V * C, T);
    return this.dataBn.forward(bnIn).view(N * M, V, C, T).permute(0, 2, 3, 1).contiguous();
  }

  /**
   * x1 (step 6 of GCN_Module_LLM.forward) in its closed form: direct_fc is linear, so
   * x1[n,k] = b + (1/V) Σ_v s[n,v] Σ_u examplar[k,v,u] with s = w·mean_T(f); this avoids the
   * [N·M, C, Cls, V] intermediate of the original (and its memory traffic).
   */
  private constraintLogits(f: Tensor, N: number, M: number): Tensor {
    const [NM, Cf, , V] = f.shape;
    const g = f.mean(2); // [N·M, C, V]
    const w = this.directFc.weight.view(1, 1, Cf); // [1, 1, C]
    const s = w.matmul(g).view(NM, V); // [N·M, V]
    const rowSums = this.examplar.sum(2); // [Cls, V]
    const z = s.matmul(rowSums.transpose(0, 1)).div(V).add(this.directFc.bias!);
    return z.view(N, M, -1).mean(1);
  }
}
