/**
 * The registry flags of the server commands, as a person runs them: `npm run gateway -- --registry URL`
 * refuses a bad URL, a missing token and `--supergraph` alongside, and — with the registry unreachable and no
 * cached supergraph — exits saying what to do; `npm run subgraph -- <name> --registry URL` refuses a
 * subgraph that does not derive its schema from its peers. And the gateway as its own process follows a
 * registry: it serves the published graph, says where it comes from, and serves the next publish.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { as, testSigningKey } from '../testing/harness';
import { SHOP, productExtension, startTestRegistry } from '../testing/registry';
import { startShopServer, TEST_PARTNER_ISSUER, type ShopServer } from '../testing/shop-servers';

const root = resolve(__dirname, '..');
const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', JWT_SECRET: 'test-secret-that-is-long-enough' };

function run(script: string, args: string[], extra: Record<string, string> = {}) {
  const out = spawnSync(process.execPath, ['--import=tsx', script, ...args], { cwd: root, env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
  return { status: out.status, output: `${out.stdout}${out.stderr}` };
}

test('npm run gateway -- --registry refuses a bad URL, a missing token, and --supergraph alongside', () => {
  const bad = run('scripts/gateway.ts', ['--registry', 'registry:4100'], { REGISTRY_TOKEN: 't' });
  expect(bad.status).toBe(2);
  expect(bad.output).toContain('--registry="registry:4100" is not a http:// or https:// URL');
  const noToken = run('scripts/gateway.ts', ['--registry', 'http://127.0.0.1:9']);
  expect(noToken.status).toBe(2);
  expect(noToken.output).toContain('REGISTRY_TOKEN must be set');
  const both = run('scripts/gateway.ts', ['--registry', 'http://127.0.0.1:9', '--supergraph', 'schema/supergraph.graphql']);
  expect(both.status).toBe(2);
  expect(both.output).toContain('give --supergraph PATH or --registry URL, not both');
  const empty = run('scripts/gateway.ts', ['--registry']);
  expect(empty.status).toBe(2);
  expect(empty.output).toContain('--registry needs a value');
}, 120_000);

test('a gateway whose registry is unreachable and which has no cached supergraph exits saying what to do', () => {
  const cache = join(mkdtempSync(join(tmpdir(), 'autograph-nocache-')), 'supergraph.graphql');
  const res = run('scripts/gateway.ts', ['--registry', 'http://127.0.0.1:9', '--port', '0'], { REGISTRY_TOKEN: 't', SUPERGRAPH_CACHE_PATH: cache });
  expect(res.status).toBe(1);
  expect(res.output).toContain(`the registry at http://127.0.0.1:9 gives no supergraph: it cannot be reached`);
  expect(res.output).toContain(`no cached supergraph at ${cache}`);
  expect(res.output).toContain('Start the registry and publish the subgraphs');
}, 60_000);

test('a gateway whose token the registry refuses, with no cache, exits with the registry\'s reason', async () => {
  const reg = await startTestRegistry();
  try {
    const cache = join(mkdtempSync(join(tmpdir(), 'autograph-nocache-')), 'supergraph.graphql');
    const res = await new Promise<{ status: number | null; output: string }>((done) => {
      const child = spawn(process.execPath, ['--import=tsx', 'scripts/gateway.ts', '--registry', reg.url, '--port', '0'], { cwd: root, env: { ...env, REGISTRY_TOKEN: 'not-a-jwt', SUPERGRAPH_CACHE_PATH: cache } });
      let output = '';
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      child.on('exit', (status) => done({ status, output }));
    });
    expect(res.status).toBe(1);
    expect(res.output).toMatch(/gives no supergraph: it refused \(GET \/v1\/supergraph answered 401/);
  } finally {
    await reg.close();
  }
}, 60_000);

test('npm run subgraph -- <name> --registry refuses a subgraph that does not derive its schema from its peers', () => {
  const res = run('scripts/subgraph.ts', ['catalog', '--registry', 'http://127.0.0.1:9'], { REGISTRY_TOKEN: 't', DATABASE_URL: 'postgres://127.0.0.1:9/none' });
  expect(res.status).toBe(2);
  expect(res.output).toContain('--registry: catalog does not derive its schema from its peers');
  expect(res.output).toMatch(/only ([a-z]+, )*spending(, [a-z]+)* can/); // every peer-derived folder, listed from the tree
  const bad = run('scripts/subgraph.ts', ['spending', '--registry', 'nope']);
  expect(bad.status).toBe(2);
  expect(bad.output).toContain('--registry="nope" is not a http:// or https:// URL');
}, 120_000);

test('npm run gateway -- --registry URL, as its own process, serves the published graph and then the next publish', async () => {
  const reg = await startTestRegistry();
  const servers: ShopServer[] = [];
  let child: ChildProcess | undefined;
  try {
    const token = await reg.token(as.admin());
    for (const [name, sdl] of [['products', SHOP.products], ['reviews', SHOP.reviews]] as const) {
      const server = await startShopServer(sdl);
      servers.push(server);
      expect((await reg.call('POST', `/v1/subgraphs/${name}/publish`, { body: { schema: sdl, url: server.url } })).status).toBe(200);
    }
    const dir = mkdtempSync(join(tmpdir(), 'autograph-gw-cache-'));
    const cache = join(dir, 'supergraph.graphql');
    // The shop servers are partners' subgraphs to the gateway: it signs their tokens with the key they trust.
    const keyFile = join(dir, 'partner-key.pem');
    writeFileSync(keyFile, testSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    child = spawn(process.execPath, ['--import=tsx', 'scripts/gateway.ts', '--registry', reg.url, '--port', '0'], {
      cwd: root,
      env: { ...env, REGISTRY_TOKEN: token, SUPERGRAPH_CACHE_PATH: cache, REGISTRY_POLL_MS: '500', PARTNER_TOKEN_SIGNING_KEY_FILE: keyFile, PARTNER_TOKEN_ISSUER: TEST_PARTNER_ISSUER },
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const deadline = Date.now() + 60_000;
    while (!/gateway (http:\/\/\S+\/graphql) serving the registry at /.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the gateway did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = /gateway (http:\/\/\S+\/graphql)/.exec(out)![1];
    const ask = async (query: string) => (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json()) as { data?: any; errors?: unknown[] };
    expect((await ask('{ product(id: "1") { name reviews } }')).data).toEqual({ product: { name: 'name 1', reviews: ['reviews of 1'] } });

    const extra = await startShopServer(productExtension('rating'));
    servers.push(extra);
    expect((await reg.call('POST', '/v1/subgraphs/ratings/publish', { body: { schema: productExtension('rating'), url: extra.url } })).status).toBe(200);
    let answer = await ask('{ product(id: "2") { rating } }');
    while (answer.errors && Date.now() < deadline) answer = (await new Promise((r) => setTimeout(r, 200)), await ask('{ product(id: "2") { rating } }'));
    expect(answer.data).toEqual({ product: { rating: 'rating 2' } });
  } finally {
    child?.kill();
    for (const s of servers) await s.stop();
    await reg.close();
  }
}, 120_000);
