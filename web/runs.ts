/**
 * Runs: training curves from the JSON-lines logs, several runs overlaid, polled so a training
 * run's curves grow while it writes. Per iteration: loss, top-1/top-5, learning rate (the logged
 * training events); per epoch: validation top-1/top-5/mean class accuracy and the mean training
 * loss of the epoch's logged iterations.
 */
import uPlot from 'uplot';
import { type Catalog, type RunLog, api, isReport } from './api';
import { clear, h, notice } from './dom';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export interface ChartSpec {
  id: string;
  title: string;
  x: 'iter' | 'epoch';
  /** [mode, field, label] per series of each run. */
  series: [string, string, string][];
  log?: boolean;
}

export const CHARTS: ChartSpec[] = [
  { id: 'loss', title: 'training loss (per logged iteration)', x: 'iter', series: [['train', 'loss', 'loss']] },
  { id: 'acc', title: 'training top-1 / top-5 (per logged iteration)', x: 'iter', series: [['train', 'top1_acc', 'top-1'], ['train', 'top5_acc', 'top-5']] },
  { id: 'lr', title: 'learning rate', x: 'iter', series: [['train', 'lr', 'lr']] },
  { id: 'val', title: 'validation (per epoch)', x: 'epoch', series: [['val', 'top1_acc', 'top-1'], ['val', 'top5_acc', 'top-5'], ['val', 'mean_class_accuracy', 'mean class acc']] },
  { id: 'epochloss', title: 'mean training loss per epoch', x: 'epoch', series: [['train-epoch', 'loss', 'loss']] },
];

/** Per-epoch means of the logged training values (what the text log's "epoch N: mean loss" reports over all iterations). */
function epochMeans(events: Record<string, unknown>[]): Record<string, unknown>[] {
  const by = new Map<number, { n: number; loss: number }>();
  for (const e of events) {
    if (e.mode !== 'train' || typeof e.epoch !== 'number' || typeof e.loss !== 'number') continue;
    const s = by.get(e.epoch) ?? { n: 0, loss: 0 };
    s.n++; s.loss += e.loss;
    by.set(e.epoch, s);
  }
  return [...by].map(([epoch, s]) => ({ mode: 'train-epoch', epoch, loss: s.loss / s.n }));
}

/** One chart's aligned data over the runs: x values (union, ascending) and one y array per (run, series). */
export function chartData(spec: ChartSpec, runs: RunLog[]): { x: number[]; ys: (number | null)[][]; labels: string[] } {
  const points: Map<number, number>[] = [];
  const labels: string[] = [];
  for (const run of runs) {
    const events = [...run.events, ...epochMeans(run.events)];
    for (const [mode, field, label] of spec.series) {
      const m = new Map<number, number>();
      for (const e of events) {
        const x = e[spec.x], y = e[field];
        if (e.mode === mode && typeof x === 'number' && typeof y === 'number') m.set(x, y);
      }
      points.push(m);
      labels.push(runs.length > 1 ? `${run.name}: ${label}` : label);
    }
  }
  const x = [...new Set(points.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  return { x, ys: points.map((m) => x.map((v) => m.get(v) ?? null)), labels };
}

function makeChart(el: HTMLElement, spec: ChartSpec, runs: RunLog[]): void {
  const { x, ys, labels } = chartData(spec, runs);
  const perRun = spec.series.length;
  const opts: uPlot.Options = {
    title: spec.title, width: Math.max(320, el.clientWidth || 560), height: 240,
    scales: { x: { time: false } },
    axes: [{ label: spec.x === 'iter' ? 'iteration' : 'epoch' }, {
      size: 64,
      // Learning rates span decades: scientific notation keeps the ticks distinct.
      ...(spec.id === 'lr' ? { values: (_u: uPlot, splits: number[]) => splits.map((v) => (v === 0 ? '0' : v.toExponential(1))) } : {}),
    }],
    series: [{ label: spec.x }, ...labels.map((label, i) => ({
      label, stroke: COLORS[Math.floor(i / perRun) % COLORS.length], width: 1.5, spanGaps: true,
      dash: i % perRun === 0 ? undefined : [[6, 3], [2, 3]][(i % perRun) - 1],
      points: { show: x.length < 40 },
    }))],
  };
  const chart = new uPlot(opts, [x, ...ys] as uPlot.AlignedData, el);
  (el as HTMLElement & { chart?: uPlot }).chart = chart;
}

export class RunsView {
  private selected: string[] = [];
  private runs = new Map<string, RunLog>();
  private timer: number | undefined;
  readonly root = h('div', { class: 'view', id: 'view-runs' });

  constructor(private readonly catalog: Catalog) {}

  async show(): Promise<void> {
    if (!isReport() && this.timer === undefined) {
      this.timer = window.setInterval(() => { if (this.root.isConnected) void this.poll(); }, 2000);
    }
    const runs = this.catalog.entries.filter((e) => e.kind === 'run');
    if (this.selected.length === 0) this.selected = runs.slice(0, 2).map((r) => r.id);
    if (runs.length === 0) { clear(this.root, notice('info', 'No training runs (folders with *.log.json) under the served paths.')); return; }
    const picker = h('div', { class: 'picker' }, h('b', {}, 'runs: '), ...runs.map((r) => h('label', {},
      h('input', { type: 'checkbox', value: r.id, checked: this.selected.includes(r.id), onchange: (ev: Event) => {
        const box = ev.target as HTMLInputElement;
        this.selected = box.checked ? [...this.selected, r.id] : this.selected.filter((id) => id !== r.id);
        void this.refresh(true);
      } }), ' ', r.name)));
    clear(this.root, picker, h('div', { id: 'run-status' }), h('div', { class: 'charts', id: 'charts' }));
    await this.refresh(true);
  }

  /** A run started after the page opened appears in the list; the selected runs' curves grow. */
  private async poll(): Promise<void> {
    const fresh = await api<Catalog>('catalog');
    const ids = (c: Catalog) => c.entries.filter((e) => e.kind === 'run').map((e) => e.id).join('\n');
    if (ids(fresh) !== ids(this.catalog)) {
      this.catalog.entries.splice(0, this.catalog.entries.length, ...fresh.entries);
      await this.show();
      return;
    }
    await this.refresh(false);
  }

  /** Re-reads the selected runs; redraws when one changed (or when forced). */
  async refresh(force: boolean): Promise<void> {
    let changed = force;
    for (const id of this.selected) {
      const run = await api<RunLog>('run', { id });
      const old = this.runs.get(id);
      if (!old || old.size !== run.size || old.problems.length !== run.problems.length) changed = true;
      this.runs.set(id, run);
    }
    if (!changed) return;
    const runs = this.selected.map((id) => this.runs.get(id)!).filter(Boolean);
    const status = this.root.querySelector('#run-status')!;
    clear(status, ...runs.map((r) => {
      const epochs = r.events.filter((e) => e.mode === 'val').length;
      const lastTrain = [...r.events].reverse().find((e) => e.mode === 'train');
      return h('div', { class: 'run-line' },
        h('b', {}, r.name), ` — ${r.config ?? 'config unknown'}; ${r.events.length} log entries; ${epochs} validations`,
        lastTrain ? `; last: epoch ${String(lastTrain.epoch)}, iteration ${String(lastTrain.iter)}` : '',
        ...r.problems.map((p) => notice('warn', `${p.file}${p.line ? `:${p.line}` : ''}: ${p.problem}`)));
    }));
    const charts = this.root.querySelector('#charts')!;
    clear(charts);
    for (const spec of CHARTS) {
      const el = h('div', { class: 'chart', id: `chart-${spec.id}` });
      charts.append(el);
      makeChart(el, spec, runs);
    }
  }
}
