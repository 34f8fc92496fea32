/**
 * Which files the viewer may serve: only those under the paths it was started with. A request
 * names a root by index and a path relative to it; the path is refused when it is absolute,
 * has a `..` or empty segment, a NUL byte, or when its real path (symlinks resolved) leaves the
 * root's real path. Decoding happens once, in the router, so `%2e%2e` arrives here as `..`.
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

export class PathRefused extends Error {
  constructor(readonly requested: string, reason: string) {
    super(`refused '${requested}': ${reason}`);
    this.name = 'PathRefused';
  }
}

export class ServedRoots {
  /** Real paths of the given roots (files or folders). */
  readonly roots: readonly string[];

  constructor(paths: readonly string[]) {
    this.roots = paths.map((p) => realpathSync(p));
  }

  /** The real path of `rel` inside root `index`, or throws PathRefused. */
  resolve(index: number, rel: string): string {
    const root = this.roots[index];
    if (root === undefined) throw new PathRefused(rel, `no root #${index}`);
    if (rel.includes('\0')) throw new PathRefused(rel, 'NUL byte');
    if (isAbsolute(rel) || rel.startsWith('\\')) throw new PathRefused(rel, 'absolute path');
    const segments = rel.split(/[\\/]/);
    if (segments.some((s) => s === '..')) throw new PathRefused(rel, "'..' segment");
    const candidate = rel === '' ? root : join(root, ...segments.filter((s) => s !== '' && s !== '.'));
    let real: string;
    try {
      real = realpathSync(candidate);
    } catch {
      throw new PathRefused(rel, 'no such file');
    }
    if (!this.contains(real)) throw new PathRefused(rel, 'outside the served paths (symlink)');
    return real;
  }

  /** Whether a real path lies inside (or is) one of the roots. */
  contains(real: string): boolean {
    return this.roots.some((root) => {
      if (real === root) return true;
      if (!statSync(root).isDirectory()) return false;
      const r = relative(root, real);
      return r !== '' && !r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r);
    });
  }
}
