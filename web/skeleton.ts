/**
 * An animated skeleton on a canvas: any layout (the edges come with the data), 2D in image
 * coordinates or 3D with orbit control (drag to turn, wheel to zoom), several people in their own
 * colours, joint confidence as opacity, highlighted joints (the agent's critical joints).
 * Absent people (all-zero frames, the datasets' padding) and absent joints (all-zero coordinates,
 * what capture dropouts leave) are not drawn and do not count for the figure's framing.
 */
import type { Skeleton } from './api';

const PEOPLE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e'];

/**
 * Vectors to draw over a skeleton of the same shape (the skeleton is drawn faint under them):
 * bones from their pair joint (`pairs`: [joint, pair joint]), motions from their joint, scaled.
 */
export interface SkeletonVectors { seq: Skeleton; pairs: [number, number][] | null; scale: number }

export class SkeletonPlayer {
  frame = 0;
  playing = true;
  private seq: Skeleton | null = null;
  private edges: [number, number][] = [];
  private yaw = 0.35;
  private pitch = 0.15;
  private zoom = 1;
  private highlight = new Set<number>();
  private vectors: SkeletonVectors | null = null;
  private last = 0;
  private bounds = { cx: 0, cy: 0, cz: 0, r: 1 };
  onFrame: ((frame: number) => void) | null = null;
  fps = 15;

  constructor(readonly canvas: HTMLCanvasElement) {
    let drag: { x: number; y: number } | null = null;
    canvas.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY }; canvas.setPointerCapture(e.pointerId); });
    canvas.addEventListener('pointerup', () => { drag = null; });
    canvas.addEventListener('pointermove', (e) => {
      if (!drag || !this.seq?.is3d) return;
      this.yaw += (e.clientX - drag.x) * 0.01;
      this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + (e.clientY - drag.y) * 0.01));
      drag = { x: e.clientX, y: e.clientY };
      this.draw();
    });
    canvas.addEventListener('wheel', (e) => { e.preventDefault(); this.zoom *= e.deltaY < 0 ? 1.1 : 1 / 1.1; this.draw(); }, { passive: false });
    const tick = (t: number) => {
      if (!canvas.isConnected) return;
      if (this.playing && this.seq && t - this.last > 1000 / this.fps) {
        this.last = t;
        this.setFrame((this.frame + 1) % this.seq.shape[1]);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  get frames(): number { return this.seq?.shape[1] ?? 0; }

  set(seq: Skeleton, edges: [number, number][], highlight: number[] = [], vectors: SkeletonVectors | null = null): void {
    this.seq = seq;
    this.edges = edges;
    this.vectors = vectors;
    this.highlight = new Set(highlight);
    this.frame = Math.min(this.frame, seq.shape[1] - 1);
    this.bounds = this.measure();
    this.draw();
  }

  setFrame(f: number): void {
    this.frame = f;
    this.draw();
    this.onFrame?.(f);
  }

  private joint(m: number, t: number, v: number): number[] {
    const [, T, V, C] = this.seq!.shape;
    const o = ((m * T + t) * V + v) * C;
    return this.seq!.data.slice(o, o + C);
  }

  /** A joint the capture lost: every coordinate exactly zero. */
  private lost(p: number[]): boolean {
    return p[0] === 0 && p[1] === 0 && (!this.seq!.is3d || p[2] === 0);
  }

  private present(m: number, t: number): boolean {
    const [, T, V, C] = this.seq!.shape;
    const o = (m * T + t) * V * C;
    for (let i = 0; i < V * C; i++) if (this.seq!.data[o + i] !== 0) return true;
    return false;
  }

  /** Centre and radius over every present joint of every frame, so the figure keeps its scale. */
  private measure(): { cx: number; cy: number; cz: number; r: number } {
    const [M, T, V] = this.seq!.shape;
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let m = 0; m < M; m++) for (let t = 0; t < T; t++) {
      if (!this.present(m, t)) continue;
      for (let v = 0; v < V; v++) {
        const p = this.joint(m, t, v);
        if (this.lost(p)) continue;
        for (let k = 0; k < (this.seq!.is3d ? 3 : 2); k++) { lo[k] = Math.min(lo[k], p[k]); hi[k] = Math.max(hi[k], p[k]); }
      }
    }
    if (!Number.isFinite(lo[0])) return { cx: 0, cy: 0, cz: 0, r: 1 };
    const c = lo.map((l, k) => (Number.isFinite(l) ? (l + hi[k]) / 2 : 0));
    const r = Math.max(1e-6, ...lo.map((l, k) => (Number.isFinite(l) ? (hi[k] - l) / 2 : 0)));
    return { cx: c[0], cy: c[1], cz: c[2], r };
  }

  /** Screen position of a joint: 2D as in the image (y down), 3D rotated by yaw/pitch (y up). */
  private project(p: number[]): [number, number] {
    const { width, height } = this.canvas;
    const s = (0.45 * Math.min(width, height) * this.zoom) / this.bounds.r;
    const x = p[0] - this.bounds.cx, y = p[1] - this.bounds.cy;
    if (!this.seq!.is3d) return [width / 2 + x * s, height / 2 + y * s];
    const z = p[2] - this.bounds.cz;
    const x1 = x * Math.cos(this.yaw) + z * Math.sin(this.yaw);
    const z1 = -x * Math.sin(this.yaw) + z * Math.cos(this.yaw);
    const y1 = y * Math.cos(this.pitch) - z1 * Math.sin(this.pitch);
    return [width / 2 + x1 * s, height / 2 - y1 * s];
  }

  draw(): void {
    const ctx = this.canvas.getContext('2d')!;
    ctx.fillStyle = '#fafafa';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.seq) return;
    const [M, T, V, C] = this.seq.shape;
    const t = Math.min(this.frame, T - 1);
    for (let m = 0; m < M; m++) {
      if (!this.present(m, t)) continue;
      const color = PEOPLE[m % PEOPLE.length];
      const confOf = (v: number) => {
        if (this.seq!.score) return this.seq!.score[(m * T + t) * V + v];
        return !this.seq!.is3d && C === 3 ? this.joint(m, t, v)[2] : 1;
      };
      const joints = Array.from({ length: V }, (_, v) => this.joint(m, t, v));
      const pts = joints.map((p) => this.project(p));
      const lost = joints.map((p) => this.lost(p));
      const faint = this.vectors ? 0.25 : 1;
      const conf = (v: number) => faint * confOf(v);
      ctx.lineWidth = 3;
      ctx.strokeStyle = color;
      for (const [a, b] of this.edges) {
        if (a >= V || b >= V || lost[a] || lost[b]) continue;
        ctx.globalAlpha = Math.max(0.1, Math.min(1, Math.min(conf(a), conf(b))));
        ctx.beginPath(); ctx.moveTo(...pts[a]); ctx.lineTo(...pts[b]); ctx.stroke();
      }
      pts.forEach((p, v) => {
        if (lost[v]) return;
        const hot = this.highlight.has(v);
        ctx.globalAlpha = Math.max(0.1, Math.min(1, conf(v)));
        ctx.fillStyle = hot ? '#ff9800' : color;
        ctx.beginPath(); ctx.arc(p[0], p[1], hot ? 7 : 3.5, 0, 2 * Math.PI); ctx.fill();
        if (hot) { ctx.fillStyle = '#000'; ctx.font = '11px sans-serif'; ctx.fillText(String(v + 1), p[0] + 8, p[1] - 6); }
      });
      ctx.globalAlpha = 1;
      if (this.vectors) this.drawVectors(ctx, this.vectors, m, t, joints, lost, color);
    }
    ctx.fillStyle = '#555';
    ctx.font = '12px sans-serif';
    ctx.fillText(`frame ${t + 1}/${T}${this.seq.is3d ? ' · drag to orbit, wheel to zoom' : ''}`, 8, this.canvas.height - 8);
  }

  /** Arrows: a bone from its pair joint, a motion from its joint (× scale); 2D uses x and y only. */
  private drawVectors(ctx: CanvasRenderingContext2D, vec: SkeletonVectors, m: number, t: number, joints: number[][], lost: boolean[], color: string): void {
    const [, T, V, C] = vec.seq.shape;
    const dims = this.seq!.is3d ? 3 : 2;
    const value = (v: number) => vec.seq.data.slice(((m * T + t) * V + v) * C, ((m * T + t) * V + v) * C + dims);
    const arrows: [number, number[]][] = vec.pairs ? vec.pairs.map(([v, from]) => [from, value(v)]) : joints.map((_, v) => [v, value(v).map((x) => x * vec.scale)]);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    for (const [from, d] of arrows) {
      if (from >= joints.length || lost[from] || d.every((x) => x === 0)) continue;
      const start = joints[from];
      const [a, b] = [this.project(start), this.project(start.map((x, k) => (k < dims ? x + d[k] : x)))];
      const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
      if (len < 0.5) continue;
      const [ux, uy] = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
      const head = Math.min(7, len / 2);
      ctx.beginPath(); ctx.moveTo(...a); ctx.lineTo(...b); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(...b);
      ctx.lineTo(b[0] - head * ux + head * 0.5 * uy, b[1] - head * uy - head * 0.5 * ux);
      ctx.lineTo(b[0] - head * ux - head * 0.5 * uy, b[1] - head * uy + head * 0.5 * ux);
      ctx.fill();
    }
  }
}
