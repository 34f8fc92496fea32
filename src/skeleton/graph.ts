/**
 * Graph adjacency tensors (`Graph.A` of the original, skeletonagent/utils/graph.py). The configs
 * all use `mode='random'` (8 subsets drawn from numpy's global generator); the fixed modes are kept
 * for completeness of the layout definitions.
 */
import { type NdArray, ndarray } from '../io/ndarray.js';
import type { NumpyRandomState } from '../rng/numpy.js';
import { type JointPair, getLayout } from './layouts.js';

export const GRAPH_MODES = ['spatial', 'stgcn_spatial', 'binary_adj', 'random'] as const;
export type GraphMode = (typeof GRAPH_MODES)[number];

/** The `graph_cfg` of a config (keys as in the original; defaults are the constructor's). */
export interface GraphConfig {
  readonly layout: string;
  readonly mode?: string;
  readonly max_hop?: number;
  readonly nx_node?: number;
  readonly num_filter?: number;
  readonly init_std?: number;
  readonly init_off?: number;
}

/** V×V row-major matrix with A[j][i] = 1 for every link (i, j). */
export function edgeMatrix(links: readonly JointPair[], numNodes: number): Float64Array {
  const a = new Float64Array(numNodes * numNodes);
  for (const [i, j] of links) a[j * numNodes + i] = 1;
  return a;
}

/** Divides every non-empty column by its sum (`normalize_digraph(A, dim=0)`). */
export function normalizeDigraph(a: Float64Array, numNodes: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < numNodes; i++) {
    let sum = 0;
    for (let j = 0; j < numNodes; j++) sum += a[j * numNodes + i];
    if (sum <= 0) continue;
    const inv = sum ** -1;
    for (let j = 0; j < numNodes; j++) out[j * numNodes + i] = a[j * numNodes + i] * inv;
  }
  return out;
}

/**
 * Hop distance over the undirected graph of `edges` (row-major V×V): the smallest d <= maxHop
 * with a path of length d, else +Infinity (`get_hop_distance`).
 */
export function hopDistance(numNodes: number, edges: readonly JointPair[], maxHop = 1): Float64Array {
  const neighbours: number[][] = Array.from({ length: numNodes }, () => []);
  for (const [i, j] of edges) {
    neighbours[i].push(j);
    neighbours[j].push(i);
  }
  const hop = new Float64Array(numNodes * numNodes).fill(Infinity);
  for (let src = 0; src < numNodes; src++) {
    let frontier = [src];
    hop[src * numNodes + src] = 0;
    for (let d = 1; d <= maxHop && frontier.length > 0; d++) {
      const next: number[] = [];
      for (const u of frontier) {
        for (const v of neighbours[u]) {
          if (hop[src * numNodes + v] === Infinity) {
            hop[src * numNodes + v] = d;
            next.push(v);
          }
        }
      }
      frontier = next;
    }
  }
  return hop;
}

function stgcnSpatial(numNodes: number, center: number, hop: Float64Array, maxHop: number): Float64Array[] {
  const adj = new Float64Array(numNodes * numNodes);
  for (let k = 0; k < adj.length; k++) if (hop[k] <= maxHop) adj[k] = 1;
  const norm = normalizeDigraph(adj, numNodes);
  const subsets: Float64Array[] = [];
  for (let h = 0; h <= maxHop; h++) {
    const close = new Float64Array(numNodes * numNodes);
    const further = new Float64Array(numNodes * numNodes);
    for (let i = 0; i < numNodes; i++) {
      for (let j = 0; j < numNodes; j++) {
        if (hop[j * numNodes + i] !== h) continue;
        const target = hop[j * numNodes + center] >= hop[i * numNodes + center] ? close : further;
        target[j * numNodes + i] = norm[j * numNodes + i];
      }
    }
    subsets.push(close);
    if (h > 0) subsets.push(further);
  }
  return subsets;
}

/**
 * `Graph(**cfg).A` as float32 (the model stores it with `torch.tensor(A, dtype=float32)`), shape
 * [K, V·nx_node, V·nx_node]. `mode='random'` draws `randn(K, V', V') * init_std + init_off` from
 * `rng` (numpy's global generator at model construction: seed it first).
 */
export function buildGraph(cfg: GraphConfig, rng?: NumpyRandomState): NdArray<'float32'> {
  const layout = getLayout(cfg.layout, 'graph_cfg.layout');
  const mode = cfg.mode ?? 'spatial';
  const maxHop = cfg.max_hop ?? 1;
  const nxNode = cfg.nx_node ?? 1;
  const numFilter = cfg.num_filter ?? 3;
  const initStd = cfg.init_std ?? 0.02;
  const initOff = cfg.init_off ?? 0.04;
  if (!(GRAPH_MODES as readonly string[]).includes(mode)) {
    throw new Error(`graph_cfg.mode: unknown graph mode '${mode}' (expected one of ${GRAPH_MODES.join(', ')})`);
  }
  if (nxNode !== 1 && mode !== 'random') throw new Error(`graph_cfg.nx_node: can be > 1 only with mode 'random' (got ${nxNode})`);
  const v = layout.numJoints;

  let subsets: Float64Array[];
  let size = v;
  switch (mode as GraphMode) {
    case 'spatial':
      subsets = [
        edgeMatrix(Array.from({ length: v }, (_, i) => [i, i] as const), v),
        normalizeDigraph(edgeMatrix(layout.inward, v), v),
        normalizeDigraph(edgeMatrix(layout.inward.map(([i, j]) => [j, i] as const), v), v),
      ];
      break;
    case 'stgcn_spatial':
      subsets = stgcnSpatial(v, layout.center, hopDistance(v, layout.inward, maxHop), maxHop);
      break;
    case 'binary_adj':
      subsets = [edgeMatrix([...layout.inward, ...layout.inward.map(([i, j]) => [j, i] as const)], v)];
      break;
    case 'random': {
      if (!rng) throw new Error("graph_cfg.mode 'random' needs numpy's generator (pass the seeded NumpyRandomState)");
      size = v * nxNode;
      const g = rng.randn(numFilter, size, size);
      const out = new Float32Array(g.length);
      for (let k = 0; k < g.length; k++) out[k] = g[k] * initStd + initOff;
      return ndarray('float32', [numFilter, size, size], out);
    }
  }
  const out = new Float32Array(subsets.length * size * size);
  subsets.forEach((s, k) => out.set(s, k * size * size));
  return ndarray('float32', [subsets.length, size, size], out);
}
