/** Tiny DOM helpers: elements from tag, attributes and children; text escaping is the DOM's. */
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, unknown> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k in el && typeof v !== 'string') (el as unknown as Record<string, unknown>)[k] = v;
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

export const pct = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;

export function select(options: { value: string; label: string }[], value: string | null, onchange: (v: string) => void, attrs: Record<string, unknown> = {}): HTMLSelectElement {
  const s = h('select', attrs, ...options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
  s.addEventListener('change', () => onchange(s.value));
  return s;
}

export function notice(kind: 'error' | 'warn' | 'info', ...text: Child[]): HTMLElement {
  return h('div', { class: `notice ${kind}` }, ...text);
}
