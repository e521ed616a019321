/**
 * The response cache through a Redis outage, against a private redis-server this test kills and starts
 * again on the same port: while Redis is down every request still gets the right answer (from the
 * subgraphs: `x-cache: MISS`), including a change made during the outage; once Redis is back the cache
 * serves again by itself, and — after a partition, when Redis kept its entries — never one from before.
 */
import type { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { HEADLINE_QUERY } from './headline-query';
import { GatewayRedis } from './redis';
import { as, startGatewayOver } from '../testing/harness';
import { ok } from '../testing/assertions';
import { freshUser } from '../testing/fresh-ids';
import { buyCar, PAY_DEPOSIT, placeOrder, startOrdersGraph, type OrdersTestGraph } from '../testing/orders';
import { freePort, killRedis, startRedis } from '../testing/redis-server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the response cache through a Redis outage', () => {
  let t: OrdersTestGraph;
  let port: number;
  let redisProcess: ChildProcess | undefined;
  let redis: GatewayRedis;
  let cached: Awaited<ReturnType<typeof startGatewayOver>>;
  let truth: Awaited<ReturnType<typeof startGatewayOver>>;
  const user = freshUser('outage');

  beforeAll(async () => {
    t = await startOrdersGraph();
    await buyCar(t, user);
    port = await freePort();
    redisProcess = await startRedis(port);
    redis = await GatewayRedis.connect(`redis://127.0.0.1:${port}`, { prefix: 'rc-outage:', retryDelay: () => 20, probeEveryMs: 50 });
    cached = await startGatewayOver(t.g, { redis, config: { responseCache: { enabled: true, development: false, maxEntries: 1000, maxMegabytes: 32 } } });
    truth = await startGatewayOver(t.g);
  });
  afterAll(async () => {
    await Promise.all([cached?.stop(), truth?.stop()]);
    await redis?.close();
    if (redisProcess) await killRedis(redisProcess);
    await t?.g.stop();
  });

  async function headline() {
    const res = await fetch(cached.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.g.token(as.customer(user))}` }, body: JSON.stringify({ query: HEADLINE_QUERY }) });
    return { status: res.status, xCache: res.headers.get('x-cache'), body: (await res.json()) as { data?: unknown; errors?: unknown[] } };
  }
  const expected = async () => (await truth.gql(HEADLINE_QUERY, {}, as.customer(user))).data;

  test('no request fails or is wrong while Redis is down, and caching resumes unprompted when it is back', async () => {
    await headline();
    expect((await headline()).xCache).toBe('HIT');

    await killRedis(redisProcess!);
    redisProcess = undefined;
    // A change during the outage: the gateway cannot record it in Redis.
    const order = await placeOrder(t.g, user, { trimId: t.trim.id });
    ok(await cached.gql(PAY_DEPOSIT, { id: order.id, amount: order.deposit.amount }, as.customer(user)));
    for (let i = 0; i < 5; i++) {
      const during = await headline();
      expect(during.status).toBe(200);
      expect(during.body.errors).toBeUndefined();
      expect(during.xCache).toBe('MISS');
      expect(during.body.data).toEqual(await expected());
    }

    // Redis comes back with what it held before (as after a network partition): none of it may be served.
    redisProcess = await startRedis(port);
    const deadline = Date.now() + 10_000;
    while (redis.status().state !== 'up' && Date.now() < deadline) await sleep(50);
    expect(redis.status().state).toBe('up');
    const after = await headline();
    expect(after.body.data).toEqual(await expected());
    expect((await headline()).xCache).toBe('HIT');
  }, 60_000);

  test('a Redis that was only unreachable (its entries kept) serves none of them after a change made meanwhile', async () => {
    await headline();
    expect((await headline()).xCache).toBe('HIT');
    // Every client but this one waits: the gateway's commands run into their deadline, as in a partition.
    const admin = new Redis(port, '127.0.0.1');
    await admin.call('CLIENT', 'PAUSE', '2500', 'ALL');
    const order = await placeOrder(t.g, user, { trimId: t.trim.id });
    ok(await cached.gql(PAY_DEPOSIT, { id: order.id, amount: order.deposit.amount }, as.customer(user)));
    const during = await headline();
    expect(during.xCache).toBe('MISS');
    expect(during.body.data).toEqual(await expected());
    const deadline = Date.now() + 10_000;
    while (redis.status().state !== 'up' && Date.now() < deadline) await sleep(50);
    admin.disconnect();
    expect(redis.status().state).toBe('up');
    // The entry from before the pause is still in Redis, under the old generation: it must not be served.
    expect((await headline()).body.data).toEqual(await expected());
  }, 60_000);
});
