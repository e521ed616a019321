/**
 * The near cache (public response-cache keys held in each gateway process, kept coherent by Redis's
 * client-side caching), through HTTP, on a private redis-server shared by two replicas — one in this
 * process, one its own process (`npm run gateway`): a public hit held near sends Redis no command for any
 * cache key; an admin's removal through one replica is seen by the other as soon as Redis's invalidation
 * arrives, and the removed answer is never served again; with Redis stopped nothing held is served and
 * every answer is still right; with Redis back tracking is set up again and near hits resume by themselves.
 */
import type { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { GatewayRedis } from './redis';
import { as, startGatewayOver } from '../testing/harness';
import { startGatewayProcess, type GatewayProcess } from '../testing/gateway-process';
import { startOrdersGraph, type OrdersTestGraph } from '../testing/orders';
import { freePort, killRedis, startRedis } from '../testing/redis-server';
import type { NearStatus } from './response-cache/near-reads';

const COLOURS = '{ colours { id name } }';
const GENEROUS_MS = 20_000;

/** Polls `probe` until it returns a value (not undefined), at most GENEROUS_MS; never a fixed sleep as the condition. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + GENEROUS_MS;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('the near cache of public response-cache entries', () => {
  let t: OrdersTestGraph;
  let port: number;
  let redisProcess: ChildProcess | undefined;
  let redis: GatewayRedis;
  let one: Awaited<ReturnType<typeof startGatewayOver>>;
  let two: GatewayProcess;
  let colourId: string;

  beforeAll(async () => {
    t = await startOrdersGraph();
    port = await freePort();
    redisProcess = await startRedis(port);
    // The default key prefix, as the process has: both replicas share every key.
    redis = await GatewayRedis.connect(`redis://127.0.0.1:${port}`, { retryDelay: () => 20, probeEveryMs: 50 });
    one = await startGatewayOver(t.g, { redis, config: { responseCache: { enabled: true, development: false, maxEntries: 1000, maxMegabytes: 32 } } });
    two = await startGatewayProcess(t.g, { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMITS: 'anonymous=1000000/1s,anonymous-address=1000000/1s' });
    colourId = t.catalog.colours[0].id;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await redis?.close();
    if (redisProcess) await killRedis(redisProcess);
    await t?.g.stop();
  });

  const urls = () => ({ one: one.url, two: two.url });
  async function colours(url: string) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: COLOURS }) });
    const body = (await res.json()) as { data?: { colours: Array<{ id: string; name: string }> }; errors?: unknown[] };
    return { status: res.status, xCache: res.headers.get('x-cache'), body, name: body.data?.colours.find((c) => c.id === colourId)?.name };
  }
  const near = async (url: string) => ((await (await fetch(new URL('/health/response-cache', url))).json()) as { near: NearStatus }).near;
  /** Asks until the replica serves the answer from its near cache (its near hits grow while Redis hears nothing). */
  async function untilHeldNear(url: string) {
    await until(`${url} to track`, async () => ((await near(url)).state === 'tracking' ? true : undefined));
    await colours(url); // stored (a miss)
    await colours(url); // read through the tracked connection: now held
    const before = (await near(url)).hits;
    expect((await colours(url)).xCache).toBe('HIT');
    expect((await near(url)).hits).toBeGreaterThan(before);
  }
  async function setColourName(name: string) {
    await t.g.db.query('UPDATE catalog.colours SET name = $1 WHERE id = $2', [name, colourId]);
  }
  async function invalidate(url: string, tags: string[]) {
    const res = await fetch(new URL('/cache/invalidate', url), { method: 'POST', headers: { authorization: `Bearer ${await t.g.token(as.admin())}`, 'content-type': 'application/json' }, body: JSON.stringify({ tags }) });
    expect(res.status).toBe(200);
  }

  /** Every command Redis runs while `during` runs, from a MONITOR connection (bracketed by markers). */
  async function commandsDuring(during: () => Promise<void>): Promise<string[]> {
    const client = new Redis(port, '127.0.0.1');
    const monitor = await client.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(args.join(' ')));
    const direct = new Redis(port, '127.0.0.1');
    const marker = async (m: string) => {
      await direct.echo(m);
      await until(`MONITOR to see ${m}`, async () => (seen.some((s) => s.includes(m)) ? true : undefined));
    };
    await marker('near-test-start');
    await during();
    await marker('near-test-end');
    direct.disconnect();
    monitor.disconnect();
    client.disconnect();
    const from = seen.findIndex((s) => s.includes('near-test-start'));
    return seen.slice(from + 1, seen.findIndex((s) => s.includes('near-test-end')));
  }

  test('a public answer held near is served again with no Redis command for any response-cache key, on both replicas', async () => {
    for (const url of Object.values(urls())) {
      await untilHeldNear(url);
      const expected = (await colours(url)).body;
      const commands = await commandsDuring(async () => {
        for (let i = 0; i < 5; i++) {
          const again = await colours(url);
          expect(again.xCache).toBe('HIT');
          expect(again.body).toEqual(expected);
        }
      });
      // The rate limit still counts in Redis; the cache asks it nothing.
      expect(commands.filter((c) => c.includes('rc:'))).toEqual([]);
    }
    const metrics = await (await fetch(new URL('/metrics', one.url))).text();
    expect(Number(/^autograph_gateway_response_cache_near_total\{result="hit"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  test('an admin removal by tag through one replica is seen by the other once the invalidation arrives, and the removed answer is never served again', async () => {
    for (const [tags, name] of [[['subgraph:catalog'], 'Near Blue'], [['public'], 'Near Green']] as const) {
      await untilHeldNear(two.url);
      const old = (await colours(two.url)).name;
      await setColourName(name);
      // Nothing told the cache yet: the held answer is still the old one (the test can tell the difference).
      expect((await colours(two.url)).name).toBe(old);
      const invalidationsBefore = (await near(two.url)).invalidations;
      await invalidate(one.url, [...tags]);
      const removedAt = Date.now();
      await until(`Redis's invalidation to reach replica two`, async () => ((await near(two.url)).invalidations > invalidationsBefore ? true : undefined));
      const arrivedAfterMs = Date.now() - removedAt;
      await until(`replica two to serve ${name}`, async () => ((await colours(two.url)).name === name ? true : undefined));
      const seenAfterMs = Date.now() - removedAt;
      for (let i = 0; i < 20; i++) expect((await colours(two.url)).name).toBe(name);
      // And the replica that removed it serves the new answer at once (it drops what it held itself).
      expect((await colours(one.url)).name).toBe(name);
      // Polled over HTTP: each figure is at most one poll (about a millisecond) after the event.
      console.log(`near cache: removal of ${tags.join(',')} through replica one: invalidation held by replica two ${arrivedAfterMs} ms after the removal answered, the new answer served after ${seenAfterMs} ms`);
      expect(seenAfterMs).toBeLessThan(GENEROUS_MS);
    }
  });

  test('with Redis stopped nothing held is served and every answer is right; with it back tracking resumes and near hits come back unprompted', async () => {
    await untilHeldNear(one.url);
    await untilHeldNear(two.url);
    const flushesBefore = { one: (await near(one.url)).flushes, two: (await near(two.url)).flushes };
    await killRedis(redisProcess!);
    redisProcess = undefined;
    await setColourName('Outage Red');
    for (const url of Object.values(urls())) {
      const status = await until(`${url}'s near cache to stop serving`, async () => {
        const s = await near(url);
        return s.state !== 'tracking' && s.entries === 0 ? s : undefined;
      });
      expect(status.flushes).toBeGreaterThan(url === one.url ? flushesBefore.one : flushesBefore.two);
      // Answers from the subgraph: the change made during the outage is seen, held answers are not.
      const during = await colours(url);
      expect(during.status).toBe(200);
      expect(during.xCache).toBe('MISS');
      expect(during.name).toBe('Outage Red');
    }

    redisProcess = await startRedis(port);
    for (const url of Object.values(urls())) {
      await until(`${url}'s near cache to track again`, async () => ((await near(url)).state === 'tracking' && (await colours(url)).xCache === 'HIT' ? true : undefined));
      await untilHeldNear(url);
      expect((await colours(url)).name).toBe('Outage Red');
    }
  }, 120_000);
});
