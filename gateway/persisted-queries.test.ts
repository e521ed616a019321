/**
 * Automatic persisted queries kept in a real Redis: an operation registered through one gateway is
 * served by hash through another, so a fleet of gateways shares what clients registered.
 */
import { createHash, randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { GatewayRedis } from './redis';
import { captureLogs } from '../platform/logger';
import { startTestGraph, as, type TestGraph } from '../testing/harness';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('persisted queries in Redis', () => {
  let a: TestGraph;
  let b: TestGraph;
  let cacheA: GatewayRedis;
  let cacheB: GatewayRedis;
  const prefix = `autograph-test-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    cacheA = await GatewayRedis.connect(REDIS_URL, { prefix });
    cacheB = await GatewayRedis.connect(REDIS_URL, { prefix });
    a = await startTestGraph({ redis: cacheA });
    b = await startTestGraph({ redis: cacheB });
  }, 180_000); // two graphs: on a loaded machine each takes tens of seconds
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await Promise.all([cacheA?.close(), cacheB?.close()]);
  });

  async function post(g: TestGraph, body: object) {
    const res = await fetch(g.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await g.token(as.customer('apq-user'))}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, ...((await res.json()) as { data?: { me: { id: string } }; errors?: Array<{ message: string; extensions: { code: string } }> }) };
  }

  test('a hash never registered is PERSISTED_QUERY_NOT_FOUND; registered on one gateway, it runs by hash on another', async () => {
    const query = `{ me { id } } # ${randomBytes(4).toString('hex')}`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const ext = { persistedQuery: { version: 1, sha256Hash } };

    expect((await post(b, { extensions: ext })).errors?.[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(a, { query, extensions: ext })).data?.me.id).toBe('apq-user');
    expect((await post(b, { extensions: ext })).data?.me.id).toBe('apq-user');

    const redis = new Redis(REDIS_URL);
    expect((await redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    redis.disconnect();
  });

  test('a query whose hash does not match is refused', async () => {
    const res = await post(a, { query: '{ me { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(res.status).toBe(400);
    expect(res.errors?.[0].message).toMatch(/sha does not match/);
    expect(res.data).toBeUndefined();
  });

  test('an unreachable Redis does not stop the gateway from starting: it says so once, and /health/redis answers 503 with the reason', async () => {
    const logs = captureLogs();
    const down = await GatewayRedis.connect('redis://127.0.0.1:1', { timeoutMs: 50 });
    const g = await startTestGraph({ redis: down });
    try {
      expect((await g.gql('{ me { id } }', {}, as.customer('apq-user'))).data?.me.id).toBe('apq-user');
      const health = await fetch(new URL('/health/redis', g.url));
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'down', url: 'redis://127.0.0.1:1', reason: expect.any(String) });
      expect(logs.lines().filter((l) => /Redis is not reachable/.test(String(l.msg)))).toHaveLength(1);
    } finally {
      logs.stop();
      await g.stop();
      await down.close();
    }
  });

  test('/health/redis answers ok with the state while Redis answers', async () => {
    const health = await fetch(new URL('/health/redis', a.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', state: 'up' });
  });
});
