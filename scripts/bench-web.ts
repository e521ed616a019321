/**
 * `npm run bench:web -- [--runs N] [--users N]` — how heavy and how fast is the owner's web app:
 *   - the bundle: every file of `web/dist` (built first if it is not), raw and gzip-compressed (level 6,
 *     what a reverse proxy sends), and what the dashboard's first visit downloads;
 *   - time to first render of the dashboard in Chromium: navigation start → the spending total on the
 *     screen (a MutationObserver in the page stamps the moment the total element holds its amount), cold
 *     (HTTP cache emptied before each run) and warm (hashed assets cached), median of N runs each.
 * The graph is the browser tests' stack (`testing/web-stack.ts`: the whole graph, the app at /app, the
 * manifest as client web's trusted documents), on a throwaway PostgreSQL database (DATABASE_URL, default
 * local) seeded with --users users; the signed-in user is demo-driver.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEMO_USER } from '../platform/demo';
import { CHROMIUM_PATH, openBrowser } from '../testing/browser';
import { ensureWebAppBuilt, signIn, startWebStack, WEB_DIST } from '../testing/web-stack';
import { parseFlags } from './cli';
import { isPrecompressedCopy } from './web/precompress';

const TOTAL = '[data-testid="spending-total"]';

/** Stamps `window.__totalRenderedAt` (ms since navigation start) when the total first shows its amount. */
const STAMP_TOTAL = `(() => {
  const seen = () => { const el = document.querySelector('${TOTAL}'); return el && el.getAttribute('data-amount') && el.textContent.trim(); };
  const stamp = () => { if (window.__totalRenderedAt === undefined && seen()) { window.__totalRenderedAt = performance.now(); observer.disconnect(); } };
  const observer = new MutationObserver(stamp);
  document.addEventListener('DOMContentLoaded', () => { observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true }); stamp(); });
})();`;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function bundle() {
  const rows = files(WEB_DIST)
    .filter((p) => !p.endsWith('.map') && !isPrecompressedCopy(p))
    .map((p) => {
      const body = readFileSync(p);
      return { file: relative(WEB_DIST, p), raw: body.length, gzip: gzipSync(body, { level: 6 }).length };
    })
    .sort((a, b) => b.raw - a.raw);
  console.log(`\nweb/dist (built ${statSync(join(WEB_DIST, 'index.html')).mtime.toISOString()}):`);
  console.log(`${'file'.padEnd(56)} ${'raw'.padStart(11)} ${'gzip'.padStart(11)}`);
  for (const r of rows) console.log(`${r.file.padEnd(56)} ${kb(r.raw).padStart(11)} ${kb(r.gzip).padStart(11)}`);
  const sum = (pick: (r: (typeof rows)[number]) => boolean) => rows.filter(pick).reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip }), { raw: 0, gzip: 0 });
  const js = sum((r) => r.file.endsWith('.js'));
  const css = sum((r) => r.file.endsWith('.css'));
  console.log(`${'all JavaScript'.padEnd(56)} ${kb(js.raw).padStart(11)} ${kb(js.gzip).padStart(11)}`);
  console.log(`${'all CSS'.padEnd(56)} ${kb(css.raw).padStart(11)} ${kb(css.gzip).padStart(11)}`);
  return { rows, js, css };
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), { runs: 'int', users: 'int' });
  const runs = (flags.runs as number | undefined) ?? 7;
  if (runs < 1 || runs > 100) throw new Error(`--runs ${runs}: give 1 to 100`);
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  await ensureWebAppBuilt();
  bundle();

  const stack = await startWebStack({ users: (flags.users as number | undefined) ?? 20 });
  const browser = await openBrowser({ allowedOrigins: [stack.origin], keepHttpCache: true }).catch(async (err) => {
    await stack.stop();
    throw err;
  });
  try {
    const { page, context } = browser;
    await context.addInitScript(STAMP_TOTAL);
    await signIn(page, stack, DEMO_USER);
    await page.locator(TOTAL).waitFor({ timeout: 60_000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const dashboard = `${stack.appUrl}spending`;

    const measure = async (cold: boolean) => {
      // Cold: no HTTP cache at all (the disk cache emptied and Blink's memory cache bypassed), as a first visit.
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: cold });
      if (cold) await cdp.send('Network.clearBrowserCache');
      // What came over the network: answers served from a cache are left out.
      let bytes = 0;
      const cached = new Set<string>();
      const onCached = (e: { requestId: string }) => cached.add(e.requestId);
      const onResponse = (e: { requestId: string; response: { fromDiskCache?: boolean } }) => e.response.fromDiskCache && cached.add(e.requestId);
      const onLoaded = (e: { requestId: string; encodedDataLength: number }) => !cached.has(e.requestId) && (bytes += e.encodedDataLength);
      cdp.on('Network.requestServedFromCache', onCached);
      cdp.on('Network.responseReceived', onResponse);
      cdp.on('Network.loadingFinished', onLoaded);
      await page.goto(dashboard);
      // The stamp is set by the observer as the total is inserted, before Playwright can see the element.
      // (Not waitForFunction: the app's CSP forbids the eval it polls with.)
      await page.locator(TOTAL).waitFor({ timeout: 60_000 });
      const [rendered, fcp] = (await page.evaluate(`[window.__totalRenderedAt, performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN]`)) as [number | undefined, number];
      if (rendered === undefined) throw new Error('the total was shown but the page did not stamp it: the measuring script did not run');
      cdp.off('Network.requestServedFromCache', onCached);
      cdp.off('Network.responseReceived', onResponse);
      cdp.off('Network.loadingFinished', onLoaded);
      return { rendered: rendered as number, fcp, bytes };
    };
    await measure(true); // warm-up: the graph's query plans and connections, Chromium's code caches
    const results: Record<string, Array<{ rendered: number; fcp: number; bytes: number }>> = { cold: [], warm: [] };
    for (let i = 0; i < runs; i++) {
      results.cold.push(await measure(true));
      results.warm.push(await measure(false));
    }
    console.log(`\ntime to first render of the dashboard (${DEMO_USER}), ${runs} runs each, ms from navigation start:`);
    console.log(`${'cache'.padEnd(8)} ${'total shown: median'.padStart(20)} ${'min'.padStart(7)} ${'max'.padStart(7)} ${'first paint (median)'.padStart(21)} ${'downloaded'.padStart(11)}`);
    console.log('(downloaded: bytes over the network, median; the gateway sends the build\'s brotli copies to Chromium)');
    for (const [name, rs] of Object.entries(results)) {
      const t = rs.map((r) => r.rendered);
      console.log(`${name.padEnd(8)} ${median(t).toFixed(0).padStart(20)} ${Math.min(...t).toFixed(0).padStart(7)} ${Math.max(...t).toFixed(0).padStart(7)} ${median(rs.map((r) => r.fcp)).toFixed(0).padStart(21)} ${kb(median(rs.map((r) => r.bytes))).padStart(11)}`);
    }
    const chromium = spawnSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8' }).stdout.trim();
    console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${chromium}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    if (browser.blocked.length) throw new Error(`the app asked for something outside the stack: ${browser.blocked.join(', ')}`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
