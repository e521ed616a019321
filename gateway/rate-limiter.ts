/**
 * Spending a caller's points: in the gateway's shared Redis while it is available, so every replica
 * counts against the same budget, and in this process otherwise (per-replica limits until Redis is
 * back). Both are rate-limiter-flexible's fixed windows: in Redis one Lua script increments and reads
 * the window atomically, so two replicas spending at once cannot both take the last point. A window is
 * one key, which the script declares in KEYS, so on a Redis Cluster it runs on the node owning that key
 * (and is loaded again by EVAL there after a migration or restart: ioredis falls back from EVALSHA).
 *
 * Redis never fails a request here and never holds it longer than one command's deadline
 * (REDIS_TIMEOUT_MS, ioredis' `commandTimeout`): the in-process limiter is chosen while Redis is down,
 * `rejectIfRedisNotReady` refuses at once while the client is not connected, and a command that fails
 * marks Redis down for every feature (`redis.failed`) and is counted in process instead.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { GatewayRedis } from './redis';
import type { RateLimitBudget } from './rate-limit-caller';
import { RATE_LIMIT_ROLES, type RateLimitPolicies, type RateLimitPolicy, type RateLimitRole } from './rate-limit-policy';

/** Where a caller's budget stands after spending. */
export interface RateLimitState {
  policy: RateLimitPolicy;
  /** False: this spend went over the limit (it is refused; the points still count for the window). */
  allowed: boolean;
  /** Points spent in the window so far, this spend included. */
  spent: number;
  remaining: number;
  /** Seconds until the window ends and the budget is full again (at least 1). */
  resetSeconds: number;
}

/**
 * One request's spending from each of its budgets, kept in its context (`GatewayContext.rateLimit`) so
 * that the response can say where they stand.
 */
export type RateLimitCharge = Array<{ budget: RateLimitBudget; state: RateLimitState }>;

type Limiters = Record<RateLimitRole, RateLimiterAbstract>;

function limiters(policies: RateLimitPolicies, make: (role: RateLimitRole, policy: RateLimitPolicy) => RateLimiterAbstract): Limiters {
  return Object.fromEntries(RATE_LIMIT_ROLES.map((role) => [role, make(role, policies[role])])) as Limiters;
}

export class RateLimiter {
  private readonly shared?: Limiters;
  private readonly local: Limiters;

  constructor(
    readonly policies: RateLimitPolicies,
    private readonly redis: GatewayRedis | undefined,
  ) {
    this.local = limiters(policies, (_role, p) => new RateLimiterMemory({ keyPrefix: 'rate-limit', points: p.points, duration: p.windowSeconds }));
    if (redis) {
      this.shared = limiters(
        policies,
        (_role, p) =>
          // The caller's key names its role, so one key space holds every role's counts.
          new RateLimiterRedis({ storeClient: redis.client, keyPrefix: `${redis.prefix}rate-limit`, points: p.points, duration: p.windowSeconds, rejectIfRedisNotReady: true }),
      );
    }
  }

  /** Spends `points` of `key`'s budget under `role`'s limit. Never rejects for a Redis failure. */
  async spend(role: RateLimitRole, key: string, points: number): Promise<RateLimitState> {
    const policy = this.policies[role];
    if (this.shared && this.redis?.available) {
      try {
        return state(policy, true, await this.shared[role].consume(key, points));
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) return state(policy, false, outcome);
        this.redis.failed(outcome);
      }
    }
    try {
      return state(policy, true, await this.local[role].consume(key, points));
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return state(policy, false, outcome);
      throw outcome;
    }
  }
}

function state(policy: RateLimitPolicy, allowed: boolean, res: RateLimiterRes): RateLimitState {
  return {
    policy,
    allowed,
    spent: res.consumedPoints,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}
