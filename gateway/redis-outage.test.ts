/**
 * Persisted queries survive a Redis outage: against a private redis-server this test starts, kills
 * and restarts on the same port, requests keep working while Redis is down (a cache error is a miss),
 * and once Redis is back the gateway has reconnected — however long the outage lasted — so a query
 * registered after the restart runs by hash. A short retry schedule stands in for a long outage.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { captureLogs } from '../platform/logger';
import { GatewayRedis } from './redis';
import { startTestGraph, as, type TestGraph } from '../testing/harness';
import { freePort, killRedis, startRedis } from '../testing/redis-server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('persisted queries through a Redis outage', () => {
  let port: number;
  let redisProcess: ChildProcess | undefined;
  let cache: GatewayRedis;
  let g: TestGraph;

  beforeAll(async () => {
    port = await freePort();
    redisProcess = await startRedis(port);
    // The old schedule gave up after 20 attempts; 20 ms apart, that is well under a second.
    cache = await GatewayRedis.connect(`redis://127.0.0.1:${port}`, { prefix: 'outage-test:', retryDelay: () => 20, probeEveryMs: 50 });
    g = await startTestGraph({ redis: cache });
  });
  afterAll(async () => {
    await g?.stop();
    await cache?.close();
    if (redisProcess) await killRedis(redisProcess);
  });

  async function post(body: object) {
    const res = await fetch(g.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await g.token(as.customer('outage-user'))}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, ...((await res.json()) as { data?: { me: { id: string } }; errors?: Array<{ message: string; extensions: { code: string } }> }) };
  }

  function apq() {
    const query = `{ me { id } } # ${randomBytes(4).toString('hex')}`;
    return { query, extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } } };
  }

  test('requests keep working while Redis is down, and persisted queries work again once it is back', async () => {
    const before = apq();
    expect((await post(before)).data?.me.id).toBe('outage-user');
    expect((await post({ extensions: before.extensions })).data?.me.id).toBe('outage-user');

    await killRedis(redisProcess!);
    redisProcess = undefined;
    const logs = captureLogs();
    try {
      // Longer than the old schedule's 20 attempts.
      await sleep(1500);
      // During the outage: a cache error is a miss, so a full query with its hash still runs…
      const during = apq();
      const res = await post(during);
      expect(res.errors).toBeUndefined();
      expect(res.data?.me.id).toBe('outage-user');
      // …and a hash-only request is simply not found (asking for the full query), not a failure.
      expect((await post({ extensions: during.extensions })).errors?.[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect((await post(apq())).data?.me.id).toBe('outage-user');
      // Logged once per outage, not per request.
      const warnings = logs.lines().filter((l) => typeof l.msg === 'string' && /Redis/.test(l.msg) && l.level === 40);
      expect(warnings).toHaveLength(1);
      // …and the health detail says why, while it lasts.
      const health = await fetch(new URL('/health/redis', g.url));
      expect(health.status).toBe(503);
    } finally {
      logs.stop();
    }

    redisProcess = await startRedis(port);
    const after = apq();
    const deadline = Date.now() + 10_000;
    let found = false;
    while (!found && Date.now() < deadline) {
      expect((await post(after)).data?.me.id).toBe('outage-user');
      const byHash = await post({ extensions: after.extensions });
      found = byHash.data?.me.id === 'outage-user';
      if (!found) await sleep(100);
    }
    expect(found).toBe(true);
    expect((await fetch(new URL('/health/redis', g.url))).status).toBe(200);
    const direct = new Redis(port, '127.0.0.1');
    expect((await direct.keys('outage-test:*')).length).toBeGreaterThan(0);
    direct.disconnect();
  }, 30_000);
});
