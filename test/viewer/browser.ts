/**
 * Headless Chromium for the viewer tests: Debian's /usr/bin/chromium (or $CHROMIUM) with the
 * viewer's flags (src/viewer/chromium.ts), driven by playwright-core, every console error and
 * page error kept; and the usual session of a browser test: the page bundle built, a fixture
 * folder, a viewer server over it and the browser.
 */
import { rmSync } from 'node:fs';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, haveChromium } from '../../src/viewer/chromium.js';
import { ViewServer, type ViewServerOptions } from '../../src/viewer/server.js';
import { makeFixture, type ViewerFixture } from './fixture.js';
import { buildWebOnce } from './build-web.js';

export const HAVE_CHROMIUM = haveChromium();
export const NO_CHROMIUM = HAVE_CHROMIUM ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`;
if (!HAVE_CHROMIUM) console.warn(`SKIP viewer browser tests: ${NO_CHROMIUM}`);

/** Chromium with the viewer's flags and any `extraArgs` (e.g. a fake camera). */
export async function launch(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS, ...extraArgs], headless: true });
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

export interface ViewerSession {
  readonly fx: ViewerFixture;
  readonly server: ViewServer;
  /** The page's URL. */
  readonly base: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Builds the page, writes the fixture folder, lets `prepare` add to it (and name server options
 * such as pose models), serves it on loopback and launches Chromium with `chromiumArgs`.
 */
export async function startViewer(o: {
  prepare?: (fx: ViewerFixture) => Partial<ViewServerOptions> | void;
  chromiumArgs?: (fx: ViewerFixture) => readonly string[];
} = {}): Promise<ViewerSession> {
  buildWebOnce();
  const fx = makeFixture();
  try {
    const extra = o.prepare?.(fx) ?? {};
    const server = new ViewServer({ paths: [fx.root], ...extra });
    const base = await server.listen();
    const browser = await launch(o.chromiumArgs?.(fx) ?? []);
    return {
      fx, server, base, browser,
      async close() {
        await browser.close();
        await server.close();
        rmSync(fx.root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(fx.root, { recursive: true, force: true });
    throw err;
  }
}
