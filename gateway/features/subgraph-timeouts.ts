/**
 * Feature: subgraph timeouts. Every subgraph fetch is bounded, so one stuck subgraph cannot hold a
 * request forever: past SUBGRAPH_TIMEOUT_MS its part of the answer is an error (masked as a timeout)
 * and the rest of the answer is returned.
 */
import { wholeNumber } from '../../platform/env';
import type { GatewayFeature } from '../feature';

export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 10_000;

export function readSubgraphTimeoutMs(env: NodeJS.ProcessEnv, problems: string[]): number {
  return wholeNumber(env, 'SUBGRAPH_TIMEOUT_MS', DEFAULT_SUBGRAPH_TIMEOUT_MS, 100, 600_000, problems);
}

export function subgraphTimeoutsFeature(opts: { timeoutMs: number }): GatewayFeature {
  return {
    name: 'subgraph-timeouts',
    wrapFetcher: (next) => (url, init) => {
      // A signal the caller already set (a cancelled request) still counts, alongside the timeout.
      const timeout = AbortSignal.timeout(opts.timeoutMs);
      return next(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    },
  };
}
