/**
 * Agent: per class, the conversation round by round, the description training uses, the classes
 * it was confused with at each refresh (from the run log) and its critical joints on the skeleton.
 */
import { type AgentHistory, type Catalog, api } from './api';
import { clear, h, notice, select } from './dom';
import { SkeletonPlayer } from './skeleton';

export class AgentView {
  readonly root = h('div', { class: 'view', id: 'view-agent' });
  private id: string | null = null;
  private cls = 0;

  constructor(private readonly catalog: Catalog) {}

  async show(): Promise<void> {
    const sources = this.catalog.entries.filter((e) => e.kind === 'run' || e.kind === 'conversations');
    if (sources.length === 0) { clear(this.root, notice('info', 'No runs or conversation folders under the served paths.')); return; }
    // Default: a run that holds its own conversations (it has the refresh history), else any conversations.
    const conversations = sources.filter((e) => e.kind === 'conversations');
    this.id ??= (sources.find((e) => e.kind === 'run' && conversations.some((c) => c.path.startsWith(e.path + '/'))) ?? conversations[0] ?? sources[0]).id;
    const a = await api<AgentHistory>('agent', { id: this.id });
    const picker = h('div', { class: 'picker' }, h('b', {}, 'run / conversations: '),
      select(sources.map((s) => ({ value: s.id, label: `${s.name}${s.kind === 'conversations' ? ' (conversations)' : ''}` })), this.id, (v) => { this.id = v; this.cls = 0; void this.show(); }, { id: 'agent-select' }));
    if (a.classes.length === 0) { clear(this.root, picker, ...a.problems.map((p) => notice('info', p)), this.refreshTable(a, null)); return; }
    const c = a.classes.find((k) => k.index === this.cls) ?? a.classes[0];
    const list = h('select', { size: 20, id: 'agent-classes', class: 'samplelist', onchange: (ev: Event) => { this.cls = Number((ev.target as HTMLSelectElement).value); void this.show(); } },
      ...a.classes.map((k) => h('option', { value: k.index, selected: k.index === c.index }, `${k.index + 1} ${k.name}`)));
    const canvas = h('canvas', { width: 360, height: 420, id: 'agent-skeleton', class: 'skeleton' });
    const player = new SkeletonPlayer(canvas);
    const V = a.restPose.length;
    player.set({ shape: [1, 1, V, 3], data: a.restPose.flat(), score: null, is3d: true }, a.edges, c.criticalJoints.map((n) => n - 1).filter((v) => v >= 0 && v < V));
    const rounds = h('div', { class: 'rounds', id: 'agent-rounds' }, ...c.rounds.map((r) => h('details', { open: r.number >= 4 },
      h('summary', {}, `Round ${r.number}`), h('div', { class: 'q' }, r.question), h('div', { class: 'a' }, r.answer))));
    clear(this.root, picker, ...a.problems.map((p) => notice('warn', p)),
      h('div', { class: 'row' }, list,
        h('div', { style: { flex: '1', minWidth: '320px' } }, h('h3', {}, `${c.index + 1} ${c.name}`),
          h('div', { class: 'description', id: 'agent-description' }, h('b', {}, 'description used: '), c.description),
          this.refreshTable(a, c.index), rounds),
        h('div', {}, h('h3', {}, 'critical joints (round 4)'), canvas,
          h('div', { class: 'dim', id: 'agent-joints' }, c.criticalJoints.length ? `joints ${c.criticalJoints.join(', ')} (${a.layout})` : 'none named'))));
  }

  private refreshTable(a: AgentHistory, cls: number | null): HTMLElement {
    if (a.refreshes.length === 0) return h('div', { class: 'dim' }, 'No agent refreshes in this run log.');
    const name = (i: number) => a.classes.find((k) => k.index === i)?.name ?? `class ${i}`;
    return h('table', { class: 'pairs', id: 'agent-refreshes' },
      h('tr', {}, h('th', {}, 'epoch'), h('th', {}, cls === null ? 'updated' : 'confused with'), h('th', {}, cls === null ? 'failed' : 'new description')),
      ...a.refreshes.map((r) => cls === null
        ? h('tr', {}, h('td', {}, String(r.epoch)), h('td', {}, r.updated.join(', ')), h('td', {}, r.failed.join(', ')))
        : h('tr', {}, h('td', {}, String(r.epoch)), h('td', {}, r.confused ? (r.confused[cls] ?? []).map(name).join(', ') || '—' : '(not logged)'),
          h('td', {}, r.failed.includes(cls) ? 'kept (LLM failure)' : r.descriptions?.[String(cls)] ?? (r.updated.includes(cls) ? '(updated)' : '—')))));
  }
}
