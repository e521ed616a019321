/**
 * A Redis-backed `KeyValueCache` for the gateway's automatic persisted queries, so every gateway
 * instance shares the registered operations. Used when REDIS_URL is set; otherwise Apollo's
 * in-memory cache serves a single instance.
 */
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import Redis from 'ioredis';

export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(private readonly redis: Redis, private readonly prefix = 'autograph:') {}

  /** Connects to `url` and fails fast with a readable message when Redis is not there. */
  static async connect(url: string, prefix?: string): Promise<RedisKeyValueCache> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false, connectTimeout: 3000, retryStrategy: (attempt) => (attempt > 20 ? null : Math.min(attempt * 200, 2000)) });
    redis.on('error', () => undefined); // reported by the failing command instead
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      throw new Error(`cannot reach Redis at ${url}: ${(err as Error).message}`);
    }
    return new RedisKeyValueCache(redis, prefix);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl;
    if (ttl && ttl > 0) await this.redis.set(this.prefix + key, value, 'EX', Math.ceil(ttl));
    else await this.redis.set(this.prefix + key, value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
