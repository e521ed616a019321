/**
 * The one way tests (and `npm run bench:web`) drive a real browser: Debian's Chromium through
 * playwright-core, with a fresh profile each time, and every request that is not to the local stack
 * blocked and recorded, so a page that works under these tests works on a machine without internet
 * (no CDN, no web fonts, no telemetry). Screenshots go to `artifacts/screenshots/` (git-ignored; CI keeps
 * the folder as an artifact).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * What Chromium needs on this machine: no sandbox (CI runs as root in a container), no GPU, and none of
 * its own traffic to Google (updates, sync, safe browsing, QUIC probes), which would otherwise show up as
 * requests the page never made.
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Where screenshots are written; the README names it and CI uploads it. */
export const SCREENSHOT_DIR = resolve(__dirname, '..', 'artifacts', 'screenshots');

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

export interface BrowserSession {
  context: BrowserContext;
  /** The first tab. */
  page: Page;
  /** Every request the pages made, in order (blocked ones included). */
  requests: Request[];
  /**
   * URLs that were not to the stack's origins: refused before they left the machine (with `keepHttpCache`,
   * recorded only).
   */
  blocked: string[];
  /** Uncaught page errors and console errors, as text. */
  errors: string[];
  /** Saves a full-page screenshot of `page` as `<name>.png` under SCREENSHOT_DIR; returns its path. */
  screenshot(name: string, page?: Page): Promise<string>;
  close(): Promise<void>;
}

export interface BrowserOptions {
  /** Origins (scheme://host:port) the pages may reach; anything else is aborted and recorded in `blocked`. */
  allowedOrigins: string[];
  /**
   * Record requests off the stack without intercepting them: Playwright turns the HTTP cache off while it
   * routes requests, so a measurement of cached loads (bench:web) must not route. Tests leave it off.
   */
  keepHttpCache?: boolean;
  /** The browser to start (default CHROMIUM_PATH). */
  chromiumPath?: string;
  /** The viewport (default 1280×900, a laptop). */
  viewport?: { width: number; height: number };
}

/** Why no browser could be started, said so the reader knows what to install or set. */
export class ChromiumMissing extends Error {}

/** Whether a request stays on the stack: one of its origins, or a page-local URL (data:, blob:). */
function allowedBy(origins: readonly string[], url: string): boolean {
  const u = new URL(url);
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return origins.includes(u.origin) && LOOPBACK.includes(u.hostname);
}

export async function openBrowser(opts: BrowserOptions): Promise<BrowserSession> {
  const executablePath = opts.chromiumPath ?? CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    throw new ChromiumMissing(`Chromium is not at ${executablePath}: install it (Debian: apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH=/path/to/chromium`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'autograph-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args: CHROMIUM_ARGS, viewport: opts.viewport ?? { width: 1280, height: 900 } });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new ChromiumMissing(`Chromium at ${executablePath} did not start (${(err as Error).message.split('\n')[0]}); check \`${executablePath} --version\` or set CHROMIUM_PATH`);
  }
  const requests: Request[] = [];
  const blocked: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => {
    requests.push(r);
    if (opts.keepHttpCache && !allowedBy(opts.allowedOrigins, r.url())) blocked.push(r.url());
  });
  if (!opts.keepHttpCache) {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (allowedBy(opts.allowedOrigins, url)) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
  }
  const watch = (page: Page) => {
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    requests,
    blocked,
    errors,
    async screenshot(name, which = page) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await which.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
