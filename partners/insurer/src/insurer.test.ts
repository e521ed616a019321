/**
 * The insurer on its own, as a partner's CI would test it (nothing of the graph's code): configuration
 * refusals, the gateway-token check, and the spending contract over HTTP — first + 1 lines after the
 * cursor in the shared order, sums per UTC month exact to the fen, and a customer reading only their own.
 * Runs on PostgreSQL (its own schema) when DATABASE_URL is set, else an in-memory PGlite.
 */
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { loadInsurerConfig } from './config';
import { openInsurerDb, type InsurerDb } from './db';
import { createGatewayTokenVerifier, Unauthenticated } from './identity';
import { seed } from './seed';
import { startInsurer, type RunningInsurer } from './server';
import { encodeCursor } from './spending';
import { migrate } from './store';

const ISSUER = 'test-gateway';
const AUDIENCE = 'autograph:subgraph:insurer';
const schema = `insurer_unit_${randomBytes(4).toString('hex')}`;
let key: { privateKey: KeyLike; jwk: JWK };
let db: InsurerDb;
let server: RunningInsurer;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  key = { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' } };
  db = await openInsurerDb({ databaseUrl: process.env.DATABASE_URL, dbSchema: schema, pgliteDir: undefined as unknown as string });
  await migrate(db);
  await seed(db, 'alice');
  await seed(db, 'bob');
  const verify = createGatewayTokenVerifier({ jwksUrl: 'http://unused.invalid/jwks', issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet({ keys: [key.jwk] }) });
  server = await startInsurer({ db, verify, port: 0 });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  if (process.env.DATABASE_URL) await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db?.close();
});

const token = (claims: Record<string, unknown>, opts: { aud?: string; exp?: number } = {}) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(ISSUER).setAudience(opts.aud ?? AUDIENCE).setIssuedAt().setExpirationTime(opts.exp ?? '60s').sign(key.privateKey);

async function gql(query: string, claims: Record<string, unknown> | null) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (claims) headers.authorization = `Bearer ${await token(claims)}`;
  const res = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

const page = (user: string, first: number, after = '', period = 'all') =>
  `{ _entities(representations: [{ __typename: "SpendingLinePage", userId: "${user}", internalUserId: "${user}", period: "${period}", first: ${first}, after: "${after}" }]) {
     ... on SpendingLinePage { insurerLines { id occurredAt amount subjectType subjectId category } } } }`;

describe('configuration', () => {
  test('defaults name the demo user, the local gateway and its JWKS', () => {
    const c = loadInsurerConfig({});
    expect([c.seedUser, c.jwksUrl, c.audience, c.port]).toEqual(['demo-driver', 'http://127.0.0.1:4000/.well-known/jwks.json', AUDIENCE, 4010]);
  });
  test('every bad value is reported at once, naming the variable', () => {
    expect(() => loadInsurerConfig({ PORT: 'x', GATEWAY_URL: 'ftp://gw', INSURER_DB_SCHEMA: 'Drop Table', DATABASE_URL: 'mysql://db' })).toThrow(
      /PORT="x" is not a TCP port[\s\S]*GATEWAY_URL="ftp:\/\/gw" is not an http:\/\/ or https:\/\/ URL[\s\S]*INSURER_DB_SCHEMA="Drop Table" must be a lower-case PostgreSQL name[\s\S]*DATABASE_URL must be a postgres:\/\//,
    );
    expect(() => loadInsurerConfig({ NODE_ENV: 'production', GATEWAY_URL: 'http://gateway.example/graphql' })).toThrow(/GATEWAY_URL must be https:\/\/ when NODE_ENV=production/);
  });
});

describe("the gateway's token", () => {
  const verify = () => createGatewayTokenVerifier({ jwksUrl: 'http://unused.invalid/jwks', issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet({ keys: [key.jwk] }) });
  test('names the caller, or an anonymous one', async () => {
    expect(await verify()(`Bearer ${await token({ sub: 'alice', role: 'customer' })}`)).toEqual({ sub: 'alice', role: 'customer' });
    expect(await verify()(`Bearer ${await token({ anonymous: true })}`)).toBeNull();
  });
  test.each([
    ['another audience', async () => `Bearer ${await token({ sub: 'a', role: 'customer' }, { aud: 'autograph:subgraph:charging' })}`, /another subgraph/],
    ['expired', async () => `Bearer ${await token({ sub: 'a', role: 'customer' }, { exp: Math.floor(Date.now() / 1000) - 60 })}`, /expired/],
    ['an unknown role', async () => `Bearer ${await token({ sub: 'a', role: 'service' })}`, /does not name a caller/],
    ['no caller at all', async () => `Bearer ${await token({})}`, /does not name a caller/],
    ['missing', async () => undefined, /answers only the graph's gateway/],
  ])('%s is refused', async (_name, header, message) => {
    await expect(verify()(await header())).rejects.toThrow(Unauthenticated);
    await expect(verify()(await header())).rejects.toThrow(message);
  });
});

describe('the spending contribution', () => {
  test('lines come first + 1 at a time after the cursor, newest first, ties broken by line id descending', async () => {
    const first = await gql(page('alice', 2), { sub: 'alice', role: 'customer' });
    const lines = first.body.data._entities[0].insurerLines;
    expect(lines.map((l: any) => [l.id, l.amount, l.category, l.subjectType])).toEqual([
      ['insurer:premium:prem-alice-4', '355.25', 'INSURER_PREMIUM', 'InsurerPremium'],
      ['insurer:premium:prem-alice-3', '426.40', 'INSURER_PREMIUM', 'InsurerPremium'],
      ['insurer:premium:prem-alice-2', '355.25', 'INSURER_PREMIUM', 'InsurerPremium'],
    ]);
    const cursor = encodeCursor(new Date(lines[1].occurredAt), lines[1].id);
    const next = await gql(page('alice', 2, cursor), { sub: 'alice', role: 'customer' });
    expect(next.body.data._entities[0].insurerLines.map((l: any) => l.id)).toEqual(['insurer:premium:prem-alice-2', 'insurer:premium:prem-alice-1']);
  });

  test('buckets sum each UTC month exactly, within the period', async () => {
    const q = (period: string) => `{ _entities(representations: [{ __typename: "SpendingReport", userId: "alice", internalUserId: "alice", period: "${period}" }]) {
      ... on SpendingReport { insurerBuckets { category month amount lineCount } } } }`;
    const all = await gql(q('all'), { sub: 'alice', role: 'customer' });
    expect(all.body.data._entities[0].insurerBuckets).toEqual([
      { category: 'INSURER_PREMIUM', month: '2026-01', amount: '355.25', lineCount: 1 },
      { category: 'INSURER_PREMIUM', month: '2026-02', amount: '781.65', lineCount: 2 },
      { category: 'INSURER_PREMIUM', month: '2026-03', amount: '355.25', lineCount: 1 },
    ]);
    const feb = await gql(q('2026-02-01T00:00:00.000Z..2026-03-01T00:00:00.000Z'), { sub: 'alice', role: 'customer' });
    expect(feb.body.data._entities[0].insurerBuckets.map((b: any) => b.month)).toEqual(['2026-02']);
  });

  test("a customer gets none of another customer's lines; bad pages and periods are refused", async () => {
    const res = await gql(page('alice', 2), { sub: 'bob', role: 'customer' });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(res.body.data ?? null)).not.toContain('prem-alice');
    for (const bad of [page('alice', 0), page('alice', 101), page('alice', 2, 'not-a-cursor'), page('alice', 2, '', '2026..x')]) {
      expect((await gql(bad, { sub: 'alice', role: 'customer' })).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  test('a request without a token is 401 and one over 1 MB is 413', async () => {
    expect((await gql(page('alice', 2), null)).status).toBe(401);
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await token({ sub: 'alice', role: 'customer' })}` }, body: JSON.stringify({ query: `{ __typename }`, pad: 'x'.repeat(1_100_000) }) });
    expect(res.status).toBe(413);
  });
});
