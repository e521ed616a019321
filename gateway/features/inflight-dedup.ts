/**
 * Feature: in-flight deduplication. Identical subgraph queries in flight at the same time — same
 * subgraph, same operation and variables, same caller (sub, role, organisation; or anonymous) — are sent
 * once, and every asker gets the answer. A popular public page under load (the catalog browse) then costs
 * the subgraph one fetch per moment instead of one per request. Mutations are never shared, and neither
 * is anything across callers: an answer may depend on who asks, and before it arrives the gateway cannot
 * know whether it does. INFLIGHT_DEDUP=false turns it off.
 *
 * The query plan executor merges fetched data into the response in place, so when an answer is shared
 * every asker gets its own copy; an answer nobody else asked for is handed over as it is.
 */
import { bool } from '../../platform/env';
import type { GatewayFeature, SubgraphCall, SubgraphFetch, SubgraphReply } from '../feature';

export function readInflightDedup(env: NodeJS.ProcessEnv, problems: string[]): boolean {
  return bool(env, 'INFLIGHT_DEDUP', true, problems);
}

function keyOf(call: SubgraphCall): string {
  const id = call.context.identity;
  return JSON.stringify([call.url, id ? [id.sub, id.role, id.org ?? null] : null, call.generation ?? null, call.body]);
}

function dedup(next: SubgraphFetch): SubgraphFetch {
  const inflight = new Map<string, { reply: Promise<SubgraphReply>; shared: boolean }>();
  return async (call) => {
    if (call.operation !== 'query') return next(call);
    const key = keyOf(call);
    const joined = inflight.get(key);
    if (joined) {
      joined.shared = true;
      return structuredClone(await joined.reply);
    }
    const entry = { reply: next(call), shared: false };
    inflight.set(key, entry);
    // Registered before anyone awaits the answer, so it runs first: no one joins a settled fetch.
    entry.reply.then(
      () => inflight.delete(key),
      () => inflight.delete(key),
    );
    const reply = await entry.reply;
    return entry.shared ? structuredClone(reply) : reply;
  };
}

export function inflightDedupFeature(opts: { enabled: boolean }): GatewayFeature {
  return opts.enabled ? { name: 'inflight-dedup', wrapFetch: (next) => dedup(next) } : { name: 'inflight-dedup' };
}
