/**
 * The gateway's one Redis connection (REDIS_URL), shared by every feature that keeps state across
 * replicas: persisted queries, trusted documents' lookups, the response cache, rate limits.
 *
 * Redis is never a dependency of serving a request. Every command has a deadline (REDIS_TIMEOUT_MS);
 * nothing queues while Redis is away (`enableOfflineQueue: false`), so a command fails at once instead
 * of waiting. The first failure marks Redis down — logged once, shown by `GET /health/redis` — and
 * while it is down `available` is false, so features skip it and use their in-process fallback (no
 * cache, per-process limits) without paying a timeout per request. A ping every second finds it back;
 * the client itself reconnects forever. Nothing here needs a restart.
 *
 * The gateway starts while Redis is unreachable (degraded, logged), rather than refusing to start:
 * an outage must not turn a gateway restart into an outage of the graph.
 */
import Redis from 'ioredis';
import { logger } from '../platform/logger';

/** Production reconnect schedule: 200 ms more per attempt, capped at 2 s, forever. */
export const defaultRetryDelay = (attempt: number): number => Math.min(attempt * 200, 2000);

/** How long one Redis command may take before it counts as failed (REDIS_TIMEOUT_MS). */
export const DEFAULT_REDIS_TIMEOUT_MS = 250;

/** Commands past their deadline in a row that count as Redis being down. */
const SLOW_IN_A_ROW = 3;

export interface GatewayRedisOptions {
  /** Prefix of every key the gateway writes (tests give each run its own). */
  prefix?: string;
  /** Deadline of one command, in ms. */
  timeoutMs?: number;
  /** Delay in ms before reconnect attempt `attempt` (1, 2, …). The client never gives up. */
  retryDelay?: (attempt: number) => number;
  /** How often a down Redis is pinged, in ms. */
  probeEveryMs?: number;
}

export interface RedisStatus {
  url: string;
  state: 'up' | 'down';
  /** Since when it is in that state (ISO time). */
  since: string;
  /** Why it went down (last failure), while down. */
  reason?: string;
}

export class GatewayRedis {
  readonly prefix: string;
  private up = false;
  private since = new Date();
  private reason: string | undefined = 'not connected yet';
  private probe: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly recovered: Array<(client: Redis) => Promise<unknown>> = [];
  private recovering = false;
  private slowInARow = 0;

  private constructor(
    /** The client; use it only through `run`, or when `available`. */
    readonly client: Redis,
    private readonly url: string,
    opts: GatewayRedisOptions,
    private readonly probeEveryMs: number,
  ) {
    this.prefix = opts.prefix ?? 'autograph:';
    client.on('error', () => undefined); // reported once per outage by `failed`
    client.on('ready', () => this.probeNow());
  }

  /**
   * Connects to `url` and waits (up to the command deadline, at least a second) for the first answer.
   * When Redis does not answer, the gateway still starts: degraded, logged, and found back by the probe.
   */
  static async connect(url: string, opts: GatewayRedisOptions = {}): Promise<GatewayRedis> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    const retryDelay = opts.retryDelay ?? defaultRetryDelay;
    const client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timeoutMs,
      // Commands issued together go in one round trip (per node, on a cluster): the cache's lookups of a
      // fetch's entities cost one round trip, not one each.
      enableAutoPipelining: true,
      connectTimeout: Math.max(timeoutMs, 1000),
      // Never null: returning null would end the client for good after an outage.
      retryStrategy: (attempt) => Math.max(0, retryDelay(attempt)),
    });
    const redis = new GatewayRedis(client, url, opts, opts.probeEveryMs ?? 1000);
    await client.connect().catch(() => undefined);
    await redis.probeNow();
    if (!redis.up) redis.failed(new Error(redis.reason ?? 'no answer'));
    return redis;
  }

  /** Whether features should use Redis now (false while it is down: use the in-process fallback). */
  get available(): boolean {
    return this.up && !this.closed;
  }

  status(): RedisStatus {
    return { url: this.url.replace(/\/\/[^@]*@/, '//…@'), state: this.up ? 'up' : 'down', since: this.since.toISOString(), ...(this.up ? {} : { reason: this.reason }) };
  }

  /**
   * Runs Redis commands when Redis is available; `fallback` when it is not or when they fail (the
   * first failure marks Redis down). Callers never see a Redis error.
   */
  async run<T>(fallback: T, commands: (redis: Redis) => Promise<T>): Promise<T> {
    if (!this.available) return fallback;
    try {
      const result = await commands(this.client);
      this.slowInARow = 0;
      return result;
    } catch (err) {
      this.failed(err);
      return fallback;
    }
  }

  /**
   * Marks Redis down after a failed command (logged once per outage) and starts probing for it. One slow
   * command is not an outage (every feature falling back at once would be worse than the slow answer):
   * only a connection failure, or SLOW_IN_A_ROW commands past their deadline in a row, is.
   */
  failed(err: unknown): void {
    if (this.closed) return;
    const reason = (err as Error)?.message ?? String(err);
    if (/timed out/i.test(reason) && ++this.slowInARow < SLOW_IN_A_ROW) return;
    this.slowInARow = 0;
    if (this.up) {
      this.since = new Date();
      logger.warn({ service: 'gateway', reason }, 'Redis is unreachable: no shared cache, persisted queries or limits until it is back (each gateway falls back to its own)');
    } else if (!this.probe) {
      logger.warn({ service: 'gateway', reason, url: this.status().url }, 'Redis is not reachable: starting without it (each gateway falls back to its own cache and limits) until it is');
    }
    this.up = false;
    this.reason = reason;
    this.probe ??= setInterval(() => void this.probeNow(), this.probeEveryMs).unref();
  }

  private async probeNow(): Promise<void> {
    if (this.closed || this.recovering) return;
    try {
      await this.client.ping();
    } catch (err) {
      this.reason = (err as Error).message;
      return;
    }
    if (this.up) return;
    const wasDown = this.probe !== undefined;
    if (wasDown) {
      // Features put right what the outage left wrong before anyone uses Redis again; if that fails,
      // Redis stays down and the next probe tries again.
      this.recovering = true;
      try {
        for (const listener of this.recovered) await listener(this.client);
      } catch (err) {
        this.reason = `recovering after the outage: ${(err as Error).message}`;
        return;
      } finally {
        this.recovering = false;
      }
    }
    this.up = true;
    this.since = new Date();
    this.reason = undefined;
    clearInterval(this.probe);
    this.probe = undefined;
    if (wasDown) logger.info({ service: 'gateway' }, 'Redis is reachable again: shared cache, persisted queries and limits resume');
  }

  /**
   * Runs `listener` with the client each time Redis answers again after being down (not at the first
   * connection), before any feature uses Redis again.
   */
  onRecovered(listener: (client: Redis) => Promise<unknown>): void {
    this.recovered.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.probe);
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
