/**
 * Feature: a subgraph that fails does not take the graph with it.
 *  - A query whose connection failed (refused, reset: the subgraph restarting) is sent again, up to
 *    SUBGRAPH_RETRIES times, after a backoff with jitter (replicas do not retry in step) and never past the
 *    fetch's deadline. A mutation is never sent twice: the first may have been applied.
 *  - A circuit breaker per subgraph (gateway/circuit-breaker.ts): once at least SUBGRAPH_BREAKER_MIN_REQUESTS fetches in the
 *    last 10 s were tried and half of them failed (no connection, timed out, 502/503/504), it opens: fetches
 *    of that subgraph fail at once for SUBGRAPH_BREAKER_RESET_MS instead of each waiting for a timeout,
 *    then one is let through, and its success closes the breaker again by itself.
 * Either way that subgraph's part of the answer is an error, `SUBGRAPH_UNAVAILABLE` naming it, and the rest
 * of the answer arrives. `GET /health/breakers` says each subgraph's breaker state.
 */
import { CircuitBreaker, type BreakerState } from '../circuit-breaker';
import { sendJson } from '../../platform/http';
import { wholeNumber } from '../../platform/env';
import { subgraphUnavailable } from '../../platform/errors';
import { counter, gauge } from '../../platform/metrics';
import type { GatewayFeature, SubgraphCall, SubgraphFetch, SubgraphReply } from '../feature';

export interface SubgraphResilienceSettings {
  /** How many times a query is sent again after a failed connection (SUBGRAPH_RETRIES). */
  retries: number;
  /** How long an open breaker refuses before letting one fetch through (SUBGRAPH_BREAKER_RESET_MS). */
  breakerResetMs: number;
  /** Fetches in the window before the breaker may open at all (SUBGRAPH_BREAKER_MIN_REQUESTS). */
  breakerMinRequests: number;
}

export const DEFAULT_SUBGRAPH_RESILIENCE: SubgraphResilienceSettings = { retries: 2, breakerResetMs: 5_000, breakerMinRequests: 5 };

export function readSubgraphResilience(env: NodeJS.ProcessEnv, problems: string[]): SubgraphResilienceSettings {
  return {
    retries: wholeNumber(env, 'SUBGRAPH_RETRIES', DEFAULT_SUBGRAPH_RESILIENCE.retries, 0, 5, problems),
    breakerResetMs: wholeNumber(env, 'SUBGRAPH_BREAKER_RESET_MS', DEFAULT_SUBGRAPH_RESILIENCE.breakerResetMs, 100, 600_000, problems),
    breakerMinRequests: wholeNumber(env, 'SUBGRAPH_BREAKER_MIN_REQUESTS', DEFAULT_SUBGRAPH_RESILIENCE.breakerMinRequests, 1, 10_000, problems),
  };
}

const STATES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };
const breakerState = gauge('autograph_gateway_subgraph_breaker_state', 'Each subgraph\'s circuit breaker: 0 closed, 1 half-open (one fetch let through), 2 open (fetches refused at once)', ['subgraph'] as const);
const breakerOpens = counter('autograph_gateway_subgraph_breaker_opens_total', 'Times a subgraph\'s circuit breaker opened', ['subgraph'] as const);
const retried = counter('autograph_gateway_subgraph_retries_total', 'Queries sent again after a failed connection, by subgraph', ['subgraph'] as const);

/** Connection failures a repeat may cure: nothing reached the subgraph, or it went away mid-answer. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED']);

function connectionCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return e.code;
  }
  return undefined;
}

/** A reply that counts as the subgraph failing (its proxy says it is down), carried through the breaker. */
class UnavailableReply extends Error {
  constructor(readonly reply: SubgraphReply) {
    super(`HTTP ${reply.status}`);
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fetch that ran past its deadline (the subgraph client's timeout). */
function isTimeout(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | undefined;
  return e?.name === 'TimeoutError' || e?.name === 'AbortError' || /TIMEOUT/i.test(String(e?.code ?? ''));
}

/** One fetch with its retries: only a query, only a connection failure, never past the deadline. */
async function fetchWithRetries(next: SubgraphFetch, call: SubgraphCall, retries: number, subgraph: string): Promise<SubgraphReply> {
  const deadline = Date.now() + (call.timeoutMs ?? Infinity);
  for (let attempt = 0; ; attempt++) {
    try {
      const reply = await next({ ...call, timeoutMs: call.timeoutMs === undefined ? undefined : Math.max(1, deadline - Date.now()) });
      if (reply.status === 502 || reply.status === 503 || reply.status === 504) throw new UnavailableReply(reply);
      return reply;
    } catch (err) {
      const backoff = 25 * 2 ** attempt * (1 + Math.random());
      if (call.operation !== 'query' || attempt >= retries || !connectionCode(err) || Date.now() + backoff >= deadline) throw err;
      retried.inc({ subgraph });
      await pause(backoff);
    }
  }
}

export function subgraphResilienceFeature(settings: SubgraphResilienceSettings): GatewayFeature {
  // One breaker per subgraph name, kept across supergraph swaps (a new plan does not heal a dead subgraph).
  const breakers = new Map<string, CircuitBreaker>();
  const breakerFor = (subgraph: string) => {
    let b = breakers.get(subgraph);
    if (!b) {
      b = new CircuitBreaker({
        minRequests: settings.breakerMinRequests,
        failureRatio: 0.5,
        resetMs: settings.breakerResetMs,
        windowMs: 10_000,
        buckets: 10,
        onChange: (state) => {
          if (state === 'open') breakerOpens.inc({ subgraph });
          breakerState.set({ subgraph }, STATES[state]);
        },
      });
      breakerState.set({ subgraph }, STATES.closed);
      breakers.set(subgraph, b);
    }
    return b;
  };
  return {
    name: 'subgraph-resilience',
    wrapFetch(next, subgraph) {
      const breaker = breakerFor(subgraph);
      return async (call) => {
        const admission = breaker.admit();
        if (!admission.go) {
          throw subgraphUnavailable(subgraph, `the ${subgraph} subgraph is unavailable: it failed repeatedly, so it is not asked for ${Math.ceil(settings.breakerResetMs / 1000)} s; retry shortly`);
        }
        try {
          const reply = await fetchWithRetries(next, call, settings.retries, subgraph);
          breaker.settle(admission, false);
          return reply;
        } catch (err) {
          // What the subgraph answered, even an error, is not the subgraph failing; no answer at all is.
          const failed = err instanceof UnavailableReply || connectionCode(err) !== undefined || isTimeout(err);
          breaker.settle(admission, failed);
          if (err instanceof UnavailableReply) return err.reply;
          const code = connectionCode(err);
          if (code) throw subgraphUnavailable(subgraph, `the ${subgraph} subgraph cannot be reached (${code}); retry shortly`);
          throw err;
        }
      };
    },
    routes: () => ({
      '/health/breakers': (_req, res) => {
        const states = Object.fromEntries([...breakers].map(([name, b]) => [name, b.current()]));
        const open = Object.values(states).some((s) => s !== 'closed');
        sendJson(res, 200, { status: open ? 'degraded' : 'ok', subgraphs: states });
      },
    }),
  };
}
