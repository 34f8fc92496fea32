/** The page: a tab per view over the catalog of the served paths (or a report's inlined data). */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { type Catalog, api, isReport } from './api';
import { AgentView } from './agent';
import { DataView } from './data';
import { clear, h, notice } from './dom';
import { ResultsView } from './results';
import { RunsView } from './runs';
import { LiveView } from './live';

type Tab = 'runs' | 'results' | 'data' | 'agent' | 'live';

async function main(): Promise<void> {
  const app = document.getElementById('app')!;
  let catalog: Catalog;
  try {
    catalog = await api<Catalog>('catalog');
  } catch (err) {
    clear(app, notice('error', `cannot load the catalog: ${(err as Error).message}`));
    return;
  }
  const data = new DataView(catalog);
  const views = {
    runs: new RunsView(catalog),
    results: new ResultsView(catalog, (frameDir, ann, split) => {
      void data.openSample(frameDir, ann, split).then((ok) => { if (ok) void go('data', false); });
    }),
    data,
    agent: new AgentView(catalog),
    live: new LiveView(catalog),
  };
  const tabs: Tab[] = isReport() ? ['runs', 'results'] : ['runs', 'results', 'data', 'agent', 'live'];
  const nav = h('nav', {}, h('span', { class: 'brand' }, 'SkeletonAgent'),
    ...tabs.map((t) => h('a', { href: `#${t}`, id: `tab-${t}`, 'data-tab': t }, t[0].toUpperCase() + t.slice(1))));
  const main = h('main', {});
  clear(app, nav, main);
  const go = async (tab: Tab, render = true) => {
    nav.querySelectorAll('a').forEach((a) => a.classList.toggle('active', a.dataset.tab === tab));
    clear(main, views[tab].root);
    try {
      if (render) await views[tab].show();
    } catch (err) {
      views[tab].root.prepend(notice('error', (err as Error).message));
    }
    document.body.dataset.ready = tab;
  };
  const fromHash = (): Tab => (tabs.includes(location.hash.slice(1) as Tab) ? (location.hash.slice(1) as Tab) : 'runs');
  window.addEventListener('hashchange', () => void go(fromHash()));
  await go(fromHash());
}

void main();
