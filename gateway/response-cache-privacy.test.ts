/**
 * The response cache never serves one person's data to another: for each seeded user in turn, after
 * every other user's everything has been asked through the caching gateway, that user's everything
 * (every field reachable from `me`) is what a gateway that never caches answers.
 */
import { randomBytes } from 'node:crypto';
import { GatewayRedis } from './redis';
import { seedAll, seedUsers } from '../testing/seed';
import { apiSchema, selectEverything, WALKED_GRAPH } from '../testing/graph-walk';
import { as, startGatewayOver, startTestGraph, type TestGraph, TEST_REDIS_TIMEOUT_MS } from '../testing/harness';

const USERS = 4;

describe('the response cache across users', () => {
  let g: TestGraph;
  let redis: GatewayRedis;
  let cached: Awaited<ReturnType<typeof startGatewayOver>>;
  let truth: Awaited<ReturnType<typeof startGatewayOver>>;

  beforeAll(async () => {
    g = await startTestGraph(WALKED_GRAPH);
    await seedAll(g.db, USERS);
    redis = await GatewayRedis.connect(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { prefix: `rc-privacy-${randomBytes(4).toString('hex')}:`, timeoutMs: TEST_REDIS_TIMEOUT_MS });
    const measure = WALKED_GRAPH.gatewayConfig!;
    cached = await startGatewayOver(g, { redis, config: { ...measure, responseCache: { enabled: true, development: false, maxEntries: 10_000, maxMegabytes: 32 } } });
    truth = await startGatewayOver(g, { config: measure });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([cached?.stop(), truth?.stop()]);
    await redis?.close();
    await g?.stop();
  });

  test("after every other user's everything was cached, each user's everything through the cache is their own", async () => {
    const schema = await apiSchema(g);
    const everything = `{ me { ${selectEverything(schema, schema.getType('User') as never)} } }`;
    const users = seedUsers(USERS);
    // Warm the cache with everyone, then ask everyone again, in the other order.
    for (const u of users) expect((await cached.gql(everything, {}, as.customer(u))).errors).toBeUndefined();
    for (const u of [...users].reverse()) {
      const res = await fetch(cached.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await g.token(as.customer(u))}` }, body: JSON.stringify({ query: everything }) });
      // The comparison is of a cached answer: most of it comes from the cache.
      expect(res.headers.get('x-cache')).toMatch(/^(HIT|PARTIAL)$/);
      const got = (await res.json()) as { data?: unknown };
      const want = await truth.gql(everything, {}, as.customer(u));
      expect(want.errors).toBeUndefined();
      expect(got.data).toEqual(want.data);
      for (const other of users.filter((o) => o !== u)) expect(JSON.stringify(got.data)).not.toContain(`"${other}"`);
    }
  }, 120_000);
});
