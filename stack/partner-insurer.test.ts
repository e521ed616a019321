/**
 * The example partner (partners/insurer/) as a partner runs it — its own process, its own database —
 * joined into a running test graph: the spending merger learns it as a contributor, the gateway gets a
 * supergraph that routes to it (through a recording proxy, which sees exactly what the partner receives).
 * Proves: a customer's request reaches the partner with a token it verifies; its premiums count in
 * `me.spending` to the fen, paginated across pages, with `paidFor` resolved by the partner; the partner
 * never receives the internal identity header or request id; a call that did not come from the gateway
 * (no token, another key, another partner's audience, expired, an HS256 token, or our identity header) is 401; a
 * token signed by the previous key of a rotation still verifies; a customer reads only their own rows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeProtectedHeader, decodeJwt, SignJWT, type KeyLike } from 'jose';
import { compose, formatProblems } from '../gateway/composition';
import { fileSupergraph } from '../gateway/file-supergraph';
import { generateSigningKey, type SigningKey } from '../platform/signing-keys';
import { partnerAudience } from '../gateway/subgraph-tokens';
import { supergraphId } from '../gateway/supergraph-source';
import { BODY_BINDING_CLAIM, IDENTITY_HEADER } from '../platform/identity';
import { openPostgres } from '../platform/db';
import { composeForTests, startTestGraph, as, treePeerSchemas, type TestGraph } from '../testing/harness';
import { subgraph } from '../subgraphs';
import { loadTypeDefs, servedSchema } from '../subgraphs/kit/module';
import { graphFolders } from './graph';

const root = resolve(__dirname, '..');
const partnerDir = join(root, 'partners', 'insurer');
const ISSUER = 'autograph-test-gateway';
const user = `u-${randomUUID()}`;
const other = `u-${randomUUID()}`;
const schema = `insurer_test_${randomBytes(4).toString('hex')}`;

const REPORT = `query($after: String) { me { spending { total { amount } byCategory { category total { amount } }
  lines(first: 2, after: $after) { edges { node { category amount { amount } description
    paidFor { __typename ... on InsurerPremium { description policy { productName } } } } }
    pageInfo { hasNextPage endCursor } } } } }`;

let g: TestGraph;
let partner: ChildProcess;
let partnerUrl: string;
let proxy: Server;
let file: string;
/** Headers of every request the partner received. */
const received: IncomingHttpHeaders[] = [];
const current: SigningKey = generateSigningKey('ES256');
const previous: SigningKey = generateSigningKey('EdDSA');

/** Starts the partner as its own process and resolves with its URL once it prints it. */
function startPartner(env: Record<string, string>): Promise<string> {
  partner = spawn(process.execPath, ['--import=tsx', join(partnerDir, 'src', 'main.ts')], { cwd: root, env: { PATH: process.env.PATH ?? '', PORT: '0', ...env } });
  let out = '';
  partner.stdout!.on('data', (d) => (out += d));
  partner.stderr!.on('data', (d) => (out += d));
  return new Promise((ok, fail) => {
    const timer = setInterval(() => {
      const m = /insurer subgraph (http:\/\/\S+\/graphql)/.exec(out);
      if (m) {
        clearInterval(timer);
        ok(m[1]);
      } else if (partner.exitCode !== null) {
        clearInterval(timer);
        fail(new Error(`the partner exited ${partner.exitCode}: ${out}`));
      }
    }, 100);
  });
}

/** A proxy in front of the partner that records the headers of each request it passes on. */
async function startRecordingProxy(target: string): Promise<string> {
  proxy = createServer(async (req, res) => {
    received.push(req.headers);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length', 'keep-alive'].includes(k)) headers[k] = v;
    const r = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body: req.method === 'POST' ? Buffer.concat(chunks) : undefined });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
}

async function servedId(): Promise<string | undefined> {
  const res = await fetch(new URL('/health/supergraph', g.url));
  return ((await res.json()) as { current?: { id: string } }).current?.id;
}

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'autograph-partner-')), 'supergraph.graphql');
  writeFileSync(file, composeForTests());
  // A gateway mid-rotation: signing with `current`, still publishing `previous`.
  g = await startTestGraph({
    supergraph: fileSupergraph(file, { debounceMs: 50, pollMs: 500 }),
    partnerTokens: { issuer: ISSUER, key: { kind: 'configured', key: current }, previousKeys: [previous.publicJwk] },
  });
  const db: Record<string, string> = process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, INSURER_DB_SCHEMA: schema } : { PGLITE_DIR: mkdtempSync(join(tmpdir(), 'autograph-insurer-')) };
  partnerUrl = await startPartner({ ...db, GATEWAY_URL: g.url, GATEWAY_TOKEN_ISSUER: ISSUER, INSURER_SEED_USER: user });
  const routingUrl = await startRecordingProxy(partnerUrl);

  // Joining, in the order a publisher follows: the merger learns the contributor, then the gateway plans with it.
  const insurer = { name: 'insurer', typeDefs: loadTypeDefs(partnerDir) };
  const peers = [...treePeerSchemas(), insurer];
  await g.stack.subgraphs.spending.updatePeers(peers);
  const sources = graphFolders().map((f) => (f.mod.fromPeers ? { ...f.source, typeDefs: servedSchema(subgraph(f.mod.name), peers).typeDefs } : f.source));
  const outcome = compose([...sources, { name: 'insurer', routingUrl, typeDefs: insurer.typeDefs }]);
  if (!outcome.ok) throw new Error(formatProblems(outcome.problems));
  writeFileSync(`${file}.tmp`, outcome.supergraphSdl);
  renameSync(`${file}.tmp`, file);
  const want = supergraphId(outcome.supergraphSdl);
  for (let i = 0; i < 200 && (await servedId()) !== want; i++) await new Promise((r) => setTimeout(r, 100));
  if ((await servedId()) !== want) throw new Error('the gateway did not take the supergraph with the partner');
}, 120_000);

afterAll(async () => {
  partner?.kill('SIGKILL');
  await new Promise<void>((ok) => (proxy ? proxy.close(() => ok()) : ok()));
  await g?.stop();
  if (process.env.DATABASE_URL) {
    const admin = await openPostgres(process.env.DATABASE_URL, 1);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.close();
  }
});

/** Posts straight to the partner, as someone going round the gateway would. */
async function direct(headers: Record<string, string>, query = '{ _service { sdl } }') {
  const res = await fetch(partnerUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

/** A token as the gateway would mint it, with `change` applied (a forger's or a mistaken issuer's). */
async function token(key: { privateKey: KeyLike | SigningKey['privateKey']; alg: string; kid: string }, change: { aud?: string; exp?: number; iss?: string; sub?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: 'customer' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setIssuer(change.iss ?? ISSUER)
    .setAudience(change.aud ?? partnerAudience('insurer'))
    .setSubject(change.sub ?? user)
    .setIssuedAt(now - 10)
    .setExpirationTime(change.exp ?? now + 60)
    .sign(key.privateKey as KeyLike);
}

test("a customer's premiums at the partner count in me.spending to the fen, page by page, with paidFor resolved by the partner", async () => {
  const first = await g.gql(REPORT, {}, as.customer(user));
  expect(first.errors).toBeUndefined();
  const spending = first.data.me.spending;
  expect(spending.total.amount).toBe('1492.15');
  expect(spending.byCategory).toEqual([{ category: 'INSURER_PREMIUM', total: { amount: '1492.15' } }]);
  const row = (e: any) => [e.node.amount.amount, e.node.paidFor.description, e.node.paidFor.policy.productName];
  // Newest first; the two February premiums share a time, so the line id (descending) decides.
  expect(spending.lines.edges.map(row)).toEqual([
    ['355.25', 'Comprehensive cover, March', 'Comprehensive cover'],
    ['426.40', 'Windscreen cover, 2026', 'Windscreen cover'],
  ]);
  expect(spending.lines.pageInfo.hasNextPage).toBe(true);
  const second = await g.gql(REPORT, { after: spending.lines.pageInfo.endCursor }, as.customer(user));
  expect(second.errors).toBeUndefined();
  expect(second.data.me.spending.lines.edges.map(row)).toEqual([
    ['355.25', 'Comprehensive cover, February', 'Comprehensive cover'],
    ['355.25', 'Comprehensive cover, January', 'Comprehensive cover'],
  ]);
  expect(second.data.me.spending.lines.pageInfo.hasNextPage).toBe(false);
});

test('the partner received a token for its own audience, verified it, and none of our internal headers', async () => {
  received.length = 0;
  const res = await g.gql('{ me { insurerPolicies { edges { node { productName premiums { amount { amount } } } } } } }', {}, as.customer(user));
  expect(res.errors).toBeUndefined();
  expect(res.data.me.insurerPolicies.edges.map((e: any) => [e.node.productName, e.node.premiums.map((p: any) => p.amount.amount)])).toEqual([
    ['Windscreen cover', ['426.40']],
    ['Comprehensive cover', ['355.25', '355.25', '355.25']],
  ]);
  expect(received.length).toBeGreaterThan(0);
  for (const headers of received) {
    expect(headers[IDENTITY_HEADER]).toBeUndefined();
    expect(headers['x-request-id']).toBeUndefined();
    expect(Object.keys(headers).filter((h) => h.startsWith('x-autograph'))).toEqual([]);
    const jwt = /^Bearer (.+)$/.exec(headers.authorization ?? '')![1];
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', kid: current.kid, typ: 'JWT' });
    const claims = decodeJwt(jwt);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', BODY_BINDING_CLAIM, 'role', 'sub'].sort());
    expect(claims).toMatchObject({ iss: ISSUER, aud: 'autograph:subgraph:insurer', sub: user, role: 'customer' });
    expect(claims.exp! - claims.iat!).toBe(60);
  }
  // The key it verified with is the one the gateway publishes, the previous key of the rotation beside it.
  const jwks = (await (await fetch(new URL('/.well-known/jwks.json', g.url))).json()) as { keys: Array<{ kid: string; alg: string; d?: string }> };
  expect(jwks.keys.map((k) => [k.kid, k.alg])).toEqual([[current.kid, 'ES256'], [previous.kid, 'EdDSA']]);
  expect(jwks.keys.some((k) => 'd' in k)).toBe(false);
});

test('a token marking the caller anonymous is accepted, and the partner refuses what needs sign-in', async () => {
  const direct = await fetch(partnerUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await new SignJWT({ anonymous: true }).setProtectedHeader({ alg: 'ES256', kid: current.kid }).setIssuer(ISSUER).setAudience(partnerAudience('insurer')).setIssuedAt().setExpirationTime('60s').sign(current.privateKey)}`,
    },
    body: JSON.stringify({ query: '{ _entities(representations: [{ __typename: "Vehicle", vin: "LJDAG000000000001" }]) { ... on Vehicle { insurerQuotes { productId } } } }' }),
  });
  const body = (await direct.json()) as any;
  expect(direct.status).toBe(200);
  expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
});

test("another customer sees none of this customer's premiums or policies, through the gateway or with a valid token of their own", async () => {
  const res = await g.gql('{ me { spending { total { amount } } insurerPolicies { edges { node { id } } } } }', {}, as.customer(other));
  expect(res.errors).toBeUndefined();
  expect(res.data.me).toEqual({ spending: { total: { amount: '0.00' } }, insurerPolicies: { edges: [] } });
  // With a correctly signed token of their own, asking for the first customer's rows by id is refused.
  const forged = await direct(
    { authorization: `Bearer ${await token(current, { sub: other })}` },
    `{ _entities(representations: [{ __typename: "InsurerPremium", id: "prem-${user}-1" }, { __typename: "User", id: "${user}", internalId: "${user}" }]) {
       ... on InsurerPremium { amount { amount } } ... on User { insurerPolicies { edges { node { id } } } } } }`,
  );
  expect(forged.status).toBe(200);
  expect(forged.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  expect(forged.body.data?._entities).toEqual([null, null]);
});

describe('a call that did not come from the gateway is 401 at the partner', () => {
  const now = () => Math.floor(Date.now() / 1000);
  test.each([
    ['no token', async () => ({})],
    ['a token signed by another key under the gateway key id', async () => ({ authorization: `Bearer ${await token({ ...generateSigningKey(), kid: current.kid })}` })],
    ['a token signed by a key the gateway does not publish', async () => ({ authorization: `Bearer ${await token(generateSigningKey())}` })],
    ["another partner's audience", async () => ({ authorization: `Bearer ${await token(current, { aud: partnerAudience('charging') })}` })],
    ['the graph\'s own audience', async () => ({ authorization: `Bearer ${await token(current, { aud: 'autograph' })}` })],
    ['another issuer', async () => ({ authorization: `Bearer ${await token(current, { iss: 'someone-else' })}` })],
    ['an expired token', async () => ({ authorization: `Bearer ${await token(current, { exp: now() - 30 })}` })],
    ['an HS256 token with a guessed secret', async () => ({ authorization: `Bearer ${await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(partnerAudience('insurer')).setSubject('x').setIssuedAt().setExpirationTime('60s').sign(new TextEncoder().encode('guessed-secret-guessed-secret-guessed'))}` })],
    ['an unsigned token', async () => ({ authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: user, role: 'admin', iss: ISSUER, aud: partnerAudience('insurer'), iat: now(), exp: now() + 60 })).toString('base64url')}.` })],
    ["our identity header, with a token the gateway signed for one of our subgraphs", async () => ({ [IDENTITY_HEADER]: await g.identityToken('orders', { sub: 'admin-1', role: 'admin' }, { query: '{ __typename }' }) })],
    ['a header that is not Bearer', async () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' })],
  ])('%s', async (_name, headers) => {
    const res = await direct(await headers());
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.body.data).toBeUndefined();
  });

  test('a token signed by the previous key of a rotation still verifies', async () => {
    const res = await direct({ authorization: `Bearer ${await token(previous)}` }, `{ _entities(representations: [{ __typename: "InsurerPremium", id: "prem-${user}-3" }]) { ... on InsurerPremium { amount { amount } } } }`);
    expect(res.status).toBe(200);
    expect(res.body.data._entities).toEqual([{ amount: { amount: '426.40' } }]);
  });
});
