/**
 * A `KeyValueCache` on the gateway's shared Redis (`gateway/redis.ts`), for Apollo's automatic
 * persisted queries: every gateway instance shares the registered operations. While Redis is away a
 * read is a miss (the client sends the full query again) and a write is dropped. Every operation is
 * one single-key command, so a Redis Cluster needs nothing more.
 */
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { GatewayRedis } from './redis';

export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(private readonly redis: GatewayRedis, private readonly namespace: string) {}

  private key(key: string): string {
    return `${this.redis.prefix}${this.namespace}${key}`;
  }

  async get(key: string): Promise<string | undefined> {
    return this.redis.run(undefined, async (r) => (await r.get(this.key(key))) ?? undefined);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl;
    await this.redis.run(undefined, async (r) => {
      if (ttl && ttl > 0) await r.set(this.key(key), value, 'EX', Math.ceil(ttl));
      else await r.set(this.key(key), value);
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.redis.run(false, async (r) => (await r.del(this.key(key))) > 0);
  }
}
