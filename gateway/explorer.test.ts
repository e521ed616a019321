/**
 * The explorer works on a machine without internet: a browser opening the graph's URL gets GraphiQL
 * from the project's own npm packages, with the headline question prefilled and (in development only)
 * a token for demo-driver. Proved in a real Chromium that records every request the page makes.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HEADLINE_QUERY } from './headline-query';
import { loadConfig } from './config';
import { startTestGraph, as, type TestGraph } from '../testing/harness';
import { seedAll } from '../testing/seed';
import { openBrowser, type BrowserSession } from '../testing/browser';
import { DEMO_USER } from '../platform/demo';

const ASSETS = ['/explorer/react.js', '/explorer/react-dom.js', '/explorer/graphiql.js', '/explorer/graphiql.css', '/explorer/explorer.js'];

const origin = (g: TestGraph) => new URL(g.url).origin;
/** What a browser sends when the user opens a URL. */
const asBrowser = (url: string) => fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });

test("the prefilled query is the README's headline question, word for word", () => {
  const readme = readFileSync(resolve(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The headline question'));
  const block = /```graphql\n([\s\S]*?)```/.exec(section)![1];
  expect(HEADLINE_QUERY.trim()).toBe(block.trim());
});

describe('EXPLORER configuration', () => {
  test('on in development, off in production and tests, and EXPLORER=true|false overrides', () => {
    const keys = { JWT_SECRET: 's'.repeat(16), AUTOGRAPH_PSEUDONYM_KEY: 'p'.repeat(32), PARTNER_TOKEN_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string };
    expect(loadConfig({}).explorer).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).explorer).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ...keys }).explorer).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', EXPLORER: 'true', ...keys }).explorer).toBe(true);
    expect(loadConfig({ EXPLORER: 'false' }).explorer).toBe(false);
    expect(() => loadConfig({ EXPLORER: 'yes' })).toThrow(/EXPLORER="yes" must be true or false/);
  });
});

describe('the explorer in development', () => {
  let g: TestGraph;
  let total: string;
  beforeAll(async () => {
    g = await startTestGraph({ development: true });
    await seedAll(g.db, 3);
    const r = await g.gql('{ me { spending { total { amount } } } }', {}, as.customer(DEMO_USER));
    total = r.data.me.spending.total.amount;
  }, 120_000);
  afterAll(async () => g?.stop());

  test('a browser opening the graph URL gets the explorer page, which loads only files the gateway serves itself', async () => {
    const page = await asBrowser(g.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await page.text();
    for (const asset of ASSETS) expect(html).toContain(asset);
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ASSETS) {
      const res = await fetch(origin(g) + asset);
      expect([asset, res.status]).toEqual([asset, 200]);
      expect(res.headers.get('content-type')).toMatch(asset.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect((await res.text()).length).toBeGreaterThan(100);
    }
    // Tools still get GraphQL (and Apollo's JSON answers) at the same URL.
    expect((await fetch(`${g.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': '1' } })).status).toBe(200);
  });

  test("a browser opening a subgraph's URL is not sent to Apollo's CDN either", async () => {
    const res = await asBrowser(g.subgraphUrl('orders'));
    expect(await res.text()).not.toMatch(/apollographql\.com|https?:\/\/(?!127\.0\.0\.1|localhost)/);
  });

  test('development hands the page a demo-driver token that the gateway accepts', async () => {
    const res = await fetch(`${origin(g)}/explorer/demo-token`);
    expect(res.status).toBe(200);
    const { token, sub } = (await res.json()) as { token: string; sub: string };
    expect(sub).toBe(DEMO_USER);
    const me = await g.gqlRaw('{ me { id } }', undefined, { authorization: `Bearer ${token}` });
    expect(me.data.me.id).toBe(DEMO_USER);
  });

  test("in Chromium the page renders, runs the headline query and shows demo-driver's total, and no request leaves the machine", async () => {
    let browser: BrowserSession | undefined;
    const problems: string[] = [];
    try {
      browser = await openBrowser({ allowedOrigins: [origin(g)] });
      const { page } = browser;
      browser.context.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
      await page.goto(g.url);
      await page.locator('.graphiql-execute-button').click({ timeout: 30_000 });
      const result = page.locator('.result-window');
      await result.getByText(`"${DEMO_USER}"`).waitFor({ timeout: 30_000 });
      expect(await result.innerText()).toContain(`"amount": "${total}"`);
      // The token helper: the Headers tab holds demo-driver's bearer token (me.id above came from it).
      expect(await page.locator('.graphiql-editor-tool').innerText()).toMatch(/"authorization": "Bearer ey/);
    } finally {
      await browser?.close();
    }
    expect(browser!.requests.length).toBeGreaterThan(5);
    // Anything not to the gateway was refused before it left the machine, and recorded.
    expect(browser!.blocked).toEqual([]);
    expect([...problems, ...browser!.errors]).toEqual([]);
  }, 90_000);
});

describe('the explorer in production', () => {
  let g: TestGraph;
  afterEach(async () => g?.stop());

  test("off unless configured: a browser gets a plain page naming the graph's URL, and no explorer files or demo token", async () => {
    g = await startTestGraph({ development: false });
    const page = await asBrowser(g.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/graphql');
    expect(html).not.toMatch(/graphiql|<script/i);
    for (const path of [...ASSETS, '/explorer', '/explorer/demo-token']) expect([path, (await fetch(origin(g) + path)).status]).toEqual([path, 404]);
  });

  test('in development with a secret of its own (demoTokens off), the explorer is served without a demo token', async () => {
    g = await startTestGraph({ development: true, demoTokens: false });
    expect(await (await asBrowser(g.url)).text()).toContain('/explorer/graphiql.js');
    expect((await fetch(`${origin(g)}/explorer/demo-token`)).status).toBe(404);
  });

  test('turned on in production, the explorer is served but never a demo token', async () => {
    g = await startTestGraph({ development: false, explorer: true });
    expect(await (await asBrowser(g.url)).text()).toContain('/explorer/graphiql.js');
    expect((await fetch(`${origin(g)}/explorer/graphiql.js`)).status).toBe(200);
    expect((await fetch(`${origin(g)}/explorer/demo-token`)).status).toBe(404);
  });
});
