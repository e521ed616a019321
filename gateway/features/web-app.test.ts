/**
 * The gateway serves the web app at /app from its built folder, through HTTP as a browser asks: the app's
 * routes get index.html (no-cache), hashed assets a year's immutable caching, types by extension, a
 * missing file a plain-text 404, a path out of the folder nothing, and an unbuilt app a page saying how
 * to build it. The folder here is a stand-in build (an index.html and a hashed asset), so the test says
 * what the feature does whatever the app's pages are.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGraph, type TestGraph } from '../../testing/harness';
import { readWebAppSettings } from './web-app';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';

/** A bundle-like asset, big and repetitive enough that compression shows. */
const APP_JS = Array.from({ length: 400 }, (_, i) => `export const value${i} = { id: ${i}, name: "component ${i}" };`).join('\n');

const INDEX = '<!doctype html><html><head><script type="module" src="/app/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>';
const SECRET = 'the gateway must never serve this';

/** A GET with the path exactly as written (fetch would normalise `..` away before sending it). */
function rawGet(base: string, path: string, extraHeaders: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; bytes: Buffer }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET', headers: { accept: 'text/html,*/*', ...extraHeaders } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body: bytes.toString('utf8'), bytes });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the built app at /app', () => {
  let root: string;
  let g: TestGraph;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'web-app-'));
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'index-AbC123.js'), 'console.log("app")');
    writeFileSync(join(dist, 'assets', 'index-AbC123.css'), 'body{}');
    writeFileSync(join(dist, 'assets', 'vendor-XyZ789.js'), APP_JS);
    // The copies the build writes beside each asset (scripts/web/precompress.ts).
    writeFileSync(join(dist, 'assets', 'vendor-XyZ789.js.br'), brotliCompressSync(APP_JS));
    writeFileSync(join(dist, 'assets', 'vendor-XyZ789.js.gz'), gzipSync(APP_JS));
    writeFileSync(join(dist, 'persisted-query-manifest.json'), '{"format":"apollo-persisted-query-manifest","version":1,"operations":[]}');
    writeFileSync(join(root, 'secret.txt'), SECRET);
    symlinkSync(join(root, 'secret.txt'), join(dist, 'assets', 'linked.txt'));
    g = await startTestGraph({ db: 'pglite', gatewayConfig: { webApp: { dir: dist } } });
  }, 120_000);
  afterAll(async () => {
    await g?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('/app/ and every app route get index.html, never cached, with a CSP that keeps the page on this origin', async () => {
    for (const path of ['/app/', '/app/index.html', '/app/spending', '/app/paid/Order/ord-000001', '/app/sign-in']) {
      const r = await rawGet(g.url, path);
      expect([path, r.status, r.body]).toEqual([path, 200, INDEX]);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toMatch(/default-src 'self'.*connect-src 'self'/);
    }
    const bare = await rawGet(g.url, '/app');
    expect([bare.status, bare.headers.location]).toEqual([308, '/app/']);
  });

  test('hashed assets are cached for a year as immutable, with their content type', async () => {
    const js = await rawGet(g.url, '/app/assets/index-AbC123.js');
    expect([js.status, js.body, js.headers['content-type'], js.headers['cache-control']]).toEqual([200, 'console.log("app")', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    const css = await rawGet(g.url, '/app/assets/index-AbC123.css');
    expect([css.status, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
  });

  test("a hashed asset is sent as the build's brotli or gzip copy when the browser accepts one, as itself otherwise, always with vary", async () => {
    const path = '/app/assets/vendor-XyZ789.js';
    const br = await rawGet(g.url, path, { 'accept-encoding': 'gzip, deflate, br' });
    expect([br.status, br.headers['content-encoding'], br.headers.vary, br.headers['content-type']]).toEqual([200, 'br', 'accept-encoding', 'text/javascript; charset=utf-8']);
    expect(brotliDecompressSync(br.bytes).toString()).toBe(APP_JS);
    expect(br.bytes.length).toBeLessThan(APP_JS.length / 4);
    const gz = await rawGet(g.url, path, { 'accept-encoding': 'gzip' });
    expect([gz.headers['content-encoding'], gunzipSync(gz.bytes).toString()]).toEqual(['gzip', APP_JS]);
    // br refused by its q-value: gzip.
    expect((await rawGet(g.url, path, { 'accept-encoding': 'br;q=0, gzip;q=0.5' })).headers['content-encoding']).toBe('gzip');
    const uncompressed: Record<string, string>[] = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'gzip;q=0' }];
    for (const none of uncompressed) {
      const plainCopy = await rawGet(g.url, path, none);
      expect([plainCopy.headers['content-encoding'], plainCopy.body, plainCopy.headers.vary]).toEqual([undefined, APP_JS, 'accept-encoding']);
    }
  });

  test('a missing file is a plain-text 404 (not JSON, not index.html)', async () => {
    const r = await rawGet(g.url, '/app/assets/index-Gone99.js');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.body).toMatch(/^not found: \/app\/assets\/index-Gone99\.js/);
    expect(() => JSON.parse(r.body)).toThrow();
  });

  test('no path reaches a file outside the folder: dot segments raw or encoded, backslashes, NUL, symlinks', async () => {
    const tries = ['/app/../secret.txt', '/app/assets/../../secret.txt', '/app/%2e%2e/secret.txt', '/app/..%2fsecret.txt', '/app/assets/..%2f..%2fsecret.txt', '/app/..%5csecret.txt', '/app/%2e%2e%2f%2e%2e%2fsecret.txt', '/app/secret.txt%00.js', '/app/assets/linked.txt', '/app//..//secret.txt'];
    for (const path of tries) {
      const r = await rawGet(g.url, path);
      expect([path, r.body.includes(SECRET)]).toEqual([path, false]);
      expect([path, r.status]).toEqual([path, 404]);
    }
  });

  test("the persisted-query manifest is the gateway's to read, not a file the app serves", async () => {
    expect((await rawGet(g.url, '/app/persisted-query-manifest.json')).status).toBe(404);
  });

  test('/app/config.json tells the app where the graph is, its client name and how to sign in', async () => {
    const r = await rawGet(g.url, '/app/config.json');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ graphqlPath: '/graphql', clientName: 'web', demoSignIn: false, signInUrl: null });
  });
});

describe('an app that was not built', () => {
  let root: string;
  let g: TestGraph;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'web-app-unbuilt-'));
    g = await startTestGraph({ db: 'pglite', gatewayConfig: { webApp: { dir: join(root, 'dist') } } });
  }, 120_000);
  afterAll(async () => {
    await g?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('/app says it is not built and how to build it, and the graph still answers', async () => {
    const r = await rawGet(g.url, '/app/spending');
    expect(r.status).toBe(503);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('The web app is not built');
    expect(r.body).toContain('npm run web:build');
    expect((await g.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});

test('WEB_APP_DIR named explicitly must hold a built app; WEB_SIGN_IN_URL must be a URL', () => {
  const problems: string[] = [];
  readWebAppSettings({ WEB_APP_DIR: join(tmpdir(), 'no-such-web-app-dir'), WEB_SIGN_IN_URL: 'not a url' }, problems);
  expect(problems).toEqual([
    expect.stringMatching(/^WEB_APP_DIR=".*no-such-web-app-dir" has no index\.html: build the app there \(npm run web:build writes web\/dist\) or unset it$/),
    'WEB_SIGN_IN_URL="not a url" is not a https:// or http:// URL',
  ]);
  const configured: string[] = [];
  expect(readWebAppSettings({ WEB_SIGN_IN_URL: 'https://id.example.com/authorize?client_id=autograph-web' }, configured).signInUrl).toBe('https://id.example.com/authorize?client_id=autograph-web');
  expect(configured).toEqual([]);
  const defaults: string[] = [];
  expect(readWebAppSettings({}, defaults).dir).toMatch(/web\/dist$/);
  expect(defaults).toEqual([]);
});
