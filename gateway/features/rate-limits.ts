/**
 * Feature: per-caller rate limits. Each caller (`rate-limit-caller.ts`: a verified token's role and
 * subject, or an anonymous client's name and address — and all anonymous callers of one address
 * together) may spend its role's points per window (RATE_LIMITS over `rate-limit-policy.ts`'s defaults), counted in the gateway's shared Redis so that
 * every replica draws on one budget, or in this process while there is no Redis (`rate-limiter.ts`).
 * Over the limit, the request is answered HTTP 429 with `Retry-After` and RATE_LIMITED; every answer
 * carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy` (the IETF
 * httpapi draft's fields).
 *
 * Where it runs, and why nothing is counted twice: a request spends one point when its context is
 * built — before Apollo parses anything — so a flood of malformed or unknown documents is counted and
 * refused as cheaply as possible. Once the operation is resolved, a request that costs more than one
 * point (`points(requestContext)`, the cost-to-points rule) spends the rest: `points - 1`. A request
 * refused before that (bad document, failed validation) has spent its one point and no more.
 */
import type { GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { wholeNumber } from '../../platform/env';
import { counter } from '../../platform/metrics';
import type { GatewayContext, GatewayFeature } from '../feature';
import type { GatewayRedis } from '../redis';
import { clientAddress, MAX_TRUSTED_PROXIES, rateLimitBudgets, type RateLimitBudget } from '../rate-limit-caller';
import { DEFAULT_RATE_LIMITS, parseRateLimits, type RateLimitPolicies } from '../rate-limit-policy';
import { RateLimiter, type RateLimitCharge, type RateLimitState } from '../rate-limiter';

export interface RateLimitSettings {
  /** Points per window of each kind of caller (RATE_LIMITS over the defaults); unset: the defaults. */
  rateLimits?: RateLimitPolicies;
  /** How many proxies of ours stand in front of the gateway (TRUST_PROXY); 0 or unset: X-Forwarded-For is ignored. */
  trustProxy?: number;
  /**
   * Cost per extra point (RATE_LIMIT_COST_PER_POINT, default 100): a request spends 1 point plus one per
   * this much of its estimated cost (demand control's estimate); 0: every request spends 1.
   */
  rateLimitCostPerPoint?: number;
}

/** The headline request with every link (cost 513) spends 6 points: a customer's default 600 a minute is 100 of them. */
export const DEFAULT_COST_PER_POINT = 100;

export function readRateLimitSettings(env: NodeJS.ProcessEnv, problems: string[]): RateLimitSettings {
  const raw = env.RATE_LIMITS?.trim();
  return {
    rateLimits: raw ? parseRateLimits(raw, 'RATE_LIMITS', problems) : DEFAULT_RATE_LIMITS,
    trustProxy: wholeNumber(env, 'TRUST_PROXY', 0, 0, MAX_TRUSTED_PROXIES, problems),
    rateLimitCostPerPoint: wholeNumber(env, 'RATE_LIMIT_COST_PER_POINT', DEFAULT_COST_PER_POINT, 0, 1_000_000, problems),
  };
}

/**
 * The points a resolved operation spends (at least 1). The default spends 1 per request; a cost
 * estimate plugs in as `(rc) => costToPoints(estimate(rc), costPerPoint)`.
 */
export type RateLimitPoints = (requestContext: GraphQLRequestContextDidResolveOperation<GatewayContext>) => number | Promise<number>;

/** The cost-to-points rule: one point per request, and one more per `costPerPoint` of estimated cost. */
export function costToPoints(cost: number, costPerPoint: number): number {
  if (!Number.isFinite(cost) || cost <= 0 || !(costPerPoint > 0)) return 1;
  return 1 + Math.floor(cost / costPerPoint);
}

function headers(state: RateLimitState): Array<[string, string]> {
  return [
    ['ratelimit-limit', String(state.policy.points)],
    ['ratelimit-remaining', String(state.remaining)],
    ['ratelimit-reset', String(state.resetSeconds)],
    ['ratelimit-policy', `${state.policy.points};w=${state.policy.windowSeconds}`],
  ];
}

/** The budget the response reports: the one that refused, else the one with the fewest points left (it refuses first). */
function binding(charge: RateLimitCharge): RateLimitState {
  return (charge.find((c) => !c.state.allowed) ?? charge.reduce((a, b) => (b.state.remaining < a.state.remaining ? b : a))).state;
}

/** The refusal of a request over the limit of `budget`: HTTP 429, with when to retry. */
function rateLimited({ budget, state }: { budget: RateLimitBudget; state: RateLimitState }, points: number): GraphQLError {
  refusals.inc({ role: budget.role });
  const { points: limit, windowSeconds } = state.policy;
  const never = points > limit;
  const message = never
    ? `Rate limit: this operation costs ${points} points, more than the ${limit} points per ${windowSeconds} s that ${budget.description} may spend: it cannot run at any time; ask for less`
    : `Rate limit exceeded: ${budget.description} may spend ${limit} points per ${windowSeconds} s, and ${state.spent} are spent in this window (this request: ${points}); retry in ${state.resetSeconds} s`;
  const http = new HeaderMap(headers(state));
  if (!never) http.set('retry-after', String(state.resetSeconds));
  return new GraphQLError(message, {
    extensions: {
      code: 'RATE_LIMITED',
      limit,
      windowSeconds,
      spent: state.spent,
      ...(never ? {} : { retryAfterSeconds: state.resetSeconds }),
      http: { status: 429, headers: http },
    },
  });
}

const refusals = counter('autograph_gateway_rate_limit_refusals_total', 'Requests refused by a rate limit (HTTP 429), by the role whose budget refused (anonymous: by client name and address)', ['role'] as const);

export interface RateLimitOptions extends RateLimitSettings {
  /** What a resolved operation spends; default 1 (the base point only). */
  points?: RateLimitPoints;
}

/** Turns a points function's answer into whole points, at least the base point. */
function wholePoints(value: number): number {
  return Number.isFinite(value) ? Math.max(1, Math.ceil(value)) : 1;
}

export function rateLimitsFeature(redis: GatewayRedis | undefined, opts: RateLimitOptions = {}): GatewayFeature {
  const limiter = new RateLimiter(opts.rateLimits ?? DEFAULT_RATE_LIMITS, redis);
  const trustProxy = opts.trustProxy ?? 0;
  const points = opts.points;
  /** Spends what an operation costs beyond the base point already spent, refusing it when over. */
  const spendRest = async (charge: RateLimitCharge, cost: number) => {
    const never = charge.find((c) => cost > c.state.policy.points);
    if (never) throw rateLimited(never, cost);
    if (cost === 1) return;
    await Promise.all(charge.map(async (c) => (c.state = await limiter.spend(c.budget.role, c.budget.key, cost - 1))));
    const over = charge.find((c) => !c.state.allowed);
    if (over) throw rateLimited(over, cost);
  };
  return {
    name: 'rate-limits',
    // A whole cached answer spends what its operation spent when it was run (recorded with it).
    async admitEarlyAnswer(answer, { context }) {
      const charge = context.rateLimit;
      if (!charge?.length) return;
      if (points) await spendRest(charge, wholePoints(answer.facts.points ?? 1));
      return { headers: Object.fromEntries(headers(binding(charge))) };
    },
    async context(req, soFar) {
      const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustProxy);
      const budgets = rateLimitBudgets(soFar.identity, req.headers['apollographql-client-name'], address);
      const charge: RateLimitCharge = await Promise.all(budgets.map(async (budget) => ({ budget, state: await limiter.spend(budget.role, budget.key, 1) })));
      const over = charge.find((c) => !c.state.allowed);
      if (over) throw rateLimited(over, 1);
      return { rateLimit: charge };
    },
    plugins: [
      {
        async requestDidStart() {
          return {
            async didResolveOperation(rc) {
              const charge = rc.contextValue.rateLimit;
              if (!charge || !points) return;
              const cost = wholePoints(await points(rc));
              rc.contextValue.rateLimitPoints = cost;
              await spendRest(charge, cost);
            },
            async willSendResponse({ contextValue, response }) {
              const charge = contextValue.rateLimit;
              if (charge?.length) for (const [name, value] of headers(binding(charge))) response.http.headers.set(name, value);
            },
          };
        },
      },
    ],
  };
}
