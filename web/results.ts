/**
 * Results: a test run's confusion matrix (hover for counts, click a cell for its samples),
 * per-class accuracy sorted, most-confused pairs, and ensembles of several results.
 */
import { type Catalog, type EnsembleView, type ResultView, api, isReport } from './api';
import { clear, h, notice, pct, select } from './dom';

export type OpenSample = (frameDir: string, annotations: string | null, split: string | null) => void;

function confusionTable(r: ResultView, onCell: (t: number, p: number) => void): HTMLTableElement {
  const max = Math.max(1, ...r.confusion.flat());
  const short = (c: number) => String(c);
  const head = h('tr', {}, h('th', { class: 'corner' }, 'true \\ pred'), ...r.confusion.map((_, p) => h('th', { title: r.classNames[p] }, short(p))));
  const rows = r.confusion.map((row, t) => h('tr', {}, h('th', { title: r.classNames[t] }, `${t} ${r.classNames[t]}`),
    ...row.map((n, p) => {
      const alpha = n === 0 ? 0 : 0.15 + 0.85 * (n / max);
      const color = t === p ? `rgba(31,119,180,${alpha})` : `rgba(214,39,40,${alpha})`;
      return h('td', {
        'data-t': t, 'data-p': p, 'data-count': n, class: n > 0 ? 'cell hit' : 'cell',
        title: `true ${r.classNames[t]} → predicted ${r.classNames[p]}: ${n} sample${n === 1 ? '' : 's'}`,
        style: { background: color, color: alpha > 0.6 ? '#fff' : '#222' },
        onclick: () => onCell(t, p),
      }, n > 0 ? String(n) : '');
    })));
  return h('table', { class: 'confusion', id: 'confusion' }, h('thead', {}, head), h('tbody', {}, ...rows));
}

export class ResultsView {
  readonly root = h('div', { class: 'view', id: 'view-results' });
  private current: string | null = null;

  constructor(private readonly catalog: Catalog, private readonly openSample: OpenSample) {}

  async show(id?: string): Promise<void> {
    const results = this.catalog.entries.filter((e) => e.kind === 'result');
    if (results.length === 0) { clear(this.root, notice('info', 'No test results (folders with scores.npy and labels.npy) under the served paths.')); return; }
    this.current = id ?? this.current ?? results[0].id;
    const body = h('div', { id: 'result-body' });
    clear(this.root, h('div', { class: 'picker' }, h('b', {}, 'result: '),
      select(results.map((r) => ({ value: r.id, label: r.name })), this.current, (v) => void this.show(v), { id: 'result-select' })), body);
    const r = await api<ResultView>('result', { id: this.current });
    const samples = h('div', { id: 'cell-samples', class: 'samples' }, 'Click a cell to list its samples.');
    const onCell = (t: number, p: number) => {
      const idx = r.labels.flatMap((l, i) => (l === t && r.predictions[i] === p ? [i] : []));
      clear(samples, h('b', {}, `${idx.length} sample(s): true ${r.classNames[t]}, predicted ${r.classNames[p]}`),
        h('ul', {}, ...idx.slice(0, 200).map((i) => {
          const id = r.sampleIds?.[i];
          return h('li', {}, `#${i} `, id && !isReport()
            ? h('a', { href: '#', onclick: (ev: Event) => { ev.preventDefault(); this.openSample(id, r.info.annotations, r.info.split); } }, id)
            : id ?? '');
        })));
    };
    const perClass = h('table', { class: 'perclass', id: 'per-class' },
      h('tr', {}, h('th', {}, 'class'), h('th', {}, 'accuracy'), h('th', {}, 'samples')),
      ...r.perClass.map((c) => h('tr', {}, h('td', {}, `${c.cls} ${r.classNames[c.cls]}`),
        h('td', {}, h('div', { class: 'bar', style: { width: `${Math.round(120 * c.accuracy)}px` } }), ' ', pct(c.accuracy, 1)),
        h('td', {}, String(c.count)))));
    const pairs = h('table', { class: 'pairs', id: 'confused-pairs' },
      h('tr', {}, h('th', {}, 'true'), h('th', {}, 'predicted as'), h('th', {}, 'samples')),
      ...r.confusedPairs.map((c) => h('tr', {}, h('td', {}, r.classNames[c.trueClass]), h('td', {}, r.classNames[c.predicted]), h('td', {}, String(c.count)))));
    clear(body,
      h('div', { class: 'summary', id: 'result-summary' },
        `${r.numSamples} samples, ${r.numClasses} classes — top-1 ${pct(r.top1)}, top-5 ${pct(r.top5)}, mean class accuracy ${pct(r.meanClassAccuracy)}`,
        r.info.config ? ` — ${r.info.config}` : '', r.info.split ? ` [${r.info.split}]` : '', r.info.numClips ? `, ${r.info.numClips} clips` : ''),
      ...r.problems.map((p) => notice('warn', p)),
      h('div', { class: 'row' },
        h('div', {}, h('h3', {}, 'Confusion matrix'), h('div', { class: 'scroll' }, confusionTable(r, onCell)), samples),
        h('div', {}, h('h3', {}, 'Per-class accuracy (worst first)'), perClass, h('h3', {}, 'Most confused pairs'), pairs)),
      isReport() ? null : this.ensemblePanel(results.map((e) => ({ id: e.id, name: e.name }))));
  }

  private ensemblePanel(results: { id: string; name: string }[]): HTMLElement {
    const boxes = (group: string) => results.map((r) => h('label', { class: 'chk' }, h('input', { type: 'checkbox', name: group, value: r.id }), ' ', r.name));
    const out = h('div', { id: 'ensemble-out' });
    const weights = h('input', { type: 'text', id: 'ensemble-weights', placeholder: 'weights, e.g. 2,1 (optional)', size: 24 });
    const picked = (group: string) => [...this.root.querySelectorAll<HTMLInputElement>(`input[name=${group}]:checked`)].map((b) => b.value);
    const run = async () => {
      const test = picked('ens-test');
      if (test.length === 0) { clear(out, notice('warn', 'choose at least one test result')); return; }
      clear(out, 'computing…');
      try {
        const params: Record<string, string> = { test: test.join(','), val: picked('ens-val').join(',') };
        if (weights.value.trim()) params.weights = weights.value.replace(/\s/g, '');
        const e = await api<EnsembleView>('ensemble', params);
        clear(out, h('table', { class: 'pairs', id: 'ensemble-table' },
          h('tr', {}, h('th', {}, 'stream / fusion'), h('th', {}, 'weights'), h('th', {}, `top-1 (test, ${e.numSamples} samples)`)),
          ...e.streams.map((s) => h('tr', {}, h('td', {}, `${s.name}${s.modality ? ` (${s.modality})` : ''}`), h('td', {}, '—'), h('td', {}, pct(s.top1)))),
          ...e.fusions.map((f) => h('tr', {}, h('td', {}, h('b', {}, f.name)), h('td', {}, f.weights.join(' : ')), h('td', {}, pct(f.top1)))),
          e.search ? h('tr', { class: 'search' }, h('td', {}, h('b', {}, 'searched on validation')), h('td', {}, e.search.weights.join(' : ')),
            h('td', {}, `${pct(e.search.testTop1)} (validation ${pct(e.search.valTop1)}, ${e.search.evaluated} fusions tried)`)) : null));
      } catch (err) {
        clear(out, notice('error', (err as Error).message));
      }
    };
    return h('div', { class: 'ensemble' }, h('h3', {}, 'Ensemble'),
      h('div', {}, h('b', {}, 'test streams: '), ...boxes('ens-test')),
      h('div', {}, h('b', {}, 'validation scores for the weight search (same order, optional): '), ...boxes('ens-val')),
      h('div', {}, weights, ' ', h('button', { id: 'ensemble-run', onclick: () => void run() }, 'Compare')), out);
  }
}
