/**
 * The gateway's shared state on a real Redis Cluster: three masters started by this test
 * (`testing/redis-cluster.ts`), two gateways on it — the test graph's, handed a cluster connection, and
 * one as its own process configured by REDIS_CLUSTER_NODES. Through both: a cached answer made by one is
 * a hit on the other, a mutation through one is seen through the other, one caller's rate limit is one
 * budget, and a persisted query registered on one runs by hash on the other. The same holds while the
 * slots holding the gateways' keys are migrating to another master (half their keys moved: ASK
 * redirections), after the migration (MOVED), and after the master holding the cache's generation
 * counters is killed and started again on the same port — where counts and registrations made before
 * carry on, and while it is down both gateways still answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GatewayRedis } from './redis';
import { captureLogs } from '../platform/logger';
import { as, TEST_RATE_LIMITS, TEST_REDIS_TIMEOUT_MS } from '../testing/harness';
import { startGatewayProcess, type GatewayProcess } from '../testing/gateway-process';
import { freshUser } from '../testing/fresh-ids';
import { placeOrder, startOrdersGraph, type OrdersTestGraph } from '../testing/orders';
import { redisClusterUnavailable, startRedisCluster, type RedisCluster } from '../testing/redis-cluster';
import { freePort } from '../testing/redis-server';
import type { Identity } from '../platform/identity';

const unavailable = redisClusterUnavailable();
if (unavailable) console.warn(`Redis Cluster tests skipped: ${unavailable}`);
const describeOnCluster = unavailable ? describe.skip : describe;

/** Every customer may spend this many points per window, on both gateways alike. */
const CUSTOMER_POINTS = 8;
const ORDERS = '{ me { orders(first: 5) { edges { node { id status } } } } }';
/** The key of the cache's generation counters (`response-cache/store.ts`), under the default prefix. */
const GENERATIONS_KEY = 'autograph:rc:{g}:epoch';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeOnCluster('the gateway on a three-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let redis: GatewayRedis;
  let t: OrdersTestGraph;
  let second: GatewayProcess;
  let one: string;
  let two: string;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    // The default key prefix, as the process has: both gateways use the same keys.
    redis = await GatewayRedis.connect({ nodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })), tls: false }, { timeoutMs: TEST_REDIS_TIMEOUT_MS, retryDelay: () => 50, probeEveryMs: 100 });
    t = await startOrdersGraph({
      redis,
      gatewayConfig: { responseCache: { enabled: true, development: false, maxEntries: 10_000, maxMegabytes: 32 }, rateLimits: { ...TEST_RATE_LIMITS, customer: { points: CUSTOMER_POINTS, windowSeconds: 600 } } },
    });
    second = await startGatewayProcess(t.g, { REDIS_CLUSTER_NODES: cluster.seeds, REDIS_TIMEOUT_MS: String(TEST_REDIS_TIMEOUT_MS), RATE_LIMITS: `customer=${CUSTOMER_POINTS}/600s` });
    one = t.g.url;
    two = second.url;
  }, 180_000);
  afterAll(async () => {
    await second?.stop();
    await t?.g.stop();
    await redis?.close();
    await cluster?.stop();
  });

  async function ask(url: string, body: object, who?: Identity) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(who ? { authorization: `Bearer ${await t.g.token(who)}` } : {}) },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    return { status: res.status, xCache: res.headers.get('x-cache'), remaining: res.headers.get('ratelimit-remaining'), ...json };
  }
  const orders = async (url: string, user: string) => ask(url, { query: ORDERS }, as.customer(user));

  /** Until both gateways' `/health/redis` answer `status` (polled, at most 30 s). */
  async function untilRedisIs(status: number) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answers = await Promise.all([one, two].map(async (u) => (await fetch(new URL('/health/redis', u))).status));
      if (answers.every((s) => s === status)) return;
      if (Date.now() > deadline) throw new Error(`/health/redis answered ${answers.join(', ')}, not ${status}; second gateway:\n${second.output()}`);
      await sleep(100);
    }
  }

  /** A cached answer made through one gateway is a hit through the other; a mutation through one shows on the other. */
  async function cacheShared(label: string) {
    const user = freshUser(`cl-${label}`);
    await placeOrder(t.g, user, { trimId: t.trim.id });
    const made = await orders(one, user);
    expect([made.status, made.xCache]).toEqual([200, 'MISS']);
    const hit = await orders(two, user);
    expect([hit.status, hit.xCache]).toEqual([200, 'HIT']);
    expect(hit.data).toEqual(made.data);
    expect(made.data.me.orders.edges).toHaveLength(1);
    await placeOrder(t.g, user, { trimId: t.trim.id });
    const after = await orders(two, user);
    expect(after.status).toBe(200);
    expect(after.xCache).not.toBe('HIT');
    expect(after.data.me.orders.edges).toHaveLength(2);
  }

  /** Spends `n` requests of `user`'s budget, alternating gateways; each answer's remaining counts both. */
  async function spend(user: string, n: number, spentBefore: number) {
    for (let i = 0; i < n; i++) {
      const res = await orders(i % 2 ? two : one, user);
      expect([res.status, res.remaining]).toEqual([200, String(CUSTOMER_POINTS - spentBefore - i - 1)]);
    }
  }
  async function refusedOnBoth(user: string) {
    for (const url of [one, two]) expect((await orders(url, user)).status).toBe(429);
  }

  function persisted() {
    const query = `{ __typename } # ${randomBytes(6).toString('hex')}`;
    return { query, extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } } };
  }
  /** Registered through `from`, it runs by hash alone through `to`. */
  async function registered(op: ReturnType<typeof persisted>, from: string) {
    expect((await ask(from, op)).data).toEqual({ __typename: 'Query' });
  }
  async function runsByHash(op: ReturnType<typeof persisted>, through: string) {
    const res = await ask(through, { extensions: op.extensions });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ __typename: 'Query' });
  }

  test('the near cache of public keys is off on a cluster, saying why (tracking is per node): every hit reads the cluster', async () => {
    for (const url of [one, two]) {
      const { near } = (await (await fetch(new URL('/health/response-cache', url))).json()) as { near: { state: string; reason: string } };
      expect(near).toEqual({ state: 'off', reason: expect.stringMatching(/Redis Cluster/) });
    }
  });

  test('cache, invalidation, rate limits and persisted queries are shared by two gateways on the cluster', async () => {
    await untilRedisIs(200);
    await cacheShared('shared');
    const caller = freshUser('cl-rl');
    await spend(caller, CUSTOMER_POINTS, 0);
    await refusedOnBoth(caller);
    const op = persisted();
    expect((await ask(two, { extensions: op.extensions })).errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    await registered(op, one);
    await runsByHash(op, two);
    // The keys are spread over the masters: this is a cluster, not one node doing all the work.
    const owners = new Set(await Promise.all((await cluster.keysWithPrefix('autograph:')).map((k) => cluster.masterOf(k))));
    expect(owners.size).toBe(3);
  }, 120_000);

  test('everything stays shared while the slots holding the gateways\' keys migrate to other masters, and after', async () => {
    await untilRedisIs(200);
    // State made before the migration, used during and after it.
    const caller = freshUser('cl-mig');
    await spend(caller, 2, 0);
    const before = persisted();
    await registered(before, two);
    const keys = await cluster.keysWithPrefix('autograph:');
    const slots = [...new Set(await Promise.all(keys.map((k) => cluster.slotOf(k))))];
    const generationsOwner = await cluster.masterOf(GENERATIONS_KEY);
    expect(slots).toContain(await cluster.slotOf(GENERATIONS_KEY));
    // Among them the caller's count and the registered query.
    expect(keys.filter((k) => k.includes(caller) || k.includes(before.extensions.persistedQuery.sha256Hash))).toHaveLength(2);

    await cluster.migrateSlots(slots, async () => {
      // Halfway: every one of those slots is split between two masters.
      await runsByHash(before, one);
      await cacheShared('migrating');
      await spend(caller, 2, 2);
      const during = persisted();
      await registered(during, one);
      await runsByHash(during, two);
    });
    expect(await cluster.masterOf(GENERATIONS_KEY)).not.toBe(generationsOwner);

    await runsByHash(before, two);
    await cacheShared('migrated');
    await spend(caller, CUSTOMER_POINTS - 4, 4);
    await refusedOnBoth(caller);
    const after = persisted();
    await registered(after, two);
    await runsByHash(after, one);
    // Nothing made either gateway think Redis had gone away.
    await untilRedisIs(200);
  }, 180_000);

  test('a master killed and started again on the same port: both gateways answer meanwhile, then share again, counts and registrations kept', async () => {
    await untilRedisIs(200);
    const caller = freshUser('cl-restart');
    await spend(caller, 3, 0);
    const before = persisted();
    await registered(before, one);
    const port = await cluster.masterOf(GENERATIONS_KEY);

    await cluster.kill(port);
    // Meanwhile every request is answered (each gateway from its own state) until both say Redis is down.
    const deadline = Date.now() + 30_000;
    let down = false;
    while (!down) {
      const user = freshUser('cl-down');
      for (const url of [one, two]) expect((await orders(url, user)).status).toBe(200);
      const health = await Promise.all([one, two].map(async (u) => (await fetch(new URL('/health/redis', u))).status));
      down = health.every((s) => s === 503);
      if (!down && Date.now() > deadline) throw new Error(`/health/redis answered ${health.join(', ')} with a master down`);
    }

    await cluster.restart(port);
    await untilRedisIs(200);
    await runsByHash(before, two);
    await spend(caller, CUSTOMER_POINTS - 3, 3);
    await refusedOnBoth(caller);
    await cacheShared('restarted');
    const after = persisted();
    await registered(after, two);
    await runsByHash(after, one);
  }, 180_000);

  test('with any one master down the cluster counts as down until it is back: said once, no flapping while the other masters answer', async () => {
    await untilRedisIs(200);
    // A master that does not hold the generation counters: the others still answer a PING, and the cache's
    // recovery step (a new epoch) would succeed — only asking every slot's owner finds it missing.
    const generations = await cluster.masterOf(GENERATIONS_KEY);
    const port = cluster.ports.find((p) => p !== generations)!;
    const logs = captureLogs();
    try {
      await cluster.kill(port);
      const deadline = Date.now() + 30_000;
      while ((await fetch(new URL('/health/redis', one))).status !== 503) {
        // Each fresh caller's count is a key of its own, a third of them on the dead master.
        expect((await orders(one, freshUser('cl-gone'))).status).toBe(200);
        if (Date.now() > deadline) throw new Error('the gateway did not notice a master gone');
      }
      // Many more callers, many of them on the dead master's slots: every answer is served, and the
      // gateway stays down (its probe asks every slot's owner) rather than coming back and failing again.
      for (let i = 0; i < 30; i++) {
        expect((await orders(one, freshUser('cl-gone'))).status).toBe(200);
        const health = await fetch(new URL('/health/redis', one));
        expect([health.status, ((await health.json()) as { reason?: string }).reason]).toEqual([503, expect.any(String)]);
      }
      await cluster.restart(port);
      await untilRedisIs(200);
      const said = logs.lines().filter((l) => typeof l.msg === 'string' && /^Redis is (unreachable|reachable again)/.test(l.msg as string)).map((l) => (l.msg as string).slice(0, 24));
      expect(said).toEqual(['Redis is unreachable: no', 'Redis is reachable again']);
    } finally {
      logs.stop();
    }
    await cacheShared('back');
  }, 180_000);
});

describeOnCluster('a gateway started before its Redis Cluster', () => {
  test('starts without it (degraded, said once) and takes it up by itself once the cluster is formed', async () => {
    const ports: number[] = [];
    while (ports.length < 3) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const logs = captureLogs();
    let redis: GatewayRedis | undefined;
    let cluster: RedisCluster | undefined;
    try {
      redis = await GatewayRedis.connect({ nodes: ports.map((port) => ({ host: '127.0.0.1', port })), tls: false }, { timeoutMs: TEST_REDIS_TIMEOUT_MS, retryDelay: () => 50, probeEveryMs: 100 });
      expect(redis.status().state).toBe('down');
      expect(await redis.run('fallback', async (r) => String(await r.get('anything')))).toBe('fallback');
      cluster = await startRedisCluster({ ports });
      const deadline = Date.now() + 30_000;
      while (redis.status().state !== 'up') {
        if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(redis.status())}`);
        await sleep(50);
      }
      await redis.run(undefined, async (r) => void (await r.set('autograph:probe', 'x')));
      expect(await redis.run(null, (r) => r.get('autograph:probe'))).toBe('x');
      const said = logs.lines().filter((l) => typeof l.msg === 'string' && /^Redis is/.test(l.msg as string)).map((l) => (l.msg as string).slice(0, 24));
      expect(said).toEqual(['Redis is not reachable: ', 'Redis is reachable again']);
    } finally {
      logs.stop();
      await redis?.close();
      await cluster?.stop();
    }
  }, 120_000);
});
