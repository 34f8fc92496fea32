/**
 * Live: recognition in the page with the deploy runtime (skeletonagent/runtime on
 * onnxruntime-web): an exported model (.onnx under the served paths) on a synthetic action, a
 * dropped poses file (the skeleton animated next to the top classes) or the camera through a
 * user-supplied pose model (camera.ts).
 */
import { type Catalog, type Skeleton, api } from './api';
import { clear, h, notice, pct, select } from './dom';
import { readPosesFile, type Poses } from './poses';
import { SkeletonPlayer } from './skeleton';
import { CameraPanel } from './camera';
import type { PoseEstimator } from '../src/live/pose-estimator.js';

interface TopLabel { index: number; label: string; score: number }
interface LoadedRecognizer {
  layout: string; numClasses: number; joints: number; channels: number; labels: readonly string[] | null;
  models: readonly { metadata: { modality: string; config: string; scoreChannel: boolean; numPerson: number } }[];
  recognize(k: Poses['keypoints']): Promise<{ scores: Float32Array; top: TopLabel[] }>;
}
interface RuntimeModule {
  Recognizer: { load(url: string): Promise<LoadedRecognizer> };
  loadPoseEstimator(bytes: Uint8Array, source: string): Promise<PoseEstimator>;
}
interface SyntheticAction { className: string; label: number; layout: string; edges: [number, number][]; skeleton: Skeleton; keypoints: Poses['keypoints'] }

const RUNTIME_URL = '/assets/live-runtime.js';

export class LiveView {
  readonly root = h('div', { class: 'view', id: 'view-live' });
  private modelId: string | null = null;
  private recognizer: LoadedRecognizer | null = null;
  private loadedId: string | null = null;
  private runtime: Promise<RuntimeModule> | null = null;
  private camera: CameraPanel | null = null;

  constructor(private readonly catalog: Catalog) {}

  private async load(id: string): Promise<LoadedRecognizer> {
    if (this.recognizer && this.loadedId === id) return this.recognizer;
    const entry = this.catalog.entries.find((e) => e.id === id)!;
    this.runtime ??= import(/* @vite-ignore */ RUNTIME_URL) as Promise<RuntimeModule>;
    const rt = await this.runtime;
    this.recognizer = await rt.Recognizer.load(`/files/${entry.root}/${entry.rel.split('/').map(encodeURIComponent).join('/')}`);
    this.loadedId = id;
    return this.recognizer;
  }

  async show(): Promise<void> {
    this.camera?.stop();
    const models = this.catalog.entries.filter((e) => e.kind === 'model');
    if (models.length === 0) {
      clear(this.root, notice('info', 'No exported models (.onnx) under the served paths: export one with skagent export, then give its folder to skagent view.'));
      return;
    }
    this.modelId ??= models[0].id;
    const info = h('div', { id: 'live-model', class: 'dim' }, 'loading the model…');
    const stage = h('div', { class: 'row', id: 'live-stage' });
    clear(this.root, h('div', { class: 'picker' }, h('b', {}, 'model: '),
      select(models.map((m) => ({ value: m.id, label: m.name })), this.modelId, (v) => { this.modelId = v; void this.show(); }, { id: 'live-model-select' })), info, stage);
    let rec: LoadedRecognizer;
    try {
      rec = await this.load(this.modelId);
    } catch (err) {
      clear(info, notice('error', `cannot load the model: ${(err as Error).message}`));
      return;
    }
    const m = rec.models[0].metadata;
    clear(info, `${m.config} — ${m.modality} stream, layout ${rec.layout}, ${rec.numClasses} classes; input: persons × frames × ${rec.joints} joints × ${rec.channels} channels`);
    // The synthetic generator's own actions (the demo's classes are its first ones).
    const synthNames = await api<string[]>('synthetic-classes');
    const classes = synthNames.map((name, i) => ({ value: String(i), label: name }));
    const cls = select(classes, '0', () => undefined, { id: 'live-class' });
    const seed = h('input', { type: 'number', value: 0, id: 'live-seed', style: { width: '4em' } });
    const file = h('input', { type: 'file', id: 'live-file', accept: '.json,.npy' });
    const canvas = h('canvas', { width: 400, height: 400, id: 'live-skeleton', class: 'skeleton' });
    const player = new SkeletonPlayer(canvas);
    const result = h('div', { id: 'live-result' });
    const showTop = (top: TopLabel[], caption: string, attrs: Record<string, unknown> = {}) => {
      clear(result, h('div', { class: 'dim' }, caption),
        h('table', { class: 'pairs', id: 'live-top', ...attrs }, ...top.map((t, k) => h('tr', { 'data-index': t.index, 'data-score': t.score, class: k === 0 ? 'top1' : '' },
          h('td', {}, `${t.index} ${t.label}`), h('td', {}, h('div', { class: 'bar', style: { width: `${Math.round(160 * t.score)}px` } }), ' ', pct(t.score, 1))))));
      this.root.dataset.recognized = String(top[0].index);
    };
    const run = async (poses: Poses, what: string) => {
      clear(result, 'recognising…');
      try {
        const t0 = performance.now();
        const r = await rec.recognize(poses.keypoints);
        const ms = performance.now() - t0;
        player.set(poses.skeleton, poses.edges ?? []);
        cameraView.hidden = true;
        canvas.hidden = false;
        showTop(r.top, `${what} — ${ms.toFixed(0)} ms in the browser (onnxruntime-web, wasm)`);
      } catch (err) {
        clear(result, notice('error', (err as Error).message));
      }
    };
    const cameraView = h('canvas', { width: 480, height: 360, id: 'camera-view', class: 'skeleton', hidden: true });
    const target = { layout: rec.layout, joints: rec.joints, channels: rec.channels, scoreChannel: m.scoreChannel, persons: m.numPerson };
    const rt = await this.runtime!;
    this.camera = new CameraPanel({
      catalog: this.catalog, loadPoseEstimator: (b, s) => rt.loadPoseEstimator(b, s), recognizer: rec, target, view: cameraView,
      edges: (await api<{ edges: [number, number][] }>('edges', { layout: 'coco', joints: 17 })).edges,
      onStart: () => {
        canvas.hidden = true;
        cameraView.hidden = false;
        clear(result, 'waiting for the first window of frames…');
      },
      showPrediction: (p) => {
        showTop(p.top, `camera — window of ${p.frames} frames up to frame ${p.frame} (${(p.t ?? 0).toFixed(1)} s), ${p.latencyMs.toFixed(0)} ms from the frame to the result`, { 'data-frame': p.frame });
      },
    });
    const synth = async () => {
      const a = await api<SyntheticAction>('synthetic', { layout: rec.layout, class: cls.value, seed: seed.value });
      await run({ keypoints: a.keypoints, skeleton: a.skeleton, edges: a.edges }, `synthetic '${a.className}' (seed ${seed.value})`);
    };
    const fromFile = async (f: File) => {
      try {
        const poses = readPosesFile(f.name, new Uint8Array(await f.arrayBuffer()), target);
        poses.edges = (await api<{ edges: [number, number][] }>('edges', { layout: rec.layout, joints: rec.joints })).edges;
        await run(poses, f.name);
      } catch (err) { clear(result, notice('error', `${f.name}: ${(err as Error).message}`)); }
    };
    file.addEventListener('change', () => { if (file.files?.[0]) void fromFile(file.files[0]); });
    const drop = h('div', { class: 'drop', id: 'live-drop' }, 'drop a poses file here (JSON frames × people × joints, or .npy (frames, [people,] joints, values); COCO-17, OpenPose-18, BlazePose-33, NTU-25) — or ', file);
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); const f = e.dataTransfer?.files[0]; if (f) void fromFile(f); });
    clear(stage,
      h('div', { class: 'panel' },
        h('h3', {}, 'synthetic action'), h('div', {}, 'action ', cls, ' seed ', seed, ' ', h('button', { id: 'live-run', onclick: () => void synth() }, 'Recognise')),
        h('h3', {}, 'poses file'), drop,
        h('h3', {}, 'camera'), this.camera.root),
      h('div', {}, canvas, cameraView), h('div', { class: 'panel' }, h('h3', {}, 'recognition'), result));
  }
}
