/**
 * Per-caller rate limits through the real path: HTTP into the gateway, counted in a real Redis (a key
 * prefix of this run's own). Over the limit is 429 with Retry-After and RATE_LIMITED; every answer says
 * where the budget stands; roles have their own limits; anonymous callers are counted by client name
 * and address, and a forged X-Forwarded-For buys nothing; a cost-weighted request spends its points
 * once. Across processes and Redis outages: `rate-limits-shared.test.ts`.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { GatewayRedis } from './redis';
import { startGateway, type RunningGateway } from './server';
import { gatewayFeatures } from './features';
import { staticSupergraph } from './supergraph-source';
import { DEFAULT_RATE_LIMITS } from './rate-limit-policy';
import { as, composeForTests, startTestGraph, testGatewayConfig, type TestGraph } from '../testing/harness';
import type { Identity } from '../platform/identity';
import { HEADLINE_QUERY } from './headline-query';
import { startGatewayOver } from '../testing/harness';

const LIMITS = {
  ...DEFAULT_RATE_LIMITS,
  customer: { points: 3, windowSeconds: 60 },
  analyst: { points: 5, windowSeconds: 60 },
  anonymous: { points: 2, windowSeconds: 60 },
  'anonymous-address': { points: 8, windowSeconds: 60 },
};

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

/** One POST to `url` from `localAddress` (any 127.x address is this machine), with raw headers. */
function post(url: string, query: string, headers: Record<string, string> = {}, opts: { localAddress?: string; operationName?: string } = {}): Promise<Answer> {
  const body = JSON.stringify({ query, operationName: opts.operationName });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress: opts.localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string | undefined>, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const budget = (a: Answer) => ({ limit: a.headers['ratelimit-limit'], remaining: a.headers['ratelimit-remaining'], policy: a.headers['ratelimit-policy'] });

describe('rate limits', () => {
  let redis: GatewayRedis;
  let g: TestGraph;
  let proxied: RunningGateway;
  const auth = async (identity: Identity) => ({ authorization: `Bearer ${await g.token(identity)}` });
  const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    redis = await GatewayRedis.connect(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { prefix: `rate-limits-test-${randomBytes(4).toString('hex')}:` });
    // Named operations spend what their name says: the cost estimate's stand-in.
    const rateLimitPoints = ({ operationName }: { operationName?: string | null }) => (operationName === 'Expensive' ? 3 : operationName === 'Huge' ? 1000 : 1);
    g = await startTestGraph({ redis, gatewayConfig: { rateLimits: LIMITS, rateLimitPoints } });
    // The same graph behind one trusted proxy (TRUST_PROXY=1), counting in the same Redis.
    proxied = await startGateway({
      supergraph: staticSupergraph(composeForTests()),
      features: await gatewayFeatures(testGatewayConfig({ rateLimits: LIMITS, trustProxy: 1 }), { redis }),
      subgraphUrls: Object.fromEntries(Object.entries(g.stack.subgraphs).map(([n, s]) => [n, s.url])),
      port: 0,
      maxBodyBytes: 100_000,
    });
  }, 60_000);
  afterAll(async () => {
    await proxied?.stop();
    await g?.stop();
    await redis?.close();
  });

  test('a customer is refused with 429, Retry-After and RATE_LIMITED after the configured count; every answer carries RateLimit-*', async () => {
    const headers = await auth(as.customer(unique('busy')));
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post(g.url, '{ me { id } }', headers));
    for (const a of answers) expect(a.status).toBe(200);
    expect(answers.map((a) => budget(a))).toEqual([
      { limit: '3', remaining: '2', policy: '3;w=60' },
      { limit: '3', remaining: '1', policy: '3;w=60' },
      { limit: '3', remaining: '0', policy: '3;w=60' },
    ]);
    expect(Number(answers[0].headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    expect(Number(answers[0].headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
    expect(answers[0].headers['retry-after']).toBeUndefined();

    const refused = await post(g.url, '{ me { id } }', headers);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(budget(refused)).toEqual({ limit: '3', remaining: '0', policy: '3;w=60' });
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toHaveLength(1);
    const [error] = refused.body.errors!;
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 3, windowSeconds: 60, spent: 4, retryAfterSeconds: retryAfter });
    expect(error.message).toMatch(new RegExp(`^Rate limit exceeded: customer busy-\\w+ may spend 3 points per 60 s, and 4 are spent in this window \\(this request: 1\\); retry in ${retryAfter} s$`));
    // Another customer has a budget of its own.
    expect((await post(g.url, '{ me { id } }', await auth(as.customer(unique('calm'))))).status).toBe(200);
  });

  test('limits are per role: an analyst may spend 5 where a customer may spend 3', async () => {
    const headers = await auth(as.analyst(unique('analyst')));
    for (let i = 0; i < 5; i++) expect((await post(g.url, '{ __typename }', headers)).status).toBe(200);
    const refused = await post(g.url, '{ __typename }', headers);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 5 });
  });

  // Each test of anonymous callers comes from loopback addresses of its own (all of 127/8 is this machine).
  test('anonymous callers are counted by client name and address', async () => {
    const web = { 'apollographql-client-name': unique('web') };
    const from = { localAddress: '127.0.0.4' };
    for (let i = 0; i < 2; i++) expect((await post(g.url, '{ __typename }', web, from)).status).toBe(200);
    const refused = await post(g.url, '{ __typename }', web, from);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].message).toContain(`anonymous client "${web['apollographql-client-name']}" from 127.0.0.4 may spend 2 points per 60 s`);
    // Another client name from the same address, and the same name from another address: their own budgets.
    expect((await post(g.url, '{ __typename }', { 'apollographql-client-name': unique('ios') }, from)).status).toBe(200);
    expect((await post(g.url, '{ __typename }', web, { localAddress: '127.0.0.5' })).status).toBe(200);
    expect((await post(g.url, '{ __typename }', web, { localAddress: '127.0.0.5' })).headers['ratelimit-remaining']).toBe('0');
  });

  test('a new client name for every request buys no more than the budget all anonymous callers of one address share', async () => {
    const from = { localAddress: '127.0.0.7' };
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await post(g.url, '{ __typename }', { 'apollographql-client-name': unique('rotating') }, from));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    // Each answer reports the budget with the fewest points left: the address's, once it is below the name's.
    expect(answers.map((a) => a.headers['ratelimit-remaining'])).toEqual(['1', '1', '1', '1', '1', '1', '1', '0']);
    expect(answers[7].headers['ratelimit-policy']).toBe('8;w=60');
    const refused = await post(g.url, '{ __typename }', { 'apollographql-client-name': unique('rotating') }, from);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].message).toMatch(/^Rate limit exceeded: all anonymous callers from 127\.0\.0\.7 together may spend 8 points per 60 s, and 9 are spent/);
    // A signed-in caller from that address is not held back by it.
    expect((await post(g.url, '{ __typename }', await auth(as.customer(unique('signed-in'))), from)).status).toBe(200);
  });

  test('a forged X-Forwarded-For does not give an anonymous caller a fresh budget (no proxy is trusted by default)', async () => {
    const web = { 'apollographql-client-name': unique('forger') };
    const from = { localAddress: '127.0.0.6' };
    for (let i = 0; i < 2; i++) expect((await post(g.url, '{ __typename }', { ...web, 'x-forwarded-for': `198.51.100.${i}` }, from)).status).toBe(200);
    const refused = await post(g.url, '{ __typename }', { ...web, 'x-forwarded-for': '198.51.100.99' }, from);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].message).toContain('from 127.0.0.6');
  });

  test('behind TRUST_PROXY=1 the address the proxy appended counts, not what the client wrote before it', async () => {
    const web = { 'apollographql-client-name': unique('behind-proxy') };
    // The proxy appends the client's real address; the client forges a different first entry each time.
    for (let i = 0; i < 2; i++) expect((await post(proxied.url, '{ __typename }', { ...web, 'x-forwarded-for': `6.6.6.${i}, 203.0.113.7` })).status).toBe(200);
    const refused = await post(proxied.url, '{ __typename }', { ...web, 'x-forwarded-for': '6.6.6.9, 203.0.113.7' });
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].message).toContain('from 203.0.113.7');
    // Another client behind the same proxy (same peer address) has its own budget.
    expect((await post(proxied.url, '{ __typename }', { ...web, 'x-forwarded-for': '203.0.113.8' })).status).toBe(200);
  });

  test('a cost-weighted request spends its points once: one before parsing, the rest once resolved', async () => {
    const headers = await auth(as.customer(unique('costly')));
    const expensive = await post(g.url, 'query Expensive { me { id } }', headers);
    expect(expensive.status).toBe(200);
    expect(expensive.body.data?.me.id).toMatch(/^costly-/);
    expect(budget(expensive).remaining).toBe('0');
    expect((await post(g.url, 'query Cheap { me { id } }', headers)).status).toBe(429);
  });

  test('a request whose cost goes over the limit once resolved is refused by the plugin hook with 429, Retry-After and RATE_LIMITED', async () => {
    const headers = await auth(as.customer(unique('over-by-cost')));
    expect(budget(await post(g.url, 'query Cheap { me { id } }', headers)).remaining).toBe('2');
    // Its first point fits (2 of 3 spent); its other two do not.
    const refused = await post(g.url, 'query Expensive { me { id } }', headers);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(budget(refused)).toEqual({ limit: '3', remaining: '0', policy: '3;w=60' });
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', spent: 4 });
    expect(refused.body.errors?.[0].message).toContain('4 are spent in this window (this request: 3)');
  });

  test('a malformed document spends the one point it is charged before parsing, and is refused as before', async () => {
    const headers = await auth(as.customer(unique('malformed')));
    const broken = await post(g.url, '{ me { id ', headers);
    expect(broken.status).toBe(400);
    expect(broken.body.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(budget(broken).remaining).toBe('2');
    // A document that names an operation it lacks fails resolution: one point, no cost added.
    const unresolved = await post(g.url, 'query Expensive { me { id } }', headers, { operationName: 'Missing' });
    expect(unresolved.status).toBe(400);
    expect(budget(unresolved).remaining).toBe('1');
  });

  test('an operation that costs more than a whole window allows is refused as never runnable, without Retry-After', async () => {
    const headers = await auth(as.customer(unique('huge')));
    const refused = await post(g.url, 'query Huge { me { id } }', headers);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeUndefined();
    const [error] = refused.body.errors!;
    expect(error.extensions?.code).toBe('RATE_LIMITED');
    expect(error.message).toMatch(/^Rate limit: this operation costs 1000 points, more than the 3 points per 60 s that customer huge-\w+ may spend: it cannot run at any time; ask for less$/);
    // Only the base point was spent.
    expect(budget(await post(g.url, '{ me { id } }', headers)).remaining).toBe('1');
  });

  test('a forged token is refused (401) before it can spend the budget of the customer it names', async () => {
    const sub = unique('victim');
    const forged = `Bearer ${(await g.token(as.customer(sub))).slice(0, -4)}AAAA`;
    for (let i = 0; i < 5; i++) expect((await post(g.url, '{ me { id } }', { authorization: forged })).status).toBe(401);
    const real = await post(g.url, '{ me { id } }', await auth(as.customer(sub)));
    expect(real.status).toBe(200);
    expect(budget(real).remaining).toBe('2');
  });

  test('the count is kept in Redis under the gateway prefix', async () => {
    const sub = unique('stored');
    await post(g.url, '{ me { id } }', await auth(as.customer(sub)));
    expect(await redis.client.get(`${redis.prefix}rate-limit:customer:${sub}`)).toBe('1');
  });

  test('by default a request spends points by its estimated cost: the headline (cost 513) spends 6, { me { id } } 1', async () => {
    const weighed = await startGatewayOver(g, { redis, config: { rateLimits: { ...LIMITS, customer: { points: 600, windowSeconds: 60 } } } });
    try {
      const headers = await auth(as.customer(unique('weighed')));
      const first = await post(weighed.url, '{ me { id } }', headers);
      expect(first.headers['ratelimit-remaining']).toBe('599');
      const headline = await post(weighed.url, HEADLINE_QUERY, headers);
      expect(headline.status).toBe(200);
      expect(headline.headers['ratelimit-remaining']).toBe('593');
    } finally {
      await weighed.stop();
    }
  });
});
