/**
 * `skagent report`: one self-contained HTML file over a work dir — the viewer's page with its
 * script, styles and the data of every run and result inlined (no request leaves the file) —
 * and the same curves, confusion matrices and per-class accuracies as SVG figures for a paper.
 */
import { existsSync, readFileSync } from 'node:fs';
import { WEB_DIR } from './server.js';
import { buildCatalog } from './catalog.js';
import { DatasetCache } from './datasets.js';
import { confusionFigure, lineChart, perClassFigure, type Series } from './figures.js';
import { type ResultView, readResult } from './results.js';
import { type RunLog, readRunLog } from './run-log.js';
import { ServedRoots } from './safe-path.js';

export interface Report {
  readonly html: string;
  /** File name → SVG text. */
  readonly figures: Map<string, string>;
  readonly runs: number;
  readonly results: number;
}

/** The key the page asks its data by (web/api.ts `apiKey`). */
function key(route: string, params: Record<string, string> = {}): string {
  const q = new URLSearchParams(params).toString();
  return q ? `${route}?${q}` : route;
}

const slug = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'run';

function series(runs: readonly { name: string; log: RunLog }[], mode: string, x: string, fields: readonly [string, string][]): Series[] {
  return runs.flatMap(({ name, log }) => fields.map(([field, label], i) => ({
    label: runs.length > 1 ? `${name}: ${label}` : label, dashed: i > 0,
    points: log.events.filter((e) => e.mode === mode && typeof e[x] === 'number' && typeof e[field] === 'number').map((e) => [e[x] as number, e[field] as number] as const),
  }))).filter((s) => s.points.length > 0);
}

export function buildReport(workDir: string): Report {
  const roots = new ServedRoots([workDir]);
  const catalog = buildCatalog(roots).filter((e) => e.kind === 'run' || e.kind === 'result');
  const data: Record<string, unknown> = { [key('catalog')]: { roots: roots.roots, entries: catalog } };
  const figures = new Map<string, string>();
  const datasets = new DatasetCache();
  const runs: { name: string; log: RunLog }[] = [];
  try {
    for (const e of catalog) {
      if (e.kind === 'run') {
        const log = readRunLog(e.path);
        data[key('run', { id: e.id })] = { id: e.id, name: e.name, ...log };
        runs.push({ name: e.name, log });
      } else {
        const r: ResultView = readResult(e.path, (ann, split) => (existsSync(ann) ? datasets.frameDirs(ann, split ?? undefined) : null));
        data[key('result', { id: e.id })] = { id: e.id, name: e.name, ...r };
        const title = `${e.name}: top-1 ${(100 * r.top1).toFixed(2)}%`;
        figures.set(`confusion_${slug(e.name)}.svg`, confusionFigure({ title: `Confusion matrix — ${title}`, matrix: r.confusion, classNames: r.classNames }));
        figures.set(`per_class_${slug(e.name)}.svg`, perClassFigure({ title: `Per-class accuracy — ${e.name}`, rows: r.perClass.map((c) => ({ name: r.classNames[c.cls], accuracy: c.accuracy, count: c.count })) }));
      }
    }
  } finally {
    datasets.close();
  }
  if (runs.length > 0) {
    const charts: [string, string, string, string, [string, string][]][] = [
      ['loss.svg', 'Training loss', 'train', 'iter', [['loss', 'loss']]],
      ['train_accuracy.svg', 'Training accuracy', 'train', 'iter', [['top1_acc', 'top-1'], ['top5_acc', 'top-5']]],
      ['learning_rate.svg', 'Learning rate', 'train', 'iter', [['lr', 'lr']]],
      ['validation.svg', 'Validation accuracy', 'val', 'epoch', [['top1_acc', 'top-1'], ['top5_acc', 'top-5'], ['mean_class_accuracy', 'mean class acc.']]],
    ];
    for (const [file, title, mode, x, fields] of charts) {
      const s = series(runs, mode, x, fields);
      if (s.length > 0) figures.set(file, lineChart({ title, xLabel: x === 'iter' ? 'iteration' : 'epoch', yLabel: fields.length > 1 ? 'accuracy' : fields[0][1], series: s }));
    }
  }
  const asset = (name: string) => {
    const p = WEB_DIR + name;
    if (!existsSync(p)) throw new Error(`${p} is missing: build the page with 'npm run build' (scripts/build-web.mjs)`);
    return readFileSync(p, 'utf8');
  };
  // `<` escaped so no string in the data or the script can close the <script> element early.
  const inline = (text: string) => text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>SkeletonAgent report — ${roots.roots[0].replace(/[<&]/g, '')}</title>
<style>${asset('app.css').replace(/<\//g, '<\\/')}</style>
</head>
<body>
<div id="app">loading…</div>
<script>window.SKAGENT_REPORT = ${json};</script>
<script type="module">${inline(asset('app.js'))}</script>
</body>
</html>
`;
  return { html, figures, runs: runs.length, results: catalog.length - runs.length };
}
