/**
 * Data: samples of a dataset by split and class, the skeleton animated as stored and as the
 * model receives it after a config's pipeline (train mode shows the augmentations: random
 * clips, flips, part-drop; val/test the deterministic sampling), clip by clip.
 */
import { type Catalog, type DatasetSummary, type SampleView, type Skeleton, api } from './api';
import { clear, h, notice, select } from './dom';
import { SkeletonPlayer, type SkeletonVectors } from './skeleton';

interface State { id: string; split: string; cls: string; index: number; config: string; mode: string; seed: number; clip: number; layout: string | null }

export class DataView {
  readonly root = h('div', { class: 'view', id: 'view-data' });
  private state: State | null = null;
  private configs: string[] = [];
  private raw: SkeletonPlayer | null = null;
  private piped: SkeletonPlayer | null = null;

  constructor(private readonly catalog: Catalog) {}

  /** Opens the sample with this id (from the Results view), if its annotation file is served. */
  async openSample(frameDir: string, annotations: string | null, split: string | null): Promise<boolean> {
    const entry = this.catalog.entries.find((e) => e.kind === 'dataset' && e.path === annotations);
    if (!entry) return false;
    const rows = await api<{ index: number; frameDir: string; label: number }[]>('samples', { id: entry.id, split: split ?? '' });
    const row = rows.find((r) => r.frameDir === frameDir);
    if (!row) return false;
    this.state = { ...(this.state ?? this.defaults(entry.id)), id: entry.id, split: split ?? '', cls: '', index: row.index };
    await this.show();
    return true;
  }

  private defaults(id: string): State {
    return { id, split: '', cls: '', index: 0, config: '', mode: 'train', seed: 0, clip: 0, layout: null };
  }

  async show(): Promise<void> {
    const datasets = this.catalog.entries.filter((e) => e.kind === 'dataset');
    if (datasets.length === 0) { clear(this.root, notice('info', 'No annotation pickles or dataset stores under the served paths.')); return; }
    if (this.configs.length === 0) this.configs = await api<string[]>('configs');
    const st = this.state ??= this.defaults(datasets[0].id);
    const summary = await api<DatasetSummary>('dataset', { id: st.id });
    if (st.split === '' && summary.splits.length > 0) st.split = summary.splits[0].name;
    const rows = await api<{ index: number; frameDir: string; label: number }[]>('samples', { id: st.id, split: st.split });
    const shown = rows.filter((r) => st.cls === '' || String(r.label) === st.cls);
    const update = (patch: Partial<State>) => { Object.assign(st, patch); void this.show(); };
    const list = h('select', { size: 18, id: 'sample-list', class: 'samplelist', onchange: (ev: Event) => update({ index: Number((ev.target as HTMLSelectElement).value), clip: 0 }) },
      ...shown.map((r) => h('option', { value: r.index, selected: r.index === st.index }, `${r.frameDir} — ${r.label} ${summary.classNames[r.label] ?? ''}`)));
    const controls = h('div', { class: 'picker' },
      h('b', {}, 'dataset '), select(datasets.map((d) => ({ value: d.id, label: d.name })), st.id, (v) => { this.state = this.defaults(v); void this.show(); }, { id: 'dataset-select' }),
      h('b', {}, ' split '), select([{ value: '', label: '(all samples)' }, ...summary.splits.map((s) => ({ value: s.name, label: `${s.name} (${s.count})` }))], st.split, (v) => update({ split: v, index: 0 }), { id: 'split-select' }),
      h('b', {}, ' class '), select([{ value: '', label: '(all classes)' }, ...summary.classNames.map((n, i) => ({ value: String(i), label: `${i} ${n}` }))], st.cls, (v) => update({ cls: v }), { id: 'class-select' }),
      h('b', {}, ' pipeline '), select([{ value: '', label: '(none)' }, ...this.configs.map((c) => ({ value: c, label: c }))], st.config, (v) => update({ config: v, clip: 0 }), { id: 'config-select' }),
      select(['train', 'val', 'test'].map((m) => ({ value: m, label: `${m} mode` })), st.mode, (v) => update({ mode: v, clip: 0 }), { id: 'mode-select' }),
      h('b', {}, ' seed '), h('input', { type: 'number', value: st.seed, style: { width: '4em' }, onchange: (ev: Event) => update({ seed: Number((ev.target as HTMLInputElement).value) }) }));
    const stage = h('div', { class: 'stage' }, 'loading…');
    clear(this.root, controls, h('div', { class: 'row' }, list, stage));
    if (!shown.some((r) => r.index === st.index) && shown.length > 0) st.index = shown[0].index;
    if (shown.length === 0) { clear(stage, notice('info', 'no samples')); return; }
    let s: SampleView;
    try {
      s = await api<SampleView>('sample', { id: st.id, split: st.split, index: st.index, ...(st.config ? { config: st.config, mode: st.mode, seed: st.seed } : {}) });
    } catch (err) { clear(stage, notice('error', (err as Error).message)); return; }
    const layout = s.layouts.find((l) => l.name === (st.layout ?? s.layout)) ?? s.layouts[0];
    const edges = layout?.edges ?? [];
    const rawCanvas = h('canvas', { width: 420, height: 420, id: 'skeleton-raw', class: 'skeleton' });
    const pipeCanvas = h('canvas', { width: 420, height: 420, id: 'skeleton-pipeline', class: 'skeleton' });
    const slider = h('input', { type: 'range', min: 0, max: s.raw.shape[1] - 1, value: 0, id: 'frame-slider', style: { width: '300px' } });
    const play = h('button', { id: 'play' }, 'pause');
    this.raw = new SkeletonPlayer(rawCanvas);
    this.raw.onFrame = (f) => { slider.value = String(f); };
    this.raw.set(s.raw, edges);
    slider.addEventListener('input', () => { this.raw!.playing = false; play.textContent = 'play'; this.raw!.setFrame(Number(slider.value)); });
    play.addEventListener('click', () => { this.raw!.playing = !this.raw!.playing; play.textContent = this.raw!.playing ? 'pause' : 'play'; });
    const [M, T, V, C] = s.raw.shape;
    const rawPanel = h('div', { class: 'panel' }, h('h3', {}, `raw: ${s.frameDir} — class ${s.label} ${summary.classNames[s.label] ?? ''}`),
      h('div', { class: 'dim' }, `${M} people × ${T} frames × ${V} joints × ${C} (${s.raw.is3d ? '3D' : '2D'}${s.raw.score ? ', scores as opacity' : ''}) — layout `,
        select(s.layouts.map((l) => ({ value: l.name, label: l.name })), layout?.name ?? null, (v) => update({ layout: v }), { id: 'layout-select' })),
      rawCanvas, h('div', {}, play, ' ', slider));
    let pipePanel: HTMLElement = h('div', { class: 'dim panel' }, 'Choose a config under "pipeline" to see what the model receives.');
    if (s.pipeline) {
      const clip = Math.min(st.clip, s.pipeline.clips.length - 1);
      this.piped = new SkeletonPlayer(pipeCanvas);
      const pipeEdges = s.pipeline.layout === s.layout ? edges : s.pipeline.edges;
      const { feature } = s.pipeline;
      const [pm, pt, pv, pc] = s.pipeline.clips[clip].shape;
      let drawn = `${feature.name === 'j' ? 'joints' : feature.name}`;
      if (feature.joints) {
        // Bones and motions are vectors: drawn as arrows over the clip's joints (faint).
        const vectors: SkeletonVectors = { seq: s.pipeline.clips[clip], pairs: feature.pairs, scale: 1 };
        if (!feature.pairs) vectors.scale = motionScale(feature.joints[clip], s.pipeline.clips[clip]);
        this.piped.set(feature.joints[clip], pipeEdges, [], vectors);
        drawn = feature.pairs
          ? `${feature.name === 'b' ? 'bones' : 'K-bones'} (joint − pair joint), drawn as arrows from the pair joint over the joints`
          : `motion (${feature.name}: next frame − this frame of the sequence), drawn as arrows ×${vectors.scale.toPrecision(2)} from each joint`;
      } else {
        this.piped.set(s.pipeline.clips[clip], pipeEdges);
        if (feature.name !== 'j') drawn = `${feature.name} (merged features: the first channels drawn as joints)`;
      }
      pipePanel = h('div', { class: 'panel' }, h('h3', {}, `after ${s.pipeline.config} (${s.pipeline.mode} pipeline, seed ${s.pipeline.seed})`),
        h('div', { class: 'dim', id: 'pipeline-feature' }, drawn),
        h('div', { class: 'dim' }, `${s.pipeline.clips.length} clip(s) of ${pm} × ${pt} × ${pv} × ${pc} (${s.pipeline.layout}) — clip `,
          select(s.pipeline.clips.map((_, i) => ({ value: String(i), label: String(i + 1) })), String(clip), (v) => update({ clip: Number(v) }), { id: 'clip-select' })),
        pipeCanvas);
    }
    clear(stage, h('div', { class: 'row' }, rawPanel, pipePanel));
  }
}

/** A motion arrow scale that makes the largest displacement a quarter of the figure's extent. */
function motionScale(joints: Skeleton, motion: Skeleton): number {
  const dims = joints.is3d ? 3 : 2;
  const C = joints.shape[3];
  let extent = 0;
  let largest = 0;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < joints.data.length; i += C) {
    if (joints.data.slice(i, i + dims).every((x) => x === 0)) continue;
    for (let k = 0; k < dims; k++) { lo[k] = Math.min(lo[k], joints.data[i + k]); hi[k] = Math.max(hi[k], joints.data[i + k]); }
    largest = Math.max(largest, Math.hypot(...motion.data.slice(i, i + dims)));
  }
  for (let k = 0; k < dims; k++) if (Number.isFinite(lo[k])) extent = Math.max(extent, hi[k] - lo[k]);
  return largest > 0 && extent > 0 ? (0.25 * extent) / largest : 1;
}
