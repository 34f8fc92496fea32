/** Builds the page bundle (scripts/build-web.mjs) once per test process, so tests see the current web/ sources. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let built = false;
export function buildWebOnce(): void {
  if (built) return;
  const script = fileURLToPath(new URL('../../../scripts/build-web.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-web failed: ${r.stderr}`);
  built = true;
}
