/**
 * Paper figures as standalone SVG, written in Node (no browser needed): line charts of the
 * training curves, the confusion matrix, and per-class accuracy bars. Plain SVG 1.1 with
 * generic font families, so it renders the same in browsers, Inkscape and LaTeX converters.
 */
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export interface Series {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function tickLabel(v: number, step: number): string {
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(1);
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + (step / 10 ** Math.floor(Math.log10(step)) === 2.5 ? 1 : 0));
  return v.toFixed(Math.min(6, digits));
}

export function lineChart(o: { title: string; xLabel: string; yLabel: string; series: readonly Series[]; width?: number; height?: number }): string {
  const W = o.width ?? 560, H = o.height ?? 340;
  // Legend columns: as many as the longest label allows (about 6.5 px per character at 12 px).
  const longest = Math.max(1, ...o.series.map((s) => s.label.length));
  const cols = Math.max(1, Math.min(3, Math.floor((W - 80) / (30 + 6.5 * longest))));
  const m = { l: 64, r: 16, t: 34, b: 48 + 16 * Math.ceil(o.series.length / cols) };
  const all = o.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad; y1 += pad;
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const xt = ticks(x0, x1), yt = ticks(y0, y1);
  const xStep = xt.length > 1 ? xt[1] - xt[0] : 1, yStep = yt.length > 1 ? yt[1] - yt[0] : 1;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
    ...yt.map((v) => `<line x1="${m.l}" x2="${W - m.r}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="#e5e5e5"/><text x="${m.l - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${tickLabel(v, yStep)}</text>`),
    ...xt.map((v) => `<line x1="${px(v).toFixed(1)}" x2="${px(v).toFixed(1)}" y1="${m.t}" y2="${H - m.b}" stroke="#f0f0f0"/><text x="${px(v).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${tickLabel(v, xStep)}</text>`),
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#444"/>`,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - m.b + 34}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  ];
  o.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points.map((p, k) => `${k ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join('');
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="6 3"' : ''}/>`);
    if (s.points.length < 40) for (const p of s.points) parts.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="2.5" fill="${color}"/>`);
    const lx = m.l + (i % cols) * ((W - m.l - m.r) / cols), ly = H - m.b + 50 + 16 * Math.floor(i / cols);
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ''}/><text x="${lx + 22}" y="${ly}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function confusionFigure(o: { title: string; matrix: readonly (readonly number[])[]; classNames: readonly string[]; normalize?: boolean }): string {
  const n = o.matrix.length;
  const cell = Math.max(8, Math.min(36, Math.floor(560 / Math.max(1, n))));
  const label = Math.min(200, 8 + 7 * Math.max(...o.classNames.map((c) => c.length), 1));
  const W = label + n * cell + 20, H = 40 + label + n * cell + 12;
  const top = 40 + label;
  const rows = o.matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...o.matrix.flat());
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="${Math.min(11, cell - 2)}">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  ];
  o.matrix.forEach((row, t) => {
    parts.push(`<text x="${label - 4}" y="${top + t * cell + cell / 2 + 4}" text-anchor="end">${esc(o.classNames[t] ?? String(t))}</text>`);
    parts.push(`<text transform="translate(${label + t * cell + cell / 2 + 4} ${top - 4}) rotate(-90)">${esc(o.classNames[t] ?? String(t))}</text>`);
    row.forEach((v, p) => {
      const share = o.normalize ? (rows[t] ? v / rows[t] : 0) : v / max;
      const shade = Math.round(255 - 200 * share);
      const fill = v === 0 ? '#fff' : t === p ? `rgb(${shade},${Math.round(255 - 120 * share)},255)` : `rgb(255,${shade},${shade})`;
      parts.push(`<rect x="${label + p * cell}" y="${top + t * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ddd"><title>${esc(`${o.classNames[t]} → ${o.classNames[p]}: ${v}`)}</title></rect>`);
      if (v > 0 && cell >= 16) parts.push(`<text x="${label + p * cell + cell / 2}" y="${top + t * cell + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.6 ? '#fff' : '#222'}">${v}</text>`);
    });
  });
  parts.push(`<text x="${label + (n * cell) / 2}" y="34" text-anchor="middle">predicted</text>`, '</svg>');
  return parts.join('\n');
}

export function perClassFigure(o: { title: string; rows: readonly { name: string; accuracy: number; count: number }[] }): string {
  const bar = 16, label = Math.min(220, 10 + 7 * Math.max(...o.rows.map((r) => r.name.length), 1));
  const plot = 320, W = label + plot + 90, H = 40 + o.rows.length * (bar + 4) + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  ];
  o.rows.forEach((r, i) => {
    const y = 32 + i * (bar + 4);
    parts.push(`<text x="${label - 6}" y="${y + bar - 4}" text-anchor="end">${esc(r.name)}</text>`,
      `<rect x="${label}" y="${y}" width="${(plot * r.accuracy).toFixed(1)}" height="${bar}" fill="#1f77b4"/>`,
      `<rect x="${label}" y="${y}" width="${plot}" height="${bar}" fill="none" stroke="#ccc"/>`,
      `<text x="${label + plot + 6}" y="${y + bar - 4}">${num(100 * r.accuracy)}% (n=${r.count})</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
