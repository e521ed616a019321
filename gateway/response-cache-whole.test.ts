/**
 * The response cache's whole-response layer, through HTTP, on a real Redis shared by two gateway
 * replicas: a whole answer is served before Apollo runs at all (no request reaches Apollo's pipeline,
 * no fetch reaches a subgraph), yet it is as private, as fresh and as guarded as the operation itself —
 * another caller never gets it, a mutation through the other replica retires it, the rate limit still
 * charges and refuses it, the safelist and authentication still refuse it, and a new supergraph never
 * gets the old one's answer.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { visit } from 'graphql';
import Redis from 'ioredis';
import { mintToken } from './auth';
import { compose, formatProblems, readSupergraphConfig } from './composition';
import type { GatewayFeature } from './feature';
import { readTrustedDocumentsSettings } from './features/trusted-documents';
import { fileSupergraph } from './file-supergraph';
import { HEADLINE_QUERY } from './headline-query';
import { DEFAULT_RATE_LIMITS } from './rate-limit-policy';
import { GatewayRedis } from './redis';
import { supergraphId, type SupergraphSource } from './supergraph-source';
import { sha256Hex } from './trusted-manifest';
import { ok } from '../testing/assertions';
import { freshUser } from '../testing/fresh-ids';
import { as, composeForTests, startGatewayOver, TEST_JWT, TEST_REDIS_TIMEOUT_MS } from '../testing/harness';
import { buyCar, PAY_DEPOSIT, startOrdersGraph, type OrdersTestGraph } from '../testing/orders';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CACHE_ON = { responseCache: { enabled: true, development: true, maxEntries: 10_000, maxMegabytes: 32 } };
const MODELS = `{ models(first: 3) { edges { node { id name trims { id name } } } } }`;
type Gateway = Awaited<ReturnType<typeof startGatewayOver>>;

/** Counts what reaches Apollo's request pipeline, and what reaches any subgraph (after the cache). */
function counters() {
  const seen = { apollo: 0, fetches: 0 };
  const feature: GatewayFeature = {
    name: 'test-counters',
    plugins: [{ requestDidStart: async () => void seen.apollo++ }],
    wrapFetch: (next) => (call) => (seen.fetches++, next(call)),
  };
  return { feature, seen, reset: () => Object.assign(seen, { apollo: 0, fetches: 0 }) };
}

/** The graph as rover.yaml composes it, without the catalog's `Query.models`: a different supergraph. */
function composeWithoutModels(): string {
  const sources = readSupergraphConfig('rover.yaml').subgraphs.map((s) =>
    s.name !== 'catalog'
      ? s
      : { ...s, typeDefs: visit(s.typeDefs, { ObjectTypeDefinition: (n) => (n.name.value === 'Query' ? { ...n, fields: n.fields?.filter((f) => f.name.value !== 'models') } : undefined) }) },
  );
  const outcome = compose(sources);
  if (!outcome.ok) throw new Error(`composition failed:\n${formatProblems(outcome.problems)}`);
  return outcome.supergraphSdl;
}

describe('the whole-response cache', () => {
  const prefix = `autograph-test-rcw-${randomBytes(4).toString('hex')}:`;
  const dir = mkdtempSync(join(tmpdir(), 'autograph-whole-'));
  const supergraphFile = join(dir, 'supergraph.graphql');
  let t: OrdersTestGraph;
  const redis: GatewayRedis[] = [];
  const gateways: Gateway[] = [];
  let one: Gateway;
  let two: Gateway;
  let truth: Gateway;
  const c1 = counters();
  const c2 = counters();

  /** A replica on the shared Redis (its own connection), with `config` over the cache settings. */
  async function replica(config: object = {}, extra: GatewayFeature[] = [], supergraph?: SupergraphSource) {
    const r = await GatewayRedis.connect(REDIS_URL, { prefix, timeoutMs: TEST_REDIS_TIMEOUT_MS });
    redis.push(r);
    const gw = await startGatewayOver(t.g, { redis: r, config: { ...CACHE_ON, ...config }, extraFeatures: extra, supergraph });
    gateways.push(gw);
    return gw;
  }

  beforeAll(async () => {
    t = await startOrdersGraph();
    one = await replica({}, [c1.feature]);
    two = await replica({}, [c2.feature]);
    truth = await startGatewayOver(t.g);
    gateways.push(truth);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    const direct = new Redis(REDIS_URL);
    const keys = await direct.keys(`${prefix}*`);
    if (keys.length) await direct.del(...keys);
    direct.disconnect();
    await Promise.all(redis.map((r) => r.close()));
    await t?.g.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function send(gw: Gateway, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
    const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: any; errors?: any[]; extensions?: any } };
  }
  const bearer = async (sub: string) => ({ authorization: `Bearer ${await t.g.token(as.customer(sub))}` });
  const headline = async (gw: Gateway, user: string, headers: Record<string, string> = {}) => send(gw, HEADLINE_QUERY, { first: 50 }, { ...(await bearer(user)), ...headers });

  test('an answer seen whole is served again without Apollo running or any subgraph fetch, with the headers of a cached answer', async () => {
    const user = freshUser('rcw');
    await buyCar(t, user);
    const first = await headline(one, user);
    expect(first.body.errors).toBeUndefined();
    c1.reset();
    const metricsUrl = one.url.replace(/\/graphql$/, '/metrics');
    const wholeHits = async () => Number(/^autograph_gateway_response_cache_total\{result="whole_hit"\} (\d+)$/m.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);
    const hitsBefore = await wholeHits();
    const second = await headline(one, user, { 'x-request-id': 'whole-hit-1' });
    expect(c1.seen).toEqual({ apollo: 0, fetches: 0 });
    expect((await wholeHits()) - hitsBefore).toBe(1); // counted in /metrics though no Apollo hook ran
    expect(second.status).toBe(200);
    expect(second.body.data).toEqual(first.body.data);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('cache-control')).toMatch(/^max-age=\d+, private$/);
    expect(second.headers.get('x-request-id')).toBe('whole-hit-1');
    expect(second.headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.body.extensions).toEqual({ cache: { hits: expect.any(Number), misses: 0 }, cost: first.body.extensions.cost });
  });

  test("one customer's whole answer never reaches another, whose own answer is fetched", async () => {
    const a = freshUser('rcw-a');
    const b = freshUser('rcw-b');
    await buyCar(t, a);
    await buyCar(t, b);
    await headline(one, a);
    await headline(one, a);
    c1.reset();
    const forB = await headline(one, b);
    expect(c1.seen.apollo).toBe(1);
    expect(forB.body.data).toEqual((await headline(truth, b)).body.data);
    expect(JSON.stringify(forB.body.data)).not.toContain(a);
  });

  test("a customer's mutation through one replica makes their next request through the other fresh", async () => {
    const user = freshUser('rcw-m');
    await buyCar(t, user);
    const before = await headline(two, user);
    c2.reset();
    expect((await headline(two, user)).body.data).toEqual(before.body.data);
    expect(c2.seen.apollo).toBe(0);
    const placed = ok(await one.gql(`mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id deposit { amount } } }`, { input: { idempotencyKey: randomBytes(8).toString('hex'), trimId: t.trim.id } }, as.customer(user))).placeOrder;
    ok(await one.gql(PAY_DEPOSIT, { id: placed.id, amount: placed.deposit.amount }, as.customer(user)));
    const after = await headline(two, user);
    expect(after.body.data).not.toEqual(before.body.data);
    expect(after.body.data).toEqual((await headline(truth, user)).body.data);
  });

  test('an answer with an error, or a mutation, is never stored whole', async () => {
    // A partial answer: the public colours, and an error for an anonymous caller's `me`.
    const broken = `{ colours { id } me { id } }`;
    const partial = await send(one, broken, {});
    expect(partial.body.data?.colours?.length).toBeGreaterThan(0);
    expect(partial.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    c1.reset();
    await send(one, broken, {});
    expect(c1.seen.apollo).toBe(1);
    const user = freshUser('rcw-n');
    const placeOrder = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;
    const input = { idempotencyKey: randomBytes(8).toString('hex'), trimId: t.trim.id };
    await send(one, placeOrder, { input }, await bearer(user));
    c1.reset();
    await send(one, placeOrder, { input }, await bearer(user));
    expect(c1.seen).toMatchObject({ apollo: 1 });
    expect(c1.seen.fetches).toBeGreaterThan(0);
  });

  test('a cached public answer is still refused without a valid token: forged, or signed by someone else', async () => {
    await send(one, MODELS, {});
    c1.reset();
    expect((await send(one, MODELS, {})).headers.get('x-cache')).toBe('HIT');
    expect(c1.seen.apollo).toBe(0);
    const good = await t.g.token(as.customer(freshUser('rcw-t')));
    const forged = `${good.slice(0, -4)}AAAA`;
    const foreign = await mintToken({ ...TEST_JWT, secret: 'another-secret-that-is-long-enough' }, as.customer('rcw-t2'));
    for (const token of [forged, foreign, 'not.a.jwt']) {
      const res = await send(one, MODELS, {}, { authorization: `Bearer ${token}` });
      expect([res.status, res.body.errors?.[0]?.extensions?.code, res.body.data]).toEqual([401, 'UNAUTHENTICATED', undefined]);
    }
  });

  test("a cached answer is not served to what Apollo's CSRF prevention refuses: a body a browser may send cross-site unasked", async () => {
    await send(one, MODELS, {});
    expect((await send(one, MODELS, {})).headers.get('x-cache')).toBe('HIT');
    const simple = await send(one, MODELS, {}, { 'content-type': 'text/plain; application/json' });
    expect([simple.status, simple.body.data]).toEqual([400, undefined]);
    expect(simple.body.errors?.[0]?.message).toMatch(/CSRF/);
  });

  test('a whole hit still spends its full cost from the rate limit, and is refused once the limit is spent', async () => {
    const limited = await replica({ rateLimits: { ...DEFAULT_RATE_LIMITS, customer: { points: 30, windowSeconds: 60 } } }, [c2.feature]);
    const user = freshUser('rcw-rl');
    await buyCar(t, user);
    const first = await headline(limited, user);
    const spentByRun = 30 - Number(first.headers.get('ratelimit-remaining'));
    expect(spentByRun).toBeGreaterThan(1);
    c2.reset();
    const hit = await headline(limited, user);
    expect(c2.seen.apollo).toBe(0);
    expect(30 - spentByRun - Number(hit.headers.get('ratelimit-remaining'))).toBe(spentByRun);
    let refused: Awaited<ReturnType<typeof headline>> | undefined;
    for (let i = 0; i < 30 && !refused; i++) {
      const res = await headline(limited, user);
      if (res.status !== 200) refused = res;
    }
    expect(refused?.status).toBe(429);
    expect(refused?.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(refused?.body.data).toBeUndefined();
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(c2.seen.apollo).toBe(0);
  });

  test("a whole answer cached for one client is refused to a safelisted client whose list does not hold it", async () => {
    const file = join(dir, 'web.json');
    const listed = 'query Me { me { id } }';
    writeFileSync(file, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256Hex(listed), name: 'Me', type: 'query', body: listed }] }));
    const problems: string[] = [];
    const trustedDocuments = readTrustedDocumentsSettings({ TRUSTED_DOCUMENTS_FILES: `web=${file}`, TRUSTED_DOCUMENTS_SAFELIST: 'web' }, problems);
    expect(problems).toEqual([]);
    const held = await replica({ trustedDocuments }, [c2.feature]);
    await send(held, MODELS, {});
    c2.reset();
    expect((await send(held, MODELS, {})).headers.get('x-cache')).toBe('HIT');
    expect(c2.seen.apollo).toBe(0);
    const refused = await send(held, MODELS, {}, { 'apollographql-client-name': 'web' });
    expect([refused.status, refused.body.errors?.[0]?.extensions?.code, refused.body.data]).toEqual([403, 'PERSISTED_QUERY_NOT_IN_LIST', undefined]);
  });

  test("after a supergraph swap, a whole answer of the old graph is not served", async () => {
    const real = composeForTests();
    writeFileSync(supergraphFile, real);
    const swapping = await replica({}, [c2.feature], fileSupergraph(supergraphFile, { debounceMs: 50, pollMs: 1000 }));
    await send(swapping, MODELS, {});
    c2.reset();
    expect((await send(swapping, MODELS, {})).headers.get('x-cache')).toBe('HIT');
    expect(c2.seen.apollo).toBe(0);
    const without = composeWithoutModels();
    writeFileSync(`${supergraphFile}.tmp`, without);
    renameSync(`${supergraphFile}.tmp`, supergraphFile);
    const deadline = Date.now() + 10_000;
    while (((await (await fetch(new URL('/health/supergraph', swapping.url))).json()) as { current?: { id: string } }).current?.id !== supergraphId(without)) {
      if (Date.now() > deadline) throw new Error('the new supergraph was not served within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await send(swapping, MODELS, {});
    expect([after.status, after.body.errors?.[0]?.extensions?.code, after.body.data]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED', undefined]);
  });
});
