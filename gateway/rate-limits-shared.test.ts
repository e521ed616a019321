/**
 * Rate limits are shared by every replica through Redis, and survive it going away. Two gateways —
 * the test graph's, and a second one as its own process (`npm run gateway`) — count in one private
 * redis-server that this test kills and restarts: while it is up a caller's budget is one across
 * both; while it is down every request still answers and each gateway counts alone; once it is back
 * they share again, without a restart or any request to make them. A Redis that is connected but
 * silent costs a request one command deadline, not a failure.
 */
import type { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { GatewayRedis } from './redis';
import { DEFAULT_RATE_LIMITS } from './rate-limit-policy';
import { as, startTestGraph, type TestGraph } from '../testing/harness';
import { startGatewayProcess, type GatewayProcess } from '../testing/gateway-process';
import { freePort, killRedis, startRedis } from '../testing/redis-server';
import type { Identity } from '../platform/identity';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rate limits across gateway processes and through a Redis outage', () => {
  let port: number;
  let redisProcess: ChildProcess | undefined;
  let redis: GatewayRedis;
  let g: TestGraph;
  let second: GatewayProcess;
  let gateways: string[];

  beforeAll(async () => {
    port = await freePort();
    redisProcess = await startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    // The default key prefix, as the process has: both count under the same keys.
    redis = await GatewayRedis.connect(url, { retryDelay: () => 20, probeEveryMs: 50 });
    g = await startTestGraph({ redis, gatewayConfig: { rateLimits: { ...DEFAULT_RATE_LIMITS, customer: { points: 4, windowSeconds: 60 } } } });
    second = await startGatewayProcess(g, { REDIS_URL: url, RATE_LIMITS: 'customer=4/60s' });
    gateways = [g.url, second.url];
  }, 120_000);
  afterAll(async () => {
    await second?.stop();
    await g?.stop();
    await redis?.close();
    if (redisProcess) await killRedis(redisProcess);
  });

  async function ask(url: string, identity: Identity) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await g.token(identity)}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    const body = (await res.json()) as { data?: { me: { id: string } }; errors?: Array<{ extensions?: { code?: string } }> };
    return { status: res.status, remaining: res.headers.get('ratelimit-remaining'), body };
  }

  /** Until both gateways' `/health/redis` answer `status` (polled, at most 15 s). */
  async function untilRedisIs(status: number) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const answers = await Promise.all(gateways.map(async (u) => (await fetch(new URL('/health/redis', u))).status));
      if (answers.every((s) => s === status)) return;
      if (Date.now() > deadline) throw new Error(`/health/redis answered ${answers.join(', ')}, not ${status}; second gateway:\n${second.output()}`);
      await sleep(100);
    }
  }

  test('one caller is counted once across two gateway processes sharing Redis', async () => {
    const caller = as.customer('shared-budget');
    // Alternating gateways: each answer's remaining budget counts the other's requests too.
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ask(gateways[i % 2], caller));
    expect(answers.map((a) => [a.status, a.remaining])).toEqual([
      [200, '3'],
      [200, '2'],
      [200, '1'],
      [200, '0'],
    ]);
    expect(answers.every((a) => a.body.data?.me.id === 'shared-budget')).toBe(true);
    for (const url of gateways) {
      const refused = await ask(url, caller);
      expect(refused.status).toBe(429);
      expect(refused.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    }
    const direct = new Redis(port, '127.0.0.1');
    expect(await direct.get('autograph:rate-limit:customer:shared-budget')).toBe('6');
    direct.disconnect();
  }, 60_000);

  test('with Redis down every request still answers and each gateway counts alone; once Redis is back they share again, unprompted', async () => {
    await killRedis(redisProcess!);
    redisProcess = undefined;

    const during = as.customer('during-outage');
    // Each gateway gives the caller its own full budget of 4: the counts are per process now.
    for (const url of gateways) {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await ask(url, during));
      expect(answers.map((a) => [a.status, a.remaining, a.body.data?.me.id])).toEqual([
        [200, '3', 'during-outage'],
        [200, '2', 'during-outage'],
        [200, '1', 'during-outage'],
        [200, '0', 'during-outage'],
      ]);
      expect((await ask(url, during)).status).toBe(429);
    }
    // The failed commands marked Redis down for the whole gateway, in both.
    await untilRedisIs(503);

    redisProcess = await startRedis(port);
    // No request and no restart: the gateways find Redis back by themselves.
    await untilRedisIs(200);
    const after = as.customer('after-outage');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ask(gateways[i % 2], after));
    expect(answers.map((a) => [a.status, a.remaining])).toEqual([
      [200, '3'],
      [200, '2'],
      [200, '1'],
      [200, '0'],
    ]);
    for (const url of gateways) expect((await ask(url, after)).status).toBe(429);
  }, 90_000);

  test('a Redis that stops answering fails no request: past REDIS_TIMEOUT_MS the caller is counted in process', async () => {
    const direct = new Redis(port, '127.0.0.1');
    try {
      // Every client's commands wait for 5 s, pings too: Redis is connected but silent.
      await direct.call('CLIENT', 'PAUSE', '5000', 'ALL');
      const silent = await ask(g.url, as.customer('silent-redis'));
      expect(silent.status).toBe(200);
      expect(silent.body.data?.me.id).toBe('silent-redis');
      expect(silent.remaining).toBe('3');
      // One slow command is not an outage; a few in a row are (gateway/redis.ts SLOW_IN_A_ROW).
      for (let i = 0; i < 2; i++) expect((await ask(g.url, as.customer('silent-redis'))).status).toBe(200);
      const health = await fetch(new URL('/health/redis', g.url));
      expect(health.status).toBe(503);
      expect(((await health.json()) as { reason?: string }).reason).toMatch(/timed out/i);
    } finally {
      direct.disconnect();
    }
    await untilRedisIs(200);
  }, 60_000);
});
