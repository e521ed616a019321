/**
 * Feature: subgraph batching. Our own subgraphs (the kit's servers accept batched requests) receive a
 * request's same-round queries to them as one HTTP request (`gateway/subgraph-client.ts`): the headline
 * asks each contributor for the report's buckets and the page's lines in the same round, so that is half
 * the HTTP requests to them. A partner's subgraph is never batched: nothing says it accepts batches.
 * SUBGRAPH_BATCHING=false turns it off.
 */
import { bool } from '../../platform/env';
import type { GatewayFeature } from '../feature';

export function readSubgraphBatching(env: NodeJS.ProcessEnv, problems: string[]): boolean {
  return bool(env, 'SUBGRAPH_BATCHING', true, problems);
}

export function subgraphBatchingFeature(opts: { enabled: boolean; ownSubgraphs: readonly string[] }): GatewayFeature {
  const own = new Set(opts.ownSubgraphs);
  return { name: 'subgraph-batching', batchesFetches: (subgraph) => opts.enabled && own.has(subgraph) };
}
