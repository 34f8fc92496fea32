/**
 * Data access for the page: the server's JSON API, or, in a report file, the data inlined at
 * build time under the same keys (so every view works offline from one HTML file).
 */
declare global {
  interface Window { SKAGENT_REPORT?: Record<string, unknown> }
}

export function apiKey(route: string, params: Record<string, string | number> = {}): string {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  return q ? `${route}?${q}` : route;
}

export const isReport = (): boolean => window.SKAGENT_REPORT !== undefined;

export async function api<T>(route: string, params: Record<string, string | number> = {}): Promise<T> {
  const key = apiKey(route, params);
  const report = window.SKAGENT_REPORT;
  if (report) {
    if (!(key in report)) throw new Error(`not in this report: ${key}`);
    return report[key] as T;
  }
  const res = await fetch(`/api/${key}`);
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

export interface CatalogEntry { id: string; kind: 'run' | 'result' | 'dataset' | 'model' | 'poses' | 'conversations'; name: string; root: number; rel: string; path: string }
export interface Catalog { roots: string[]; entries: CatalogEntry[] }

export interface RunLog {
  id: string; name: string; files: string[]; events: Record<string, unknown>[];
  problems: { file: string; line: number; problem: string }[]; size: number; modified: number; config: string | null;
}

export interface ResultView {
  id: string; name: string;
  info: { config: string | null; modality: string | null; annotations: string | null; split: string | null; numClips: number | null };
  numSamples: number; numClasses: number; classNames: string[]; top1: number; top5: number; meanClassAccuracy: number;
  confusion: number[][]; labels: number[]; predictions: number[];
  perClass: { cls: number; accuracy: number; count: number }[];
  confusedPairs: { trueClass: number; predicted: number; count: number }[];
  sampleIds: string[] | null; problems: string[];
}

export interface EnsembleView {
  numSamples: number;
  streams: { id: string; name: string; modality: string | null; top1: number }[];
  fusions: { name: string; weights: number[]; top1: number }[];
  search: { weights: number[]; valTop1: number; testTop1: number; evaluated: number } | null;
}

export interface Skeleton { shape: [number, number, number, number]; data: number[]; score: number[] | null; is3d: boolean }
export interface SampleView {
  frameDir: string; label: number; layout: string;
  layouts: { name: string; edges: [number, number][] }[];
  raw: Skeleton;
  pipeline: {
    config: string; mode: string; seed: number; layout: string; edges: [number, number][]; clips: Skeleton[];
    /** What the clips hold (src/viewer/datasets.ts PipelineFeature): joints, or vectors anchored on `joints`. */
    feature: { name: string; joints: Skeleton[] | null; pairs: [number, number][] | null };
  } | null;
}
export interface DatasetSummary { id: string; name: string; format: string; splits: { name: string; count: number }[]; numSamples: number; classNames: string[] }

export interface AgentHistory {
  folder: string | null; dataset: string | null; layout: string;
  classes: { index: number; name: string; file: string; rounds: { number: number; question: string; answer: string }[]; description: string; criticalJoints: number[] }[];
  refreshes: { epoch: number; updated: number[]; failed: number[]; confused: number[][] | null; descriptions: Record<string, string> | null }[];
  restPose: [number, number, number][]; edges: [number, number][]; problems: string[];
}
