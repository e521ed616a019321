/**
 * Gateways over a test graph with a feature the test default leaves off, for tests outside gateway/
 * (which may not import the gateway): one with the response cache on a real Redis, one enforcing demand
 * control and reporting each operation's cost.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DEFAULT_COST_BUDGETS, defaultDemandControl } from '../gateway/features/demand-control';
import { GatewayRedis } from '../gateway/redis';
import { startGatewayOver, TEST_REDIS_TIMEOUT_MS, type TestGraph } from './harness';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export type TestGateway = Awaited<ReturnType<typeof startGatewayOver>>;

/** The cost budgets a gateway enforces by default, by holder (`anonymous`, `customer`, ...). */
export const COST_BUDGETS = DEFAULT_COST_BUDGETS;

/** A gateway over `g` enforcing the default cost budgets and reporting `extensions.cost` on every answer. */
export function startCostReportingGateway(g: TestGraph): Promise<TestGateway> {
  return startGatewayOver(g, { config: { demandControl: defaultDemandControl('development') } });
}

/** A gateway over `g` caching responses in Redis under a prefix of its own; `stop` also deletes its keys. */
export async function startCachingGateway(g: TestGraph): Promise<TestGateway> {
  const prefix = `autograph-test-cache-${randomBytes(4).toString('hex')}:`;
  const redis = await GatewayRedis.connect(REDIS_URL, { prefix, timeoutMs: TEST_REDIS_TIMEOUT_MS });
  const gw = await startGatewayOver(g, { redis, config: { responseCache: { enabled: true, development: true, maxEntries: 10_000, maxMegabytes: 32 } } });
  return {
    ...gw,
    async stop() {
      await gw.stop();
      const direct = new Redis(REDIS_URL);
      const keys = await direct.keys(`${prefix}*`);
      if (keys.length) await direct.del(...keys);
      direct.disconnect();
      await redis.close();
    },
  };
}
