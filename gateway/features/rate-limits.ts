/**
 * Feature: per-caller rate limits. Each caller (`rate-limit-caller.ts`: a verified token's role and
 * subject, or an anonymous client's name and address) may spend its role's points per window
 * (RATE_LIMITS over `rate-limit-policy.ts`'s defaults), counted in the gateway's shared Redis so that
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
import type { GatewayContext, GatewayFeature } from '../feature';
import type { GatewayRedis } from '../redis';
import { clientAddress, MAX_TRUSTED_PROXIES, rateLimitCaller } from '../rate-limit-caller';
import { DEFAULT_RATE_LIMITS, parseRateLimits, type RateLimitPolicies } from '../rate-limit-policy';
import { RateLimiter, type RateLimitCharge, type RateLimitState } from '../rate-limiter';

export interface RateLimitSettings {
  /** Points per window of each kind of caller (RATE_LIMITS over the defaults); unset: the defaults. */
  rateLimits?: RateLimitPolicies;
  /** How many proxies of ours stand in front of the gateway (TRUST_PROXY); 0 or unset: X-Forwarded-For is ignored. */
  trustProxy?: number;
}

export function readRateLimitSettings(env: NodeJS.ProcessEnv, problems: string[]): RateLimitSettings {
  const raw = env.RATE_LIMITS?.trim();
  return {
    rateLimits: raw ? parseRateLimits(raw, 'RATE_LIMITS', problems) : DEFAULT_RATE_LIMITS,
    trustProxy: wholeNumber(env, 'TRUST_PROXY', 0, 0, MAX_TRUSTED_PROXIES, problems),
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

/** The refusal of a request over its caller's limit: HTTP 429, with when to retry. */
function rateLimited(charge: RateLimitCharge, points: number): GraphQLError {
  const { caller, state } = charge;
  const { points: limit, windowSeconds } = state.policy;
  const never = points > limit;
  const message = never
    ? `Rate limit: this operation costs ${points} points, more than the ${limit} points per ${windowSeconds} s that ${caller.description} may spend: it cannot run at any time; ask for less`
    : `Rate limit exceeded: ${caller.description} may spend ${limit} points per ${windowSeconds} s and has spent ${state.spent} (this request: ${points}); retry in ${state.resetSeconds} s`;
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
  return {
    name: 'rate-limits',
    async context(req, soFar) {
      const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustProxy);
      const caller = rateLimitCaller(soFar.identity, req.headers['apollographql-client-name'], address);
      const charge: RateLimitCharge = { caller, state: await limiter.spend(caller.role, caller.key, 1) };
      if (!charge.state.allowed) throw rateLimited(charge, 1);
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
              if (cost > charge.state.policy.points) throw rateLimited(charge, cost);
              if (cost === 1) return;
              charge.state = await limiter.spend(charge.caller.role, charge.caller.key, cost - 1);
              if (!charge.state.allowed) throw rateLimited(charge, cost);
            },
            async willSendResponse({ contextValue, response }) {
              const charge = contextValue.rateLimit;
              if (charge) for (const [name, value] of headers(charge.state)) response.http.headers.set(name, value);
            },
          };
        },
      },
    ],
  };
}
