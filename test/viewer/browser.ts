/**
 * Headless Chromium for the viewer tests: Debian's /usr/bin/chromium (or $CHROMIUM) driven by
 * playwright-core, with no network besides loopback and every console error and page error kept.
 */
import { existsSync } from 'node:fs';
import { type Browser, type Page, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const NO_CHROMIUM = HAVE_CHROMIUM ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`;
if (!HAVE_CHROMIUM) console.warn(`SKIP viewer browser tests: ${NO_CHROMIUM}`);

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors, page errors and failed requests, as text. */
  readonly errors: string[];
  /** URLs the page requested. */
  readonly requests: string[];
}

export async function openPage(browser: Browser, width = 1400, height = 900): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('request', (r) => requests.push(r.url()));
  return { page, errors, requests };
}
