/**
 * Feature: automatic persisted queries. Kept in Redis when REDIS_URL is set (shared by every gateway,
 * `gateway/redis-cache.ts`: an outage makes every lookup a miss and the client keeps reconnecting), in
 * Apollo's in-memory cache otherwise.
 */
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { url } from '../../platform/env';
import type { GatewayFeature } from '../feature';
import { RedisKeyValueCache } from '../redis-cache';

/** How long a registered operation is kept in Redis. */
const REDIS_TTL_SECONDS = 7 * 86_400;

export function readRedisUrl(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  return url(env, 'REDIS_URL', ['redis:', 'rediss:'], problems);
}

/**
 * `cache`: a cache the caller owns (and closes); else `redisUrl`: connects now (failing with a readable
 * message when Redis is not there) and closes it with the gateway; else in memory.
 */
export async function persistedQueriesFeature(opts: { redisUrl?: string; cache?: KeyValueCache<string> }): Promise<GatewayFeature> {
  const owned = !opts.cache && opts.redisUrl ? await RedisKeyValueCache.connect(opts.redisUrl) : undefined;
  const cache = opts.cache ?? owned;
  return {
    name: 'persisted-queries',
    apolloOptions: { persistedQueries: cache ? { cache, ttl: REDIS_TTL_SECONDS } : {} },
    close: async () => owned?.close(),
  };
}
