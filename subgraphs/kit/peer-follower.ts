/**
 * A running peer-dependent subgraph (a module with `fromPeers`: the spending merger) following the schema
 * registry: on each new current supergraph it reads the current subgraphs with their SDL
 * (`GET /v1/subgraphs?sdl=true`) and, when the set of peers or any peer's SDL differs from what it serves,
 * regenerates and swaps its schema (`RunningSubgraph.updatePeers`). Its own entry is left out: what it
 * serves is derived from the others.
 *
 * Together with the gateway's probe of a changed subgraph this gives the order a contributor joining
 * needs: the merger serves the new schema first, and only then does any gateway plan with it.
 */
import { parse } from 'graphql';
import { logger } from '../../platform/logger';
import { watchRegistry, type RegistryWatch } from '../../platform/registry-watch';
import type { PeerSchema } from './module';
import type { RunningSubgraph } from './subgraph';
import { registryFetch } from '../../platform/registry-http';

export interface PeerFollowerOptions {
  /** The registry's base URL. */
  url: string;
  token: string;
  pollMs: number;
}

interface ListedSubgraph {
  name: string;
  sdl?: string;
}

/** The registry's current subgraphs other than `self`, with their SDL; throws when it cannot give them. */
async function currentPeers(opts: PeerFollowerOptions, self: string): Promise<Array<{ name: string; sdl: string }>> {
  const res = await registryFetch(opts.url, opts.token, '/v1/subgraphs?sdl=true', { timeoutMs: 10_000 });
  const body = (await res.json().catch(() => ({}))) as { subgraphs?: ListedSubgraph[]; error?: { message?: string } };
  if (!res.ok) throw new Error(`GET /v1/subgraphs?sdl=true answered ${res.status}${body.error?.message ? `: ${body.error.message}` : ''}`);
  if (!Array.isArray(body.subgraphs)) throw new Error('GET /v1/subgraphs?sdl=true answered without a subgraphs list');
  const peers = body.subgraphs.filter((s) => s.name !== self);
  const without = peers.find((s) => typeof s.sdl !== 'string');
  if (without) throw new Error(`the registry listed ${without.name} without its SDL (is ?sdl=true supported by this registry?)`);
  return peers.map((s) => ({ name: s.name, sdl: s.sdl! })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Follows the registry for `running` until stopped; a module without `fromPeers` is refused. */
export function followPeers(running: RunningSubgraph, opts: PeerFollowerOptions & { fromPeers: boolean }): RegistryWatch {
  if (!opts.fromPeers) throw new Error(`${running.name} does not derive its schema from its peers; only such a subgraph follows the registry`);
  /** What the peers were when the schema was last built (names and SDL), so an unrelated change rebuilds nothing. */
  let builtFrom: string | undefined;
  return watchRegistry({
    url: opts.url,
    token: opts.token,
    pollMs: opts.pollMs,
    log: logger,
    service: running.name,
    async onChange(supergraph) {
      const peers = await currentPeers(opts, running.name);
      const key = JSON.stringify(peers);
      if (key === builtFrom) return;
      const schemas: PeerSchema[] = peers.map((p) => ({ name: p.name, typeDefs: parse(p.sdl) }));
      // Throws, keeping the current schema, when the peers do not make a schema; the watcher retries later.
      const swapped = await running.updatePeers(schemas);
      builtFrom = key;
      if (swapped) logger.info({ service: running.name, supergraph, peers: peers.map((p) => p.name) }, 'schema regenerated for the registry\'s current peers');
    },
  });
}
