/**
 * The near cache kept coherent with Redis: PUBLIC keys are read through a connection the server tracks
 * (`redis-tracking.ts`), held in this process (`near-cache.ts`) and dropped when Redis says any replica
 * changed them. The store (`store.ts`) asks it for public keys only; private entries and per-caller
 * generations always come from Redis (read-your-writes across replicas).
 *
 * When it serves nothing (every read goes to Redis, as without it):
 *  - before tracking is established, and from the moment a tracking connection is lost until a new pair
 *    is set up — everything held is dropped first, since changes made meanwhile are reported to nobody;
 *  - while the gateway's Redis is down (`GatewayRedis.available`): dropped too, as the rest of the cache
 *    is not used then either.
 * A flush message (the server emptied its keys) drops everything but keeps tracking.
 */
import { counter, gauge } from '../../platform/metrics';
import { logger } from '../../platform/logger';
import { NearCache } from './near-cache';
import type { OpenTracking, TrackingConnections } from './redis-tracking';

export interface NearCacheSettings {
  /** RESPONSE_CACHE_NEAR: true (default; only with REDIS_URL) or false. */
  enabled: boolean;
  /** RESPONSE_CACHE_NEAR_MAX_ENTRIES */
  maxEntries: number;
  /** RESPONSE_CACHE_NEAR_MAX_MB: keys and values, in megabytes. */
  maxMegabytes: number;
}

export const DEFAULT_NEAR_CACHE: NearCacheSettings = { enabled: true, maxEntries: 10_000, maxMegabytes: 16 };

export interface NearStatus {
  state: 'tracking' | 'connecting' | 'off';
  /** Why it serves nothing, when it does not. */
  reason?: string;
  since: string;
  maxEntries: number;
  maxBytes: number;
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  invalidations: number;
  flushes: number;
}

const lookups = counter('autograph_gateway_response_cache_near_total', 'Near-cache lookups of public response-cache keys (entries, whole answers, generations), by result: hit (no Redis command) or miss (read from Redis)', ['result'] as const);
const invalidations = counter('autograph_gateway_response_cache_near_invalidations_total', 'Keys the near cache dropped because Redis (or this replica\'s own write) said they changed', [] as const);
const flushes = counter('autograph_gateway_response_cache_near_flushes_total', 'Times the near cache dropped everything, by reason: lost (a tracking connection ended), server (Redis flushed), redis_down, closed', ['reason'] as const);
const live = new Set<NearReads>();
gauge('autograph_gateway_response_cache_near_entries', 'Entries held in the near cache', [] as const, function collect() {
  this.set([...live].reduce((n, r) => n + r.status().entries, 0));
});

/** How often a tracking pair is asked whether the server still redirects to it. */
const CHECK_EVERY_MS = 1000;

export class NearReads {
  private readonly cache: NearCache;
  private conn: TrackingConnections | undefined;
  private state: NearStatus['state'] = 'connecting';
  private reason: string | undefined = 'tracking not established yet';
  private since = new Date();
  /** Bumped by every pair opened or lost: messages from an older pair are ignored. */
  private session = 0;
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;
  private checker: NodeJS.Timeout | undefined;
  private redisDown = false;
  private closed = false;

  constructor(
    private readonly redis: { readonly available: boolean },
    private readonly settings: NearCacheSettings,
    private readonly open: OpenTracking,
    private readonly retryDelay: (attempt: number) => number,
  ) {
    this.cache = new NearCache(settings.maxEntries, settings.maxMegabytes * 1024 * 1024);
    live.add(this);
    void this.establish();
  }

  /**
   * The values of `keys` (full Redis keys, all public), from this process where held and otherwise from
   * the tracked connection (then held); null for an absent key — or `absentAs`, which is then held too
   * (a generation never bumped is 0 until Redis says it changed). Undefined: the near cache serves
   * nothing now; read them from Redis as without it.
   */
  async read(keys: readonly string[], absentAs?: string): Promise<Array<string | null> | undefined> {
    if (!this.serving()) return undefined;
    const out: Array<string | null> = new Array(keys.length);
    const missing: number[] = [];
    keys.forEach((k, i) => {
      const v = this.cache.get(k);
      if (v === undefined) missing.push(i);
      else out[i] = v;
    });
    lookups.inc({ result: 'hit' }, keys.length - missing.length);
    if (missing.length === 0) return out;
    lookups.inc({ result: 'miss' }, missing.length);
    const conn = this.conn!;
    // Tickets before the read is sent: an invalidation that overtakes the reply spoils them.
    const tickets = missing.map((i) => this.cache.ticket(keys[i]));
    const sentAt = Date.now();
    let got: Array<[string | null, number]>;
    try {
      got = await conn.read(missing.map((i) => keys[i]));
    } catch (err) {
      for (const t of tickets) this.cache.settle(t, undefined, 0);
      if (conn === this.conn) this.lose(`a tracked read failed: ${(err as Error).message}`);
      return undefined;
    }
    got.forEach(([value, pttl], j) => {
      out[missing[j]] = value ?? absentAs ?? null;
      // Lifetime from when the read was sent, so never later than Redis's own.
      const expiresAt = pttl >= 0 ? sentAt + pttl : pttl === -1 || absentAs !== undefined ? Infinity : 0;
      this.cache.settle(tickets[j], value ?? absentAs, expiresAt);
    });
    return out;
  }

  /** This process changed `keys` itself: forget them now, not only when Redis's message arrives. */
  changed(keys: readonly string[]): void {
    this.cache.invalidate(keys);
    invalidations.inc(keys.length);
  }

  /** Drops everything (the gateway's Redis came back: its epoch is new). */
  flush(reason: string): void {
    this.cache.flush();
    flushes.inc({ reason });
  }

  status(): NearStatus {
    return {
      state: this.state,
      ...(this.reason ? { reason: this.reason } : {}),
      since: this.since.toISOString(),
      maxEntries: this.settings.maxEntries,
      maxBytes: this.settings.maxMegabytes * 1024 * 1024,
      ...this.cache.stats(),
    };
  }

  close(): void {
    this.closed = true;
    live.delete(this);
    clearTimeout(this.retry);
    clearInterval(this.checker);
    this.session++;
    this.conn?.close();
    this.conn = undefined;
    this.cache.flush();
  }

  /** Whether public reads are served from here now (tracking established, the gateway's Redis up). */
  serving(): boolean {
    if (!this.redis.available) {
      // Once per outage: nothing held from before it may be served after it.
      if (!this.redisDown) this.flush('redis_down');
      this.redisDown = true;
      return false;
    }
    this.redisDown = false;
    return this.state === 'tracking';
  }

  private async establish(): Promise<void> {
    if (this.closed) return;
    const session = ++this.session;
    try {
      const conn = await this.open({
        invalidated: (keys) => {
          if (session !== this.session) return;
          if (keys === null) return this.flush('server');
          this.cache.invalidate(keys);
          invalidations.inc(keys.length);
        },
        lost: (reason) => {
          if (session === this.session) this.lose(reason);
        },
      });
      if (session !== this.session || this.closed) return conn.close();
      this.conn = conn;
      this.set('tracking', undefined);
      if (this.attempt > 0) logger.info({ service: 'gateway' }, 'near cache: tracking re-established, public entries are held in this process again');
      this.attempt = 0;
      this.checker = setInterval(() => {
        conn.check().catch((err: Error) => {
          if (conn === this.conn) this.lose(err.message);
        });
      }, CHECK_EVERY_MS).unref();
    } catch (err) {
      if (session === this.session) this.lose(`cannot set up tracking: ${(err as Error).message}`);
    }
  }

  /** The pair is gone: drop everything, serve nothing, and open a new pair after a while. */
  private lose(reason: string): void {
    if (this.closed) return;
    if (this.state === 'tracking') logger.warn({ service: 'gateway', reason }, 'near cache: tracking lost, every public read goes to Redis until it is re-established');
    this.session++;
    clearInterval(this.checker);
    this.conn?.close();
    this.conn = undefined;
    this.flush('lost');
    this.set('connecting', reason);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.establish(), Math.max(0, this.retryDelay(++this.attempt))).unref();
  }

  private set(state: NearStatus['state'], reason: string | undefined): void {
    this.state = state;
    this.reason = reason;
    this.since = new Date();
  }
}
