/**
 * What the viewer shows, found under the paths it was given: training runs (folders with
 * `*.log.json`), test results (folders with scores.npy + labels.npy), datasets (annotation
 * pickles and dataset stores), agent conversation folders, exported models (`.onnx`) and pose files. Folders are walked a few
 * levels deep; every entry keeps the root it was found under, so files are served through
 * ServedRoots only. The catalog is rebuilt on request: runs appear while they are being written.
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { ServedRoots } from './safe-path.js';

export type EntryKind = 'run' | 'result' | 'dataset' | 'model' | 'poses' | 'conversations';

export interface CatalogEntry {
  /** Stable id within one server: `<kind>:<root>:<relative path>`. */
  readonly id: string;
  readonly kind: EntryKind;
  /** Short name for menus: the path relative to the root's parent. */
  readonly name: string;
  readonly root: number;
  /** Path relative to the root ('' for the root itself). */
  readonly rel: string;
  /** Absolute real path. */
  readonly path: string;
}

const MAX_DEPTH = 5;
/** An agent conversation file: `NNN_<class>.txt`. */
const CLASS_FILE = /^\d{3}_.+\.txt$/;
const SKIP_DIRS = new Set(['node_modules', '.git']);
const PICKLE_PROTO = 0x80;
const STORE_MAGIC = 'SKSTORE\x01';

function head(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** A file's kind by name and first bytes, or null when the viewer has nothing to show for it. */
function fileKind(path: string): EntryKind | null {
  const name = basename(path);
  if (name.endsWith('.onnx')) return 'model';
  if (name.endsWith('.poses.json') || name.endsWith('.poses.npy')) return 'poses';
  if (name.endsWith('.pkl') && !/(_pred|^result)\.pkl$/.test(name)) {
    try {
      const h = head(path, STORE_MAGIC.length);
      return h[0] === PICKLE_PROTO ? 'dataset' : null;
    } catch { return null; }
  }
  if (name.endsWith('.skstore') || name.endsWith('.store')) {
    try { return head(path, STORE_MAGIC.length).toString('latin1') === STORE_MAGIC ? 'dataset' : null; } catch { return null; }
  }
  return null;
}

export function buildCatalog(roots: ServedRoots): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  roots.roots.forEach((root, r) => {
    const base = dirname(root);
    const add = (kind: EntryKind, path: string) => {
      const rel = relative(root, path);
      entries.push({ id: `${kind}:${r}:${rel}`, kind, name: relative(base, path) || basename(path), root: r, rel, path });
    };
    const visit = (dir: string, depth: number) => {
      let names: string[];
      try { names = readdirSync(dir).sort(); } catch { return; }
      if (names.some((n) => n.endsWith('.log.json'))) add('run', dir);
      else if (names.some((n) => CLASS_FILE.test(n))) add('conversations', dir);
      if (names.includes('scores.npy') && names.includes('labels.npy')) add('result', dir);
      for (const name of names) {
        const p = join(dir, name);
        let st;
        try { st = statSync(p); } catch { continue; }
        if (st.isDirectory()) {
          if (depth < MAX_DEPTH && !SKIP_DIRS.has(name) && !name.startsWith('.')) visit(p, depth + 1);
        } else if (st.isFile()) {
          const kind = fileKind(p);
          if (kind) add(kind, p);
        }
      }
    };
    if (statSync(root).isDirectory()) visit(root, 0);
    else {
      const kind = fileKind(root);
      if (kind) add(kind, root);
    }
  });
  return entries;
}
