/**
 * Feature: automatic persisted queries. Kept in the gateway's shared Redis when there is one (every
 * gateway serves what a client registered through any of them; while Redis is away a lookup is a miss
 * and the client sends the full query again), in Apollo's in-memory cache otherwise (per replica).
 */
import type { GatewayFeature } from '../feature';
import { RedisKeyValueCache } from '../redis-cache';
import type { GatewayRedis } from '../redis';

/** How long a registered operation is kept in Redis. */
const REDIS_TTL_SECONDS = 7 * 86_400;

export function persistedQueriesFeature(redis: GatewayRedis | undefined): GatewayFeature {
  return {
    name: 'persisted-queries',
    apolloOptions: { persistedQueries: redis ? { cache: new RedisKeyValueCache(redis, 'apq:'), ttl: REDIS_TTL_SECONDS } : {} },
  };
}
