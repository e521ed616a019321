/**
 * A Redis-backed `KeyValueCache` for the gateway's automatic persisted queries, so every gateway
 * instance shares the registered operations. Used when REDIS_URL is set; otherwise Apollo's
 * in-memory cache serves a single instance.
 *
 * Redis is an optimisation here, never a dependency of serving a request: while it is unreachable
 * a read is a miss (the client sends the full query again) and a write is dropped, each reported
 * once per outage; the client keeps reconnecting for as long as the gateway runs.
 */
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import Redis from 'ioredis';
import { logger } from '../platform/logger';

/** Production reconnect schedule: 200 ms more per attempt, capped at 2 s, forever. */
export const defaultRetryDelay = (attempt: number): number => Math.min(attempt * 200, 2000);

export interface RedisCacheOptions {
  /** Prefix of every key. */
  prefix?: string;
  /** Delay in ms before reconnect attempt `attempt` (1, 2, …). The client never gives up. */
  retryDelay?: (attempt: number) => number;
}

type Op = 'get' | 'set' | 'delete';

export class RedisKeyValueCache implements KeyValueCache<string> {
  /** Operations that have failed (and been logged) since Redis was last ready. */
  private readonly failing = new Set<Op>();

  constructor(private readonly redis: Redis, private readonly prefix = 'autograph:') {
    redis.on('ready', () => {
      if (this.failing.size === 0) return;
      this.failing.clear();
      logger.info({ service: 'gateway' }, 'Redis is reachable again: persisted queries are shared again');
    });
  }

  /** Connects to `url` and fails fast with a readable message when Redis is not there. */
  static async connect(url: string, options?: string | RedisCacheOptions): Promise<RedisKeyValueCache> {
    const { prefix, retryDelay = defaultRetryDelay } = typeof options === 'string' ? { prefix: options } : options ?? {};
    const redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: false,
      connectTimeout: 3000,
      // Never null: returning null would end the client for good after an outage.
      retryStrategy: (attempt) => Math.max(0, retryDelay(attempt)),
    });
    redis.on('error', () => undefined); // reported once per outage by the failing command instead
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      throw new Error(`cannot reach Redis at ${url}: ${(err as Error).message}`);
    }
    return new RedisKeyValueCache(redis, prefix);
  }

  private failed(op: Op, err: unknown): void {
    if (this.failing.has(op)) return;
    this.failing.add(op);
    logger.warn({ service: 'gateway', op, err: (err as Error)?.message ?? String(err) }, `Redis ${op} failed: treating the persisted-query cache as empty until Redis is back`);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.prefix + key)) ?? undefined;
    } catch (err) {
      this.failed('get', err);
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl;
    try {
      if (ttl && ttl > 0) await this.redis.set(this.prefix + key, value, 'EX', Math.ceil(ttl));
      else await this.redis.set(this.prefix + key, value);
    } catch (err) {
      this.failed('set', err);
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return (await this.redis.del(this.prefix + key)) > 0;
    } catch (err) {
      this.failed('delete', err);
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
