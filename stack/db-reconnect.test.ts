/**
 * A restarted PostgreSQL is reconnected without a restart of ours: the `Db` pool against a private server
 * (testing/postgres-server.ts; the machine's shared one is never restarted) works, fails clearly while the
 * server is down, and works again once it is back — the same pool object, not a new one; a transaction
 * caught by the shutdown fails without crashing the process; and a subgraph process on that server keeps
 * answering after the restart.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IDENTITY_HEADER } from '../platform/identity';
import { generateSigningKey } from '../platform/signing-keys';
import { createSubgraphTokenSigner } from '../gateway/subgraph-tokens';
import { openPostgres, type PostgresDb } from '../platform/db';
import { startPostgres, type PostgresServer } from '../testing/postgres-server';
import { startProcess, type Child } from '../scripts/bench/processes';
import { freePort } from '../testing/redis-server';
import { migrateAll } from '../subgraphs/seeding';

let pg: PostgresServer;
let db: PostgresDb;

beforeAll(async () => {
  pg = await startPostgres();
  db = await openPostgres(pg.url(), { maxConnections: 4, connectTimeoutMs: 5_000 });
}, 60_000);

afterAll(async () => {
  await db?.close().catch(() => undefined);
  await pg?.destroy();
});

/** Retries `fn` until it resolves (a generous bound: the server is starting on a loaded machine). */
async function eventually<T>(fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test('the pool fails clearly while PostgreSQL is down and serves again after its restart, every pooled connection replaced', async () => {
  // Fill the pool with idle connections, each its own server session.
  const before = await Promise.all([0, 1, 2, 3].map(() => db.tx(async (q) => (await q.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)'))[0].pid)));
  expect(new Set(before).size).toBe(4);

  await pg.stop();
  await expect(db.query('SELECT 1')).rejects.toThrow(/ECONNREFUSED|terminat|shut ?down|Connection terminated/i);
  await expect(db.tx((q) => q.query('SELECT 1'))).rejects.toThrow(/ECONNREFUSED|terminat|shut ?down/i);
  await pg.start();

  // Every statement after the restart succeeds on the same pool: none lands on a dead pooled connection.
  const after = await Promise.all([0, 1, 2, 3].map(() => db.tx(async (q) => (await q.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)'))[0].pid)));
  for (let i = 0; i < 20; i++) expect(await db.query<{ n: number }>('SELECT $1::int AS n', [i])).toEqual([{ n: i }]);
  expect(after.some((pid) => before.includes(pid))).toBe(false);
}, 60_000);

test('a transaction open while PostgreSQL shuts down fails, the connection is dropped, and the process does not crash', async () => {
  let inside!: () => void;
  const txStarted = new Promise<void>((r) => (inside = r));
  let gone!: () => void;
  const serverGone = new Promise<void>((r) => (gone = r));
  // Between two statements: the client is checked out of the pool, with no query running when the server goes.
  const held = db.tx(async (q) => {
    await q.query('SELECT 1');
    inside();
    await serverGone;
    await q.query('SELECT 2');
  });
  await txStarted;
  await pg.stop();
  gone();
  await expect(held).rejects.toThrow(/terminat|ECONNREFUSED|not queryable|Connection/i);
  await pg.start();
  expect(await eventually(() => db.tx((q) => q.query<{ n: number }>('SELECT 7 AS n')))).toEqual([{ n: 7 }]);
  for (let i = 0; i < 8; i++) expect(await db.query<{ n: number }>('SELECT $1::int AS n', [i])).toEqual([{ n: i }]);
}, 60_000);

test('a subgraph process answers SUBGRAPH_UNAVAILABLE while PostgreSQL is down and keeps serving after it restarts, with no restart of its own', async () => {
  const database = `restart_${Date.now()}`;
  await db.query(`CREATE DATABASE ${database}`);
  const sub = await openPostgres(pg.url(database), 2);
  await migrateAll(sub);
  await sub.close();
  const port = await freePort();
  const serviceKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  // The test signs as the gateway does, and serves the public half where the subgraph reads it.
  const gateway = createSubgraphTokenSigner({ issuer: 'autograph-gateway-test', key: { kind: 'configured', key: generateSigningKey() }, previousKeys: [] });
  const keys: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(gateway.jwks())));
  await new Promise<void>((ok) => keys.listen(0, '127.0.0.1', ok));
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    DATABASE_URL: pg.url(database),
    SERVICE_TOKEN_SIGNING_KEY: serviceKey,
    PARTNER_TOKEN_ISSUER: 'autograph-gateway-test',
    GATEWAY_JWKS_URL: `http://127.0.0.1:${(keys.address() as AddressInfo).port}/.well-known/jwks.json`,
    AUTOGRAPH_PSEUDONYM_KEY: 'a'.repeat(64),
    JWT_SECRET: 'db-reconnect-test-secret-of-enough-length',
    PARTNER_TOKEN_SIGNING_KEY: serviceKey,
  };
  let child: Child | undefined;
  try {
    child = await startProcess('scripts/subgraph.ts', ['catalog', '--port', String(port)], env);
    const askRaw = async () => {
      const body = { query: '{ models(first: 1) { edges { node { id } } } }' };
      const token = await gateway.sign(null, 'catalog', body);
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: token }, body: JSON.stringify(body) });
      return (await res.json()) as { data?: { models: { edges: unknown[] } }; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    };
    const ask = async () => {
      const answer = await askRaw();
      if (answer.errors) throw new Error(answer.errors.map((e) => e.message).join('; '));
      return answer.data;
    };
    await ask();
    await pg.stop();
    // While it is down: a retryable code naming the subgraph, not a masked internal error.
    const down = await askRaw();
    expect(down.errors?.[0]).toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'catalog' }, message: expect.stringMatching(/^catalog cannot reach its database right now; retry shortly/) });
    await pg.start();
    await eventually(ask);
    for (let i = 0; i < 10; i++) await ask(); // not one lucky answer: every one works
    expect(child.output()).not.toMatch(/uncaught|unhandled/i);
  } finally {
    await child?.stop();
    keys.close();
  }
}, 120_000);
