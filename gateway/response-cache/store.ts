/**
 * Where the response cache keeps its entries: the gateway's shared Redis (every replica sees the same
 * entries and the same invalidations), or — without REDIS_URL — a bounded map in this process.
 *
 * Invalidation has two forms. Generations (`user:<caller>`, `private`, `public`, `epoch`) are
 * counters that are part of every key computed under them: bumping one makes every entry made under
 * the old value unreachable at once, and an answer fetched before the bump but stored after it lands
 * under the old value, where nobody looks — so a mutation can never be undone by a slow read racing
 * it. Tags (`type:Trim`, `entity:Trim:<key>`, `subgraph:catalog`) name sets of keys, for the admin's
 * removal by tag. While Redis is down every read is a miss and every write is dropped (no cache, the
 * answer is still right).
 *
 * Each key read is PUBLIC (it holds nothing of any caller: public entries, whole public answers, the
 * generations every caller shares) or PRIVATE. With a near cache (`near-reads.ts`) public keys are
 * served from this process while Redis's tracking says they are unchanged; private ones always come
 * from Redis.
 */
import type { GatewayRedis } from '../redis';
import type { RedisClient } from '../redis-connection';
import type { NearReads } from './near-reads';

/** Whether a key read may be served from the near cache: PUBLIC holds nothing of any caller. */
export type KeyScope = 'PUBLIC' | 'PRIVATE';

export interface StoredEntry {
  key: string;
  value: string;
  ttlSeconds: number;
  tags: readonly string[];
}

export interface CacheStore {
  /** `scopes[i]` says what `keys[i]` holds; a key without one counts as PRIVATE. */
  getMany(keys: readonly string[], scopes?: readonly KeyScope[]): Promise<Array<string | undefined>>;
  setMany(entries: readonly StoredEntry[]): Promise<void>;
  /** The current value of each generation counter (0 when never bumped); null when they cannot be read. */
  generations(names: readonly string[], scopes?: readonly KeyScope[]): Promise<number[] | null>;
  bump(names: readonly string[]): Promise<void>;
  /** Removes every entry carrying one of `tags`; how many were removed. */
  removeTagged(tags: readonly string[]): Promise<number>;
}

/** How long a tag set outlives its entries at most (entries expire on their own; the set is only an index). */
const TAG_TTL_SECONDS = 86_400;

/**
 * Single-key commands only, issued together (all in flight at once: one round trip): on a Redis Cluster
 * every key goes to the node that owns its slot (a multi-key MGET or MULTI would fail across slots). An
 * entry and its tag sets need not share a slot: they are written by separate commands, and a tag set
 * naming an entry that has expired costs only an UNLINK of nothing when the tag is removed.
 *
 * The generation counters, a handful of keys read by every request, share one hash tag (`{g}`), so they
 * live on one node and cost one round trip. They are read with one GET each, not MGET: while their slot
 * is being migrated some may have moved and some not, and a multi-key command then fails (TRYAGAIN) until
 * the migration ends, where single GETs are redirected (ASK) and answered. Reading them one by one loses
 * nothing: each is bumped on its own, never together in a transaction.
 */
export function redisCacheStore(redis: GatewayRedis, near?: NearReads): CacheStore & { afterOutage(client: RedisClient): Promise<unknown> } {
  const entry = (key: string) => `${redis.prefix}rc:e:${key}`;
  const tag = (name: string) => `${redis.prefix}rc:t:${name}`;
  const gen = (name: string) => `${redis.prefix}rc:{g}:${name}`;
  /**
   * Reads `keys` (full Redis keys): the public ones through the near cache when it serves, the rest (or
   * all, when it does not) with one GET each. `absentAs` is what an absent public key is held as.
   */
  const read = async (keys: string[], scopes: readonly KeyScope[] | undefined, fallback: null, absentAs?: string): Promise<Array<string | null> | null> => {
    const nearServes = near?.serving() && scopes;
    const pub: number[] = [];
    const rest: number[] = [];
    keys.forEach((_, i) => (nearServes && scopes[i] === 'PUBLIC' ? pub : rest).push(i));
    const fromRedis = (indexes: number[]) => redis.run(fallback, (r) => Promise.all(indexes.map((i) => r.get(keys[i]))));
    const out: Array<string | null> = new Array(keys.length);
    // In parallel: the near cache's misses and the private keys each cost one round trip, together one.
    const [nearValues, others] = await Promise.all([pub.length ? near!.read(pub.map((i) => keys[i]), absentAs) : [], rest.length ? fromRedis(rest) : []]);
    if (others === null) return null;
    others.forEach((v, j) => (out[rest[j]] = v));
    // The near cache stopped serving while reading (its connection failed): read those from Redis too.
    const fromNear = nearValues ?? (await fromRedis(pub));
    if (fromNear === null) return null;
    fromNear.forEach((v, j) => (out[pub[j]] = v ?? absentAs ?? null));
    return out;
  };
  const tracked = (keys: string[]) => near?.changed(keys);
  return {
    // Entries written before an outage may predate a mutation the gateway could not record while Redis
    // was away (a partition, not a restart): a new epoch makes every one of them unreachable.
    afterOutage: async (client) => {
      await client.incr(gen('epoch'));
      near?.flush('redis_down');
    },
    getMany: async (keys, scopes) => ((await read(keys.map(entry), scopes, null)) ?? keys.map(() => null)).map((v) => v ?? undefined),
    setMany: (entries) =>
      redis.run(undefined, async (r) => {
        await Promise.all(
          // A tag set's lifetime is set once (NX), not pushed on by every write: it cannot outlive a day.
          entries.flatMap((e) => [r.set(entry(e.key), e.value, 'EX', e.ttlSeconds), ...e.tags.flatMap((t) => [r.sadd(tag(t), entry(e.key)), r.expire(tag(t), TAG_TTL_SECONDS, 'NX')])]),
        );
        // Overwritten here: whatever this process held for them is older (Redis tells the other replicas).
        tracked(entries.map((e) => entry(e.key)));
      }),
    generations: async (names, scopes) => (await read(names.map(gen), scopes, null, '0'))?.map((v) => Number(v ?? 0)) ?? null,
    bump: (names) =>
      redis.run(undefined, async (r) => {
        const keys = names.map(gen);
        // Before and after: a read of the old value in flight now is not kept, nor is anything held from before.
        tracked(keys);
        await Promise.all(keys.map((k) => r.incr(k)));
        tracked(keys);
      }),
    removeTagged: (tags) =>
      redis.run(0, async (r) => {
        let removed = 0;
        // A page of the set at a time, so that no single command is large enough to run into the deadline.
        for (const t of tags) {
          let cursor = '0';
          do {
            const [next, keys] = await r.sscan(tag(t), cursor, 'COUNT', 200);
            cursor = next;
            tracked(keys);
            removed += (await Promise.all(keys.map((k) => r.unlink(k)))).reduce((a, b) => a + b, 0);
            tracked(keys);
          } while (cursor !== '0');
          await r.unlink(tag(t));
        }
        return removed;
      }),
  };
}

/**
 * The per-process store: at most `maxEntries` entries and `maxBytes` of keys and values (counted as their
 * length in characters), the oldest written dropped first. The byte bound is what keeps it inside the
 * gateway's heap bound (`npm run gateway` runs with `--max-old-space-size`): a count alone would let a few
 * thousand large private answers take the process down.
 */
export function memoryCacheStore(maxEntries: number, maxBytes = Number.MAX_SAFE_INTEGER, now: () => number = Date.now): CacheStore {
  const entries = new Map<string, { value: string; expiresAt: number; tags: readonly string[] }>();
  const tags = new Map<string, Set<string>>();
  const gens = new Map<string, number>();
  let bytes = 0;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return false;
    entries.delete(key);
    bytes -= key.length + e.value.length;
    for (const t of e.tags) tags.get(t)?.delete(key);
    return true;
  };
  return {
    async getMany(keys) {
      return keys.map((k) => {
        const e = entries.get(k);
        if (e && e.expiresAt <= now()) drop(k);
        return e && e.expiresAt > now() ? e.value : undefined;
      });
    },
    async setMany(list) {
      for (const e of list) {
        drop(e.key);
        // One entry larger than the whole bound is not kept (it would only push every other entry out).
        if (e.key.length + e.value.length > maxBytes) continue;
        entries.set(e.key, { value: e.value, expiresAt: now() + e.ttlSeconds * 1000, tags: e.tags });
        bytes += e.key.length + e.value.length;
        for (const t of e.tags) (tags.get(t) ?? tags.set(t, new Set()).get(t)!).add(e.key);
        while (entries.size > maxEntries || bytes > maxBytes) drop(entries.keys().next().value as string);
      }
    },
    async generations(names) {
      return names.map((n) => gens.get(n) ?? 0);
    },
    async bump(names) {
      for (const n of names) gens.set(n, (gens.get(n) ?? 0) + 1);
    },
    async removeTagged(list) {
      let removed = 0;
      for (const t of list) {
        for (const key of [...(tags.get(t) ?? [])]) if (drop(key)) removed++;
        tags.delete(t);
      }
      return removed;
    },
  };
}
