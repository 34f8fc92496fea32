/**
 * The graph unit's per-channel adjacency product Y[b,t,j] = Σ_i P[b,t,i] · adj[b,i,j] for every
 * (sample, channel) b: n·K·m small [t, V] × [V, V] products.
 *
 * A batched matmul (the original's einsum) runs them through the system BLAS one by one; here
 * they run as one grouped 1×1 convolution instead (one group per (sample, channel), joints as
 * channels, time as the spatial axis), which oneDNN executes with its own GEMM kernels: faster forward + backward than bmm with the
 * reference BLAS Debian's libtorch links, for the cost of two transposing copies
 * (docs/performance.md).
 */
import { Tensor, tidy, F } from '../torch/index.js';

/** P [n, C, t, V], adj [n, C, V, V] → Y [n, C, t, V], contiguous in P's memory format. */
export function graphMatmul(P: Tensor, adj: Tensor): Tensor {
  return tidy(() => {
    const [n, C, t, v] = P.shape;
    const groups = n * C;
    const input = P.transpose(2, 3).reshape(1, groups * v, t, 1); // memory (b, i, t)
    const weight = adj.transpose(2, 3).reshape(groups * v, v, 1, 1); // group b: [j, i]
    const out = F.conv2d(input, weight, null, { groups }); // [1, b·j, t, 1]
    return out.view(n, C, v, t).transpose(2, 3).contiguous(P.isChannelsLast() ? 'channels_last' : 'contiguous');
  });
}
