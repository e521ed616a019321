/**
 * The browser harness itself: a missing Chromium is said plainly, and a page's requests off the stack
 * (another host, or another port of this machine) are refused before they leave and are recorded.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { ChromiumMissing, openBrowser, SCREENSHOT_DIR } from './browser';

/** A server on a free loopback port; `hits` counts what reached it. */
async function serve(body: (port: number) => string): Promise<{ server: Server; origin: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body((server.address() as AddressInfo).port));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

test('a missing Chromium is refused with where it was looked for and how to install or point at one', async () => {
  const attempt = openBrowser({ allowedOrigins: [], chromiumPath: '/nonexistent/chromium' });
  await expect(attempt).rejects.toBeInstanceOf(ChromiumMissing);
  await expect(attempt).rejects.toThrow('Chromium is not at /nonexistent/chromium: install it (Debian: apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH');
});

test("a page's requests to another host or another local port are refused before they leave, and recorded; the stack's own are served", async () => {
  const other = await serve(() => 'other');
  const stack = await serve(
    () => `<!doctype html><title>page</title><img src="https://cdn.example.com/logo.png"><img src="${other.origin}/pixel.png"><img src="/own.png">`,
  );
  const browser = await openBrowser({ allowedOrigins: [stack.origin] });
  try {
    await browser.page.goto(`${stack.origin}/`, { waitUntil: 'load' });
    expect(browser.blocked.sort()).toEqual([`${other.origin}/pixel.png`, 'https://cdn.example.com/logo.png'].sort());
    expect(other.hits).toEqual([]);
    expect(stack.hits).toEqual(expect.arrayContaining(['/', '/own.png']));
    const shot = await browser.screenshot('browser-harness-selftest');
    expect(shot.startsWith(SCREENSHOT_DIR)).toBe(true);
    expect(existsSync(shot)).toBe(true);
  } finally {
    await browser.close();
    other.server.close();
    stack.server.close();
  }
}, 60_000);
