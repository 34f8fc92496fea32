/**
 * The Live view's camera: frames from getUserMedia, letterboxed on a canvas into the user's pose
 * model (a COCO-17 .onnx from --pose-model or opened from disk; skeletonagent/live's
 * PoseEstimator on onnxruntime-web), keypoints drawn over the video, fed as timestamped frames to
 * a PoseStream over the recognition model, whose running top classes are shown. Every frame fed
 * is recorded and can be saved as a poses file (the format the poses-file panel and
 * `skagent serve` read).
 */
import type { Catalog } from './api';
import { clear, h, notice } from './dom';
import type { PoseEstimator } from '../src/live/pose-estimator.js';
import { CAMERA_STREAM } from '../src/live/camera.js';
import { type PoseTarget, personMapper } from '../src/live/poses.js';
import { type KeypointRecognizer, PoseStream, type StreamPrediction } from '../src/live/stream.js';

export interface CameraHost {
  catalog: Catalog & { poseModels?: { index: number; name: string }[] };
  loadPoseEstimator(bytes: Uint8Array, source: string): Promise<PoseEstimator>;
  recognizer: KeypointRecognizer;
  target: PoseTarget;
  /** COCO-17 edges for drawing. */
  edges: [number, number][];
  /** The canvas the video and keypoints are drawn on, and a callback showing a prediction. */
  view: HTMLCanvasElement;
  /** The camera runs: show `view`. */
  onStart(): void;
  showPrediction(p: StreamPrediction): void;
}

interface RecordedFrame { t: number; people: { id: string; keypoints: number[][] }[] }

/** Why getUserMedia failed, in words a user can act on. */
function cameraError(err: unknown): string {
  const name = (err as { name?: string }).name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'Camera permission denied: allow the camera for this page (the camera icon in the address bar) and press Start again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No camera found: connect one (or check that the system sees it) and press Start again.';
  if (name === 'NotReadableError' || name === 'AbortError') return 'The camera cannot be read: another program may be using it.';
  return `Cannot open the camera: ${(err as Error).message ?? String(err)}`;
}

/** Runs ONNX Runtime calls one at a time: the estimator and the recogniser share one wasm instance. */
function serialiser(): <T>(fn: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };
}

export class CameraPanel {
  readonly root = h('div', { id: 'camera' });
  private readonly status = h('div', { id: 'camera-status', class: 'dim' });
  private readonly download = h('a', { id: 'camera-download', download: 'camera.poses.json', hidden: true }, 'save the recorded keypoints (.poses.json)');
  private running = false;
  private media: MediaStream | null = null;
  private estimator: PoseEstimator | null = null;
  private recorded: RecordedFrame[] = [];
  private predictions: { frame: number; t?: number; top: { index: number; label: string; score: number }[] }[] = [];

  constructor(private readonly host: CameraHost) {
    const served = host.catalog.poseModels ?? [];
    const choice = h('select', { id: 'camera-pose-select' },
      h('option', { value: '' }, served.length ? 'pose model…' : '(no --pose-model given)'),
      ...served.map((m) => h('option', { value: String(m.index) }, m.name)));
    if (served.length) choice.value = '0';
    const file = h('input', { type: 'file', id: 'camera-pose-file', accept: '.onnx' });
    const start = h('button', { id: 'camera-start', onclick: () => void this.start(choice.value, file.files?.[0] ?? null) }, 'Start camera');
    const stop = h('button', { id: 'camera-stop', onclick: () => this.stop() }, 'Stop');
    clear(this.root,
      h('div', {}, 'pose model ', choice, ' or open one: ', file),
      h('div', { class: 'dim' }, 'COCO-17 keypoints: MoveNet single-pose, RTMPose (SimCC) or a top-down heatmap model, as .onnx (docs/viewer.md, "Camera").'),
      h('div', {}, start, ' ', stop, ' ', this.download), this.status);
  }

  private say(kind: 'info' | 'error', text: string): void {
    clear(this.status, kind === 'error' ? notice('error', text) : text);
    this.root.dataset.state = kind === 'error' ? 'error' : this.running ? 'running' : 'idle';
  }

  private async start(served: string, file: File | null): Promise<void> {
    this.stop();
    let bytes: Uint8Array;
    let source: string;
    try {
      if (file) {
        source = file.name;
        bytes = new Uint8Array(await file.arrayBuffer());
      } else if (served !== '') {
        source = this.host.catalog.poseModels![Number(served)].name;
        const res = await fetch(`/pose-models/${served}`);
        if (!res.ok) throw new Error(`${source}: HTTP ${res.status}`);
        bytes = new Uint8Array(await res.arrayBuffer());
      } else {
        this.say('error', 'Choose a pose model first: give one to skagent view with --pose-model, or open a .onnx file here.');
        return;
      }
      // Poses this recognition model cannot read are refused before the camera opens.
      personMapper('coco17', 'xys', this.host.target);
      this.say('info', `loading ${source}…`);
      await this.estimator?.release();
      this.estimator = await this.host.loadPoseEstimator(bytes, source);
      // One run on a black frame first: the first run compiles and allocates (seconds), which
      // would otherwise stall the camera's first frames.
      const { width, height } = this.estimator.contract;
      await this.estimator.estimateLetterboxed(new Uint8ClampedArray(width * height * 4), this.estimator.letterbox(width, height));
    } catch (err) {
      this.estimator = null;
      this.say('error', (err as Error).message);
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia) {
      this.say('error', 'This page cannot use a camera here: browsers allow cameras on https:// and on http://127.0.0.1 or localhost only.');
      return;
    }
    try {
      this.media = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    } catch (err) {
      this.say('error', cameraError(err));
      return;
    }
    const video = h('video', { muted: true, playsInline: true });
    video.srcObject = this.media;
    await video.play();
    this.running = true;
    this.recorded = [];
    this.predictions = [];
    this.download.hidden = true;
    this.host.onStart();
    void this.loop(video, this.estimator, source);
  }

  stop(): void {
    if (this.running) this.root.dataset.state = 'stopped';
    this.running = false;
    for (const track of this.media?.getTracks() ?? []) track.stop();
    this.media = null;
    if (this.recorded.length > 0) {
      // The predictions shown (by model-rate frame index) ride along; pose readers ignore them.
      const doc = { format: 'coco17', channels: 'xys', stream: CAMERA_STREAM, frames: this.recorded, predictions: this.predictions };
      if (this.download.href) URL.revokeObjectURL(this.download.href);
      this.download.href = URL.createObjectURL(new Blob([JSON.stringify(doc)], { type: 'application/json' }));
      this.download.hidden = false;
    }
  }

  private async loop(video: HTMLVideoElement, est: PoseEstimator, source: string): Promise<void> {
    const serial = serialiser();
    const rec = this.host.recognizer;
    const stream = new PoseStream({ recognize: (k, o) => serial(() => rec.recognize(k, o)) }, this.host.target, { ...CAMERA_STREAM, format: 'coco17', channels: 'xys' });
    const input = h('canvas', { width: est.contract.width, height: est.contract.height });
    const ictx = input.getContext('2d', { willReadFrequently: true })!;
    const view = this.host.view;
    const t0 = performance.now();
    let frames = 0;
    let poseMs = 0;
    const { kind, width, height } = est.contract;
    while (this.running) {
      await nextFrame(video);
      if (!this.running) break;
      const [vw, vh] = [video.videoWidth, video.videoHeight];
      if (vw === 0 || vh === 0) continue;
      const t = (performance.now() - t0) / 1000;
      const box = est.letterbox(vw, vh);
      ictx.fillStyle = '#000';
      ictx.fillRect(0, 0, width, height);
      ictx.drawImage(video, box.padX, box.padY, vw * box.scale, vh * box.scale);
      const pixels = ictx.getImageData(0, 0, width, height).data;
      let keypoints: number[][];
      const p0 = performance.now();
      try {
        keypoints = await serial(() => est.estimateLetterboxed(pixels, box));
      } catch (err) {
        this.say('error', `${source}: ${(err as Error).message}`);
        this.stop();
        return;
      }
      poseMs = performance.now() - p0;
      this.draw(video, keypoints);
      const frame: RecordedFrame = { t, people: [{ id: 'camera', keypoints }] };
      this.recorded.push(frame);
      frames++;
      stream.push(frame).then((p) => {
        if (p === null || !this.running) return;
        this.predictions.push({ frame: p.frame, t: p.t, top: p.top });
        this.host.showPrediction(p);
      }, (err: Error) => this.say('error', err.message));
      view.dataset.frames = String(frames);
      view.dataset.keypoints = JSON.stringify(keypoints);
      this.say('info', `${source} (${kind}, ${width}×${height}) on ${vw}×${vh} video: ${frames} frames, ${(frames / t).toFixed(1)} fps, pose ${poseMs.toFixed(0)} ms; recognition every ${CAMERA_STREAM.stride} frames of ${CAMERA_STREAM.window} at ${CAMERA_STREAM.fps} fps`);
    }
  }

  /** The video frame with the keypoints over it (joint opacity = score). */
  private draw(video: HTMLVideoElement, keypoints: number[][]): void {
    const view = this.host.view;
    const [vw, vh] = [video.videoWidth, video.videoHeight];
    const height = Math.round(view.width * vh / vw);
    if (view.height !== height) view.height = height;
    const ctx = view.getContext('2d')!;
    ctx.drawImage(video, 0, 0, view.width, view.height);
    const s = view.width / vw;
    ctx.lineWidth = 3;
    for (const [a, b] of this.host.edges) {
      const [pa, pb] = [keypoints[a], keypoints[b]];
      ctx.strokeStyle = `rgba(255, 235, 59, ${Math.min(pa[2], pb[2])})`;
      ctx.beginPath();
      ctx.moveTo(pa[0] * s, pa[1] * s);
      ctx.lineTo(pb[0] * s, pb[1] * s);
      ctx.stroke();
    }
    for (const [x, y, score] of keypoints) {
      ctx.fillStyle = `rgba(0, 230, 118, ${score})`;
      ctx.beginPath();
      ctx.arc(x * s, y * s, 4, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

/** Resolves at the video's next frame (requestVideoFrameCallback where the browser has it). */
function nextFrame(video: HTMLVideoElement): Promise<void> {
  const v = video as HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number };
  return new Promise((resolve) => {
    if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(() => resolve());
    else requestAnimationFrame(() => resolve());
  });
}
