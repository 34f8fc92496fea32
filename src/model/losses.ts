/**
 * The training losses (skeletonagent/models/heads/base.py, skeletonagent/models/losses/):
 * cross-entropy on the un-mixed half, soft-label cross-entropy on the mixed half, the constraint
 * cross-entropy on x1, and the symmetric KL alignment between skeleton embeddings x2 and
 * class-description text embeddings.
 */
import { Tensor, tidy, F } from '../torch/index.js';

export interface LossWeights {
  /** weight_1: the local joint-constraint loss. */
  constraint: number;
  /** weight_2: the global alignment loss. */
  align: number;
}

export interface LossTerms {
  ce: Tensor;
  mix: Tensor;
  cls: Tensor;
  constraint: Tensor;
  alignSkeleton: Tensor;
  alignText: Tensor;
  align: Tensor;
  total: Tensor;
  logitsPerSkeleton: Tensor;
  logitsPerText: Tensor;
}

/** −mean_i Σ_c target[i,c] · log_softmax(logits)[i,c] */
export function softCrossEntropy(logits: Tensor, target: Tensor): Tensor {
  return tidy(() => logits.logSoftmax(1).mul(target).sum(1).mean().neg());
}

/** Row-wise x / ‖x‖ (no epsilon, as the original). */
function l2rows(x: Tensor): Tensor {
  return tidy(() => x.div(x.norm(2, 1, true)));
}

/**
 * KLLoss: KLDivLoss(reduction='sum')(log_softmax(logits), softmax(10·G)) / N, where G[i,j] is
 * 1 when samples i and j share a label.
 */
export function klAlignLoss(logits: Tensor, sameLabel: Tensor): Tensor {
  return tidy(() => {
    const q = sameLabel.mul(10).softmax(1);
    return F.klDiv(logits.logSoftmax(1), q, 'sum').div(logits.shape[1]);
  });
}

/**
 * All loss terms. `logits` [2N, Cls] are the classifier outputs of the original and mixed halves;
 * `x1`, `x2` the first N rows' auxiliary outputs; `textEmbedding` [N, D] the current description
 * embedding of each sample's class; `logitScale` the raw [1, 1] parameter (not exponentiated).
 */
export function trainingLosses(o: {
  logits: Tensor; mixLabels: Tensor; x1: Tensor; x2: Tensor; textEmbedding: Tensor; logitScale: Tensor; labels: Tensor; weights: LossWeights;
}): LossTerms {
  return tidy(() => {
    const N = o.labels.shape[0];
    const [z, zMix] = o.logits.split(N, 0);
    const ce = F.crossEntropy(z, o.labels);
    const mix = softCrossEntropy(zMix, o.mixLabels);
    const cls = ce.add(mix);
    const constraint = F.crossEntropy(o.x1, o.labels);
    const scale = o.logitScale.select(1, 0).mean();
    const a = l2rows(o.x2);
    const t = l2rows(o.textEmbedding);
    const logitsPerSkeleton = a.matmul(t.transpose(0, 1)).mul(scale);
    const logitsPerText = t.matmul(a.transpose(0, 1)).mul(scale);
    const same = o.labels.view(N, 1).eq(o.labels.view(1, N)).to('float32');
    const alignSkeleton = klAlignLoss(logitsPerSkeleton, same);
    const alignText = klAlignLoss(logitsPerText, same);
    const align = alignSkeleton.add(alignText).div(2);
    const total = cls.add(constraint.mul(o.weights.constraint)).add(align.mul(o.weights.align));
    return { ce, mix, cls, constraint, alignSkeleton, alignText, align, total, logitsPerSkeleton, logitsPerText };
  });
}
