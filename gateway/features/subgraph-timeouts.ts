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
    // A deadline a feature already set (shorter) still counts.
    wrapFetch: (next) => (call) => next({ ...call, timeoutMs: Math.min(call.timeoutMs ?? Infinity, opts.timeoutMs) }),
  };
}
