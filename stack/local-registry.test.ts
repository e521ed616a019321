/**
 * The registry inside `npm start`, in-process on real PostgreSQL (the schema `registry` of the stack's
 * database, as with DATABASE_URL): its settings are checked before anything starts, one message per
 * problem; the tree is published at the URLs it runs at, partners stay; and a tree that does not compose
 * with a published partner fails the start with the composition errors and how to remove the partner,
 * publishing nothing.
 */
import { loadConfig, type AutographConfig } from '../gateway/config';
import { mintToken } from '../gateway/auth';
import type { Db } from '../platform/db';
import { openTestDb, TEST_JWT } from '../testing/harness';
import { subgraphs } from '../subgraphs';
import type { RunningSubgraph } from '../subgraphs/kit/subgraph';
import { readLocalRegistrySettings, startLocalRegistry, TreeDoesNotCompose, type LocalRegistry } from './local-registry';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';
/** A partner that composes with the tree. */
const STOCK = `${LINK}\ntype Query { stockLevel(sku: ID!): Int }\n`;
const config = (env: NodeJS.ProcessEnv = {}) => loadConfig({ NODE_ENV: 'development', ...env }, {}, subgraphs());

describe('readLocalRegistrySettings', () => {
  test('defaults: beside the stack (port +100, PGlite <PGLITE_DIR>-registry); on DATABASE_URL the schema registry there', () => {
    const env = { PGLITE_DIR: 'data/here' };
    expect(readLocalRegistrySettings(env, config(env))).toMatchObject({ port: 4100, pgliteDir: 'data/here-registry', cachePath: 'data/here-supergraph.graphql', pollMs: 2000 });
    const moved = { PORT: '5000' };
    expect(readLocalRegistrySettings(moved, config(moved)).port).toBe(5100);
    const free = { PORT: '0' };
    expect(readLocalRegistrySettings(free, config(free)).port).toBe(0);
    const own = { REGISTRY_PORT: '4999', REGISTRY_PGLITE_DIR: 'elsewhere', DATABASE_URL: '' };
    expect(readLocalRegistrySettings(own, config(own))).toMatchObject({ port: 4999, pgliteDir: 'elsewhere' });
    const pg = { DATABASE_URL: 'postgres://u@db.example/x' };
    expect(readLocalRegistrySettings(pg, config(pg)).pgliteDir).toBeNull();
  });

  test.each([
    [{ REGISTRY_PORT: 'abc', REGISTRY_POLL_MS: '5' }, [/REGISTRY_PORT="abc" is not a TCP port/, /REGISTRY_POLL_MS="5" must be a whole number from 100/]],
    [{ PORT: '65500' }, [/the registry's port would be 65600 \(the gateway's 65500 \+ 100\): choose a lower --port, or set REGISTRY_PORT/]],
    [{ REGISTRY_MAX_BODY_BYTES: '-1' }, [/REGISTRY_MAX_BODY_BYTES="-1" must be a whole number/]],
  ])('%j is refused naming each variable', (env: NodeJS.ProcessEnv, messages) => {
    const checked = env.PORT ? config({ PORT: env.PORT }) : config({});
    expect(() => readLocalRegistrySettings(env, checked)).toThrow(/^Invalid configuration:/);
    try {
      readLocalRegistrySettings(env, checked);
    } catch (err) {
      for (const m of messages) expect((err as Error).message).toMatch(m);
    }
  });

  test('REGISTRY_URL is refused (npm start runs its own); REGISTRY_TOKEN is optional (a gateway key is issued for the run), also with JWT_JWKS_URL', () => {
    const following = { REGISTRY_URL: 'http://registry.example', REGISTRY_TOKEN: 'abc' };
    expect(() => readLocalRegistrySettings(following, config(following))).toThrow(/REGISTRY_URL=http:\/\/registry\.example\/?: npm start runs a registry of its own .*--no-registry/);
    const jwks = { JWT_JWKS_URL: 'https://idp.example/jwks.json' };
    expect(readLocalRegistrySettings(jwks, config(jwks)).token).toBeUndefined();
    expect(readLocalRegistrySettings({ ...jwks, REGISTRY_TOKEN: 'idp-admin-token' }, config(jwks)).token).toBe('idp-admin-token');
  });
});

describe('publishing the tree into it', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let local: LocalRegistry;
  let admin: string;
  // The tree's subgraphs as if running at these URLs (publishTree only reads their URLs here: no partner is merged).
  const running = Object.fromEntries(subgraphs().map((m, i) => [m.name, { name: m.name, url: `http://127.0.0.1:${17001 + i}/graphql`, updatePeers: async () => undefined } as unknown as RunningSubgraph]));
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${local.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    ({ db, drop } = await openTestDb());
    const settings = { port: 0, host: '127.0.0.1', maxBodyBytes: 4 << 20, pgliteDir: null, cachePath: '/dev/null', pollMs: 500, probeTimeoutMs: 1000 };
    local = await startLocalRegistry(settings, { jwt: TEST_JWT } as AutographConfig, db, undefined);
    admin = await mintToken(TEST_JWT, { sub: 'admin-1', role: 'admin' });
  }, 60_000);
  afterAll(async () => {
    await local?.stop();
    await drop?.();
  });

  test('a partner whose schema clashes with the tree fails the start: the composition errors and how to remove it, nothing published', async () => {
    // Published while the tree was not there (or before the tree grew its own `me`), beside another partner.
    const clash = `${LINK}\ntype Query { me: Int }\n`;
    const published = await call('POST', '/v1/publish', { subgraphs: [{ name: 'extras', schema: clash, url: 'http://extras.example/graphql' }, { name: 'stock', schema: STOCK, url: 'http://stock.example/graphql' }] });
    expect(published.status).toBe(200);
    const before = await db.query('SELECT name, version FROM registry.subgraph_versions ORDER BY name, version');

    const failed = await local.publishTree(running).then(() => null, (err: unknown) => err);
    expect(failed).toBeInstanceOf(TreeDoesNotCompose);
    const message = (failed as Error).message;
    expect(message).toMatch(/^this tree does not compose with what the registry at http:\/\/127\.0\.0\.1:\d+ \(schema registry of DATABASE_URL\) holds; nothing was published:\n✗ \[FIELD_TYPE_MISMATCH\] Type of field "Query.me" is incompatible across subgraphs/);
    expect(message).toContain('The registry keeps what partners published (extras, stock)');
    expect(message).toMatch(/npm run schema -- remove --name extras --allow-breaking --registry http:\/\/127\.0\.0\.1:\d+/);
    expect(message).toContain('npm start -- --no-registry');
    expect(await db.query('SELECT name, version FROM registry.subgraph_versions ORDER BY name, version')).toEqual(before);
  });

  test('once that partner is removed the tree is published at the URLs it runs at, by npm start, and the other partner stays', async () => {
    expect((await call('POST', '/v1/subgraphs/extras/remove', { allowBreaking: true })).status).toBe(200);
    await local.publishTree(running);
    expect(local.partners).toEqual(['stock']);
    const listed = (await call('GET', '/v1/subgraphs')).body.subgraphs;
    expect(listed.map((s: any) => [s.name, s.routingUrl, s.publisher])).toEqual(
      [...subgraphs().map((m) => [m.name, running[m.name].url, 'npm start']), ['stock', 'http://stock.example/graphql', 'admin-1']].sort((a, b) => a[0].localeCompare(b[0])),
    );
  });
});
