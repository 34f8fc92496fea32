/**
 * PNG copies of the SVG figures, rendered by headless Chromium (`--screenshot`): the renderer the
 * viewer is already tested with, so the PNG looks exactly like the SVG in a browser, and no image
 * library (with native binaries or a font stack of its own) joins the dependencies.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.js';

export { CHROMIUM, haveChromium } from './chromium.js';

/** The `width`/`height` attributes of an SVG's root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  if (!m) throw new Error('SVG without numeric width/height');
  return { width: Math.ceil(Number(m[1])), height: Math.ceil(Number(m[2])) };
}

/** Renders `svgPath` (its own size, 2x pixel density for print) to `pngPath`. */
export function svgToPng(svgPath: string, pngPath: string, size: { width: number; height: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, [
      ...CHROMIUM_FLAGS, '--hide-scrollbars', '--force-device-scale-factor=2',
      `--window-size=${size.width},${size.height}`, `--screenshot=${pngPath}`, pathToFileURL(svgPath).href,
    ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', (err) => reject(new Error(`${CHROMIUM}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0 && existsSync(pngPath)) resolve();
      else reject(new Error(`${CHROMIUM} could not render ${svgPath}: ${stderr.trim().split('\n').slice(-2).join(' ')}`));
    });
  });
}

/** Renders several figures, a few browsers at a time (each is a separate short-lived process). */
export async function svgsToPng(jobs: readonly { svgPath: string; pngPath: string; size: { width: number; height: number } }[], parallel = 4): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      await svgToPng(job.svgPath, job.pngPath, job.size);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
}
