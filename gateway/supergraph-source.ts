/**
 * Where the gateway's supergraph comes from, behind one interface: Apollo Gateway's own
 * `SupergraphManager` (`initialize` hands over the first supergraph and an `update` callback for every
 * later one) plus a status for the health detail. A source offers each new supergraph to a
 * `SupergraphKeeper`, which hands it to the gateway: the gateway swaps it in without a restart
 * (requests already planned finish on the old one), or refuses it — it does not parse, or is not a
 * valid supergraph — and then the last good one keeps serving and the refusal is logged and kept for
 * `/health/supergraph`.
 *
 * Sources: `staticSupergraph` (tests: one SDL, never changes), `fileSupergraph` (`file-supergraph.ts`:
 * watches a file; `npm start`, `npm run gateway`), `registrySupergraph` (`registry-supergraph.ts`: follows
 * the schema registry; REGISTRY_URL, `npm run gateway -- --registry URL`).
 */
import { createHash } from 'node:crypto';
import type { GetDataSourceFunction, SupergraphManager, SupergraphSdlUpdateFunction } from '@apollo/gateway';
import { Kind, parse, type ConstValueNode } from 'graphql';
import { logger } from '../platform/logger';

export interface SupergraphStatus {
  /** Where supergraphs come from, e.g. `file schema/supergraph.graphql`. */
  source: string;
  /** The supergraph being served: its id (sha-256 of the SDL, as Apollo Gateway names it) and when it was loaded. */
  current: { id: string; loadedAt: string } | null;
  /** The last supergraph refused since start, and why; the current one kept serving. */
  lastRefusal: { id: string; at: string; reason: string } | null;
  /** A source following the schema registry (`registry-supergraph.ts`): how that goes. */
  registry?: {
    url: string;
    /** The registry answered its last poll or stream. */
    reachable: boolean;
    /** The events stream is open (otherwise changes arrive by polling). */
    streaming: boolean;
    /** Why the registry does not answer, while it does not. */
    lastError: string | null;
    /** The gateway started from its cached supergraph: the registry gave none at start-up. */
    startedFromCache: boolean;
    cachePath: string;
  };
}

export interface SupergraphSource extends SupergraphManager {
  status(): SupergraphStatus;
  /**
   * Given by the gateway before it starts: a data source for one subgraph at one URL, made the way the
   * gateway makes them (its features sign the fetch), but not one of those serving traffic — so probing a
   * supergraph that is then refused never moves where live requests go (Apollo's own `getDataSource`
   * replaces the served data source of that name).
   */
  useProbe?(probe: GetDataSourceFunction): void;
}

/** A supergraph's id: the sha-256 of its SDL, which is also Apollo Gateway's composition id. */
export function supergraphId(sdl: string): string {
  return createHash('sha256').update(sdl).digest('hex');
}

/** The subgraphs a supergraph routes to: the `@join__graph(name:, url:)` values of its graph enum. */
export function subgraphsOf(supergraphSdl: string): Array<{ name: string; url: string }> {
  const out: Array<{ name: string; url: string }> = [];
  const str = (v: ConstValueNode | undefined) => (v?.kind === Kind.STRING ? v.value : undefined);
  for (const def of parse(supergraphSdl, { noLocation: true }).definitions) {
    if (def.kind !== Kind.ENUM_TYPE_DEFINITION) continue;
    for (const value of def.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const name = str(graph?.arguments?.find((a) => a.name.value === 'name')?.value);
      const url = str(graph?.arguments?.find((a) => a.name.value === 'url')?.value);
      if (name !== undefined && url !== undefined) out.push({ name, url });
    }
  }
  return out;
}

/**
 * Keeps the status of one source and hands its supergraphs to the gateway. A source calls `initial`
 * with the first SDL inside `initialize`, `attach` with the gateway's update callback, then `offer`
 * for every SDL it finds later (the same SDL again is a no-op).
 */
export class SupergraphKeeper {
  private update: SupergraphSdlUpdateFunction | undefined;
  private current: SupergraphStatus['current'] = null;
  private lastRefusal: SupergraphStatus['lastRefusal'] = null;

  constructor(readonly source: string) {}

  status(): SupergraphStatus {
    return { source: this.source, current: this.current, lastRefusal: this.lastRefusal };
  }

  /** The first supergraph (the gateway refuses to start on a bad one: there is nothing to keep serving). */
  initial(sdl: string): string {
    this.current = { id: supergraphId(sdl), loadedAt: new Date().toISOString() };
    return sdl;
  }

  attach(update: SupergraphSdlUpdateFunction): void {
    this.update = update;
  }

  /** Hands a new supergraph to the gateway; true when it is served now. */
  offer(sdl: string): boolean {
    const id = supergraphId(sdl);
    if (id === this.current?.id) return true;
    if (!this.update) throw new Error('the supergraph source was offered a supergraph before the gateway initialised it');
    try {
      // Throws, changing nothing, when the SDL does not parse or is not a valid supergraph.
      this.update(sdl);
    } catch (err) {
      return this.refuse(id, (err as Error).message ?? String(err));
    }
    const previous = this.current?.id;
    this.current = { id, loadedAt: new Date().toISOString() };
    logger.info({ service: 'gateway', source: this.source, supergraph: id, previous }, 'new supergraph served');
    return true;
  }

  /** Records and logs a supergraph that is not served; the current one keeps serving. */
  refuse(id: string, reason: string): false {
    this.lastRefusal = { id, at: new Date().toISOString(), reason };
    logger.warn({ service: 'gateway', source: this.source, supergraph: id, serving: this.current?.id, reason }, `supergraph refused, the previous one keeps serving: ${reason}`);
    return false;
  }
}

/** One supergraph that never changes (tests, tools). */
export function staticSupergraph(sdl: string, source = 'static'): SupergraphSource {
  const keeper = new SupergraphKeeper(source);
  return {
    async initialize({ update }) {
      keeper.attach(update);
      return { supergraphSdl: keeper.initial(sdl) };
    },
    status: () => keeper.status(),
  };
}
