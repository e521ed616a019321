/**
 * The near cache's coherence rules, with a fake tracking pair whose replies and invalidation messages
 * arrive in the order each test chooses (the orderings a real Redis produces only by chance): a read
 * overtaken by its key's invalidation keeps nothing; a lost pair, a read in flight across it, a flush
 * message and a Redis outage each leave nothing held; and the bounds (entries, bytes, lifetimes) hold.
 * `gateway/response-cache-near.test.ts` proves the same through real Redis and two replicas.
 */
import { NearCache } from './near-cache';
import { NearReads } from './near-reads';
import type { OpenTracking, TrackingHandlers } from './redis-tracking';

interface Pending {
  keys: readonly string[];
  reply(values: Array<[string | null, number]>): void;
}

/** A tracking pair the test drives: every read waits for `reply`; `handlers` deliver messages. */
function fakeTracking() {
  const pairs: TrackingHandlers[] = [];
  const pending: Pending[] = [];
  let reads = 0;
  const open: OpenTracking = async (handlers) => {
    pairs.push(handlers);
    return {
      read: (keys) =>
        new Promise((resolve) => {
          reads++;
          pending.push({ keys, reply: resolve });
        }),
      check: async () => undefined,
      close: () => undefined,
    };
  };
  return { open, pairs, pending, reads: () => reads, last: () => pairs[pairs.length - 1] };
}

const settings = { enabled: true, maxEntries: 100, maxMegabytes: 1 };
const tick = () => new Promise((r) => setImmediate(r));
async function untilTracking(near: NearReads, pairs = 1, fake?: ReturnType<typeof fakeTracking>) {
  while (near.status().state !== 'tracking' || (fake && fake.pairs.length < pairs)) await tick();
}

/** Reads `key` and answers the read with `value` (no lifetime) if it went to Redis; what the read returned. */
async function readAnswering(near: NearReads, fake: ReturnType<typeof fakeTracking>, key: string, value: string) {
  const before = fake.reads();
  const result = near.read([key]);
  await tick();
  if (fake.reads() > before) fake.pending.shift()!.reply([[value, -1]]);
  return { values: await result, wentToRedis: fake.reads() > before };
}

describe('the near cache kept coherent', () => {
  const made: NearReads[] = [];
  afterEach(() => made.splice(0).forEach((n) => n.close()));
  function nearWith(redis = { available: true }) {
    const fake = fakeTracking();
    const near = new NearReads(redis, settings, fake.open, () => 0);
    made.push(near);
    return { fake, near };
  }

  test('a value read once is served again from the process without a read', async () => {
    const { fake, near } = nearWith();
    await untilTracking(near);
    expect(await readAnswering(near, fake, 'k', 'v1')).toEqual({ values: ['v1'], wentToRedis: true });
    expect(await readAnswering(near, fake, 'k', 'never')).toEqual({ values: ['v1'], wentToRedis: false });
  });

  test('a read whose key is invalidated before its reply arrives keeps nothing: the next lookup reads Redis again', async () => {
    const { fake, near } = nearWith();
    await untilTracking(near);
    const inFlight = near.read(['k']);
    await tick();
    // The invalidation overtakes the reply (they come on different connections).
    fake.last().invalidated(['k']);
    fake.pending.shift()!.reply([['old', -1]]);
    expect(await inFlight).toEqual(['old']); // what Redis said when it was asked
    expect(await readAnswering(near, fake, 'k', 'new')).toEqual({ values: ['new'], wentToRedis: true });
    expect(await readAnswering(near, fake, 'k', 'never')).toEqual({ values: ['new'], wentToRedis: false });
  });

  test('an invalidation of a held key drops it; other keys stay held', async () => {
    const { fake, near } = nearWith();
    await untilTracking(near);
    await readAnswering(near, fake, 'a', 'a1');
    await readAnswering(near, fake, 'b', 'b1');
    fake.last().invalidated(['a']);
    expect(await readAnswering(near, fake, 'a', 'a2')).toEqual({ values: ['a2'], wentToRedis: true });
    expect(await readAnswering(near, fake, 'b', 'never')).toEqual({ values: ['b1'], wentToRedis: false });
  });

  test('a lost tracking pair drops everything and serves nothing until a new pair is set up, and a read in flight across it keeps nothing', async () => {
    const { fake, near } = nearWith();
    await untilTracking(near);
    await readAnswering(near, fake, 'held', 'h1');
    const inFlight = near.read(['flying']);
    await tick();
    fake.last().lost('connection closed');
    expect(near.status()).toMatchObject({ state: 'connecting', entries: 0 });
    fake.pending.shift()!.reply([['stale', -1]]);
    await inFlight;
    await untilTracking(near, 2, fake);
    // Messages from the old pair mean nothing now; the new pair's reads are what is held.
    expect(await readAnswering(near, fake, 'held', 'h2')).toEqual({ values: ['h2'], wentToRedis: true });
    expect(await readAnswering(near, fake, 'flying', 'f2')).toEqual({ values: ['f2'], wentToRedis: true });
    expect(near.status().flushes).toBe(1);
  });

  test('while tracking is not established every read is left to Redis', async () => {
    const { fake, near } = nearWith();
    await untilTracking(near);
    fake.last().lost('gone');
    expect(await near.read(['k'])).toBeUndefined();
    expect(near.serving()).toBe(false);
  });

  test('a flush message (the server emptied its keys) drops everything and keeps serving', async () => {
    const { fake, near } = nearWith();
    await untilTracking(near);
    await readAnswering(near, fake, 'k', 'v1');
    fake.last().invalidated(null);
    expect(near.status()).toMatchObject({ state: 'tracking', entries: 0, flushes: 1 });
    expect(await readAnswering(near, fake, 'k', 'v2')).toEqual({ values: ['v2'], wentToRedis: true });
  });

  test("while the gateway's Redis is down nothing is served and what was held is gone when it is back", async () => {
    const redis = { available: true };
    const { fake, near } = nearWith(redis);
    await untilTracking(near);
    await readAnswering(near, fake, 'k', 'v1');
    redis.available = false;
    expect(await near.read(['k'])).toBeUndefined();
    redis.available = true;
    expect(await readAnswering(near, fake, 'k', 'v2')).toEqual({ values: ['v2'], wentToRedis: true });
  });

  test('a key this process changed itself is dropped at once, and an absent generation is held as given', async () => {
    const { fake, near } = nearWith();
    await untilTracking(near);
    const gen = near.read(['g'], '0');
    await tick();
    fake.pending.shift()!.reply([[null, -2]]);
    expect(await gen).toEqual(['0']);
    expect(await readAnswering(near, fake, 'g', 'never')).toEqual({ values: ['0'], wentToRedis: false });
    near.changed(['g']);
    expect(await readAnswering(near, fake, 'g', '1')).toEqual({ values: ['1'], wentToRedis: true });
  });
});

describe("the near cache's bounds", () => {
  const held = (c: NearCache, key: string, value: string, expiresAt = Infinity) => c.settle(c.ticket(key), value, expiresAt);

  test('keeps at most its number of entries, dropping the least recently used', () => {
    const c = new NearCache(2, 1_000_000);
    held(c, 'a', '1');
    held(c, 'b', '2');
    expect(c.get('a')).toBe('1'); // a is now the most recently used
    held(c, 'c', '3');
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual(['1', undefined, '3']);
  });

  test('keeps to its bytes of keys and values, and never keeps one value larger than the bound', () => {
    const c = new NearCache(100, 100);
    held(c, 'a', 'x'.repeat(40));
    held(c, 'b', 'x'.repeat(40));
    held(c, 'c', 'x'.repeat(40)); // 3 × 41 > 100: a goes
    expect([c.get('a'), c.get('b')?.length, c.get('c')?.length]).toEqual([undefined, 40, 40]);
    held(c, 'huge', 'x'.repeat(500));
    expect(c.get('huge')).toBeUndefined();
    expect(c.stats()).toMatchObject({ entries: 2, bytes: 82 });
  });

  test('an entry expires at its own time', () => {
    let now = 1000;
    const c = new NearCache(100, 1_000_000, () => now);
    held(c, 'short', 's', 1500);
    held(c, 'long', 'l', 5000);
    now = 1500;
    expect([c.get('short'), c.get('long')]).toEqual([undefined, 'l']);
    expect(c.stats().entries).toBe(1);
  });
});
