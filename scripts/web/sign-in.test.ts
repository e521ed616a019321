/**
 * The web app signs in through a deployment's identity provider (WEB_SIGN_IN_URL), in a real Chromium:
 * "Sign in with your account" goes to the provider with `redirect_uri`, the provider sends the person back
 * with the token in the URL fragment, and the app keeps it, drops it from the address bar and shows the
 * dashboard with that person's spending. The provider here is a stand-in that signs in user-000001.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openBrowser, type BrowserSession } from '../../testing/browser';
import { as, startTestGraph, type TestGraph } from '../../testing/harness';
import { seedAll } from '../../testing/seed';
import { buildWebApp, WEB_DIST, webBuildStaleness } from './build';

let g: TestGraph;
let idp: Server;
let idpUrl: string;
let browser: BrowserSession;
const asked: string[] = [];

beforeAll(async () => {
  if (webBuildStaleness() !== null) await buildWebApp();
  idp = createServer(async (req, res) => {
    asked.push(req.url ?? '');
    const back = new URL(req.url ?? '/', 'http://idp').searchParams.get('redirect_uri')!;
    res.writeHead(302, { location: `${back}#access_token=${await g.token(as.customer('user-000001'))}` });
    res.end();
  });
  await new Promise<void>((done) => idp.listen(0, '127.0.0.1', done));
  idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/authorize?client_id=autograph-web`;
  g = await startTestGraph({ gatewayConfig: { webApp: { dir: WEB_DIST, signInUrl: idpUrl } } });
  await seedAll(g.db, 3);
  // The page may reach the graph and the stand-in provider, nothing else.
  browser = await openBrowser({ allowedOrigins: [new URL(g.url).origin, new URL(idpUrl).origin] });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await g?.stop();
  await new Promise((done) => idp?.close(done));
});

test("the provider's token in the fragment signs the person in, leaves the address bar, and shows their own spending", async () => {
  const origin = new URL(g.url).origin;
  const { page } = browser;
  await page.goto(`${origin}/app/`);
  await page.waitForURL(/\/app\/sign-in$/);
  // Not development: no demo users are offered, only the provider.
  expect(await page.getByLabel('Demo user').count()).toBe(0);
  await page.getByRole('link', { name: 'Sign in with your account' }).click();
  await page.waitForURL(/\/app\/spending$/, { timeout: 60_000 });
  expect(asked).toEqual([`/authorize?client_id=autograph-web&redirect_uri=${encodeURIComponent(`${origin}/app/sign-in`)}`]);
  expect(page.url()).not.toContain('access_token');
  const total = page.locator('[data-testid="spending-total"]');
  // On a failure, what the page said (an error from the graph) is the useful part.
  await total.waitFor({ timeout: 60_000 }).catch(async (e) => {
    throw new Error(`${e}\nthe page said: ${await page.locator('body').innerText()}`);
  });
  const own = await g.gql('{ me { spending { total { amount } } } }', {}, as.customer('user-000001'));
  expect(await total.getAttribute('data-amount')).toBe(own.data.me.spending.total.amount);
  // Signing out forgets the token: the app is back at sign-in.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/app\/sign-in$/);
  expect(await page.evaluate('sessionStorage.length')).toBe(0);
  expect(browser.blocked).toEqual([]);
}, 180_000);
