/**
 * The headless Chromium the viewer uses (figures' PNGs, scripts/screenshots.mjs) and is tested
 * with: Debian's /usr/bin/chromium (or $CHROMIUM), with the flags that keep it off the network
 * (no background requests, updates or sync) and out of the GPU and sandbox a server lacks.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS: readonly string[] = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}
