/**
 * Feature: the gateway's shared Redis (`gateway/redis.ts`) — its settings (REDIS_URL or
 * REDIS_CLUSTER_NODES, REDIS_TIMEOUT_MS),
 * its health (`GET /health/redis`: 200 while it answers, 503 with the reason while the gateway runs
 * without it; 200 `not configured` when there is none and every replica keeps its own state), and
 * closing the connection the gateway opened. The features that keep state in it are handed the same
 * connection by `features.ts`.
 */
import { list, url, wholeNumber } from '../../platform/env';
import { sendJson } from '../../platform/http';
import type { GatewayFeature } from '../feature';
import { DEFAULT_REDIS_TIMEOUT_MS, GatewayRedis } from '../redis';
import { clusterTarget, parseClusterNode, type RedisClusterTarget } from '../redis-connection';

export interface RedisSettings {
  /** Where shared state is kept (REDIS_URL); each replica keeps its own when unset. */
  redisUrl?: string;
  /** A Redis Cluster instead (REDIS_CLUSTER_NODES: some of its nodes, comma-separated). */
  redisCluster?: RedisClusterTarget;
  /** Deadline of one Redis command (REDIS_TIMEOUT_MS). */
  redisTimeoutMs: number;
}

export function readRedisSettings(env: NodeJS.ProcessEnv, problems: string[]): RedisSettings {
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:'], problems);
  const before = problems.length;
  const nodes = list(env, 'REDIS_CLUSTER_NODES', parseClusterNode, problems);
  // The entries together are judged only when each one is good (a bad one is its own problem already).
  const cluster = nodes && problems.length === before ? clusterTarget(nodes) : undefined;
  if (typeof cluster === 'string') problems.push(`REDIS_CLUSTER_NODES ${cluster}`);
  if (redisUrl && nodes) problems.push('REDIS_URL and REDIS_CLUSTER_NODES are both set: give one server (REDIS_URL) or a cluster (REDIS_CLUSTER_NODES), not both');
  return {
    redisUrl,
    ...(typeof cluster === 'object' ? { redisCluster: cluster } : {}),
    redisTimeoutMs: wholeNumber(env, 'REDIS_TIMEOUT_MS', DEFAULT_REDIS_TIMEOUT_MS, 10, 10_000, problems),
  };
}

/** Connects when configured (never failing: an unreachable Redis is a degraded start), or uses `given`. */
export async function openGatewayRedis(settings: RedisSettings, given?: GatewayRedis): Promise<{ redis?: GatewayRedis; owned: boolean }> {
  if (given) return { redis: given, owned: false };
  const target = settings.redisCluster ?? settings.redisUrl;
  if (!target) return { owned: false };
  return { redis: await GatewayRedis.connect(target, { timeoutMs: settings.redisTimeoutMs }), owned: true };
}

export function redisFeature(redis: GatewayRedis | undefined, owned: boolean): GatewayFeature {
  return {
    name: 'redis',
    routes: () => ({
      '/health/redis': (_req, res) => {
        if (!redis) return sendJson(res, 200, { status: 'not configured', detail: 'neither REDIS_URL nor REDIS_CLUSTER_NODES is set: each gateway keeps its own cache, persisted queries and limits' });
        const status = redis.status();
        sendJson(res, status.state === 'up' ? 200 : 503, { status: status.state === 'up' ? 'ok' : 'down', ...status });
      },
    }),
    close: async () => {
      if (owned) await redis?.close();
    },
  };
}
