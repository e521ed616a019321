/**
 * A Redis Cluster master lost for good, its replica promoted in its place: three masters with a replica
 * each (`testing/redis-cluster.ts`), two gateways on them. While the master is gone and until the
 * cluster has promoted its replica, both gateways answer from their own state; then they take the
 * cluster up again by themselves — the new master found from the slots, no restart — and a caller's
 * count and a persisted query made before the loss are there, shared by both as before.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GatewayRedis } from './redis';
import { as, startGatewayOver, startTestGraph, TEST_RATE_LIMITS, TEST_REDIS_TIMEOUT_MS, type TestGraph } from '../testing/harness';
import { freshUser } from '../testing/fresh-ids';
import { redisClusterUnavailable, startRedisCluster, type RedisCluster } from '../testing/redis-cluster';

const unavailable = redisClusterUnavailable();
if (unavailable) console.warn(`Redis Cluster failover test skipped: ${unavailable}`);
const describeOnCluster = unavailable ? describe.skip : describe;

const CUSTOMER_POINTS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeOnCluster('a Redis Cluster master failing over to its replica', () => {
  let cluster: RedisCluster;
  let redis1: GatewayRedis;
  let redis2: GatewayRedis;
  let g: TestGraph;
  let other: Awaited<ReturnType<typeof startGatewayOver>>;
  let one: string;
  let two: string;

  beforeAll(async () => {
    cluster = await startRedisCluster({ replicas: true });
    const nodes = { nodes: cluster.ports.slice(0, 2).map((port) => ({ host: '127.0.0.1', port })), tls: false };
    const opts = { timeoutMs: TEST_REDIS_TIMEOUT_MS, retryDelay: () => 50, probeEveryMs: 100 };
    redis1 = await GatewayRedis.connect(nodes, opts);
    redis2 = await GatewayRedis.connect(nodes, opts);
    const rateLimits = { ...TEST_RATE_LIMITS, customer: { points: CUSTOMER_POINTS, windowSeconds: 600 } };
    g = await startTestGraph({ redis: redis1, gatewayConfig: { rateLimits } });
    other = await startGatewayOver(g, { redis: redis2, config: { rateLimits } });
    one = g.url;
    two = other.url;
  }, 180_000);
  afterAll(async () => {
    await other?.stop();
    await g?.stop();
    await Promise.all([redis1?.close(), redis2?.close()]);
    await cluster?.stop();
  });

  async function ask(url: string, body: object, sub?: string) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(sub ? { authorization: `Bearer ${await g.token(as.customer(sub))}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, remaining: res.headers.get('ratelimit-remaining'), ...((await res.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> }) };
  }
  const health = async () => Promise.all([one, two].map(async (u) => (await fetch(new URL('/health/redis', u))).status));
  /** Until each gateway's `/health/redis` has answered `status` (at some point: not necessarily both at once). */
  async function untilHealth(status: number, enough: () => boolean = () => false) {
    const deadline = Date.now() + 30_000;
    const seen = [false, false];
    for (;;) {
      (await health()).forEach((s, i) => (seen[i] ||= s === status));
      if (seen.every(Boolean) || enough()) return;
      if (Date.now() > deadline) throw new Error(`/health/redis did not answer ${status} on ${seen.map((s, i) => (s ? '' : [one, two][i])).join(' ')}`);
      // Traffic meanwhile, every request answered: a gateway learns of a lost master from a command that
      // fails, and each fresh caller's count is a key of its own, a third of them on any one master.
      for (let i = 0; i < 3; i++) for (const url of [one, two]) expect((await ask(url, { query: '{ me { id } }' }, freshUser('fo-meanwhile'))).status).toBe(200);
      await sleep(100);
    }
  }

  test('a count and a persisted query made before the master is lost are served by its promoted replica to both gateways', async () => {
    await untilHealth(200);
    expect(await health()).toEqual([200, 200]);
    const caller = freshUser('fo-caller');
    for (let i = 0; i < 3; i++) expect((await ask(i % 2 ? two : one, { query: '{ me { id } }' }, caller)).remaining).toBe(String(CUSTOMER_POINTS - i - 1));
    const query = `{ __typename } # ${randomBytes(6).toString('hex')}`;
    const persisted = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    expect((await ask(one, { query, extensions: persisted })).data).toEqual({ __typename: 'Query' });
    // The master holding the caller's count; everything written so far is on its replica.
    const [countKey] = (await cluster.keysWithPrefix('autograph:')).filter((k) => k.includes(caller));
    const master = await cluster.masterOf(countKey);
    await cluster.replicated();

    await cluster.kill(master);
    // Each gateway says Redis is down until the replica is promoted — unless the promotion came first (a
    // loaded machine may not probe in between): then there was nothing to say. Requests are answered throughout.
    let promoted = false;
    const failover = cluster.failedOver(master).then(() => (promoted = true));
    await untilHealth(503, () => promoted);
    await failover;
    expect(await cluster.masterOf(countKey)).not.toBe(master);
    // Both up again, at the same time.
    const deadline = Date.now() + 30_000;
    while (!(await health()).every((s) => s === 200)) {
      if (Date.now() > deadline) throw new Error(`/health/redis answers ${(await health()).join(', ')} after the failover`);
      await sleep(100);
    }

    expect((await ask(two, { extensions: persisted })).data).toEqual({ __typename: 'Query' });
    for (let i = 3; i < CUSTOMER_POINTS; i++) expect((await ask(i % 2 ? two : one, { query: '{ me { id } }' }, caller)).remaining).toBe(String(CUSTOMER_POINTS - i - 1));
    for (const url of [one, two]) expect((await ask(url, { query: '{ me { id } }' }, caller)).status).toBe(429);
  }, 180_000);
});
