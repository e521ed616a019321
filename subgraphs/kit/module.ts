/**
 * What a subgraph folder declares about itself. `subgraphs/<name>/index.ts` exports one `SubgraphModule`
 * as default: its manifest (name, default port, seed stage) and its code. Everything that lists subgraphs
 * (the stack, composition, rover.yaml, seeding, health, the benchmark and the test sweeps) reads these
 * manifests, so a new subgraph is one new folder.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse, Source, type DocumentNode } from 'graphql';
import type { Db } from '../../platform/db';
import type { Identity } from '../../platform/identity';
import type { SeedStage } from './seed';

/** Calls another subgraph directly as this subgraph, `service:<name>` (for checks such as "who owns this VIN"); what it may read is the callee's policy. */
export interface ServiceClient {
  call<T = Record<string, unknown>>(subgraph: string, query: string, variables?: Record<string, unknown>): Promise<T>;
}

/** What every resolver receives. */
export interface SubgraphContext<L = unknown> {
  db: Db;
  /** The caller as forwarded by the gateway; null for an anonymous request. */
  identity: Identity | null;
  /** This request's DataLoaders, built once per request. */
  loaders: L;
  services: ServiceClient;
}

export type SubgraphResolvers<L = unknown> = GraphQLResolverMap<SubgraphContext<L>>;

/** Another subgraph of the graph as a subgraph sees it: its name and the schema it serves. */
export interface PeerSchema {
  name: string;
  typeDefs: DocumentNode;
}

/** The manifest part of a module. */
export interface SubgraphManifest {
  /** The folder's name; also its PostgreSQL schema and its name in the supergraph. */
  name: string;
  /** Default port (4001, 4002, …); `--port N` moves it to N + (port − 4000) with the gateway on N. */
  port: number;
  /** Its demo seed stage, and the subgraphs whose stages must have run before it. */
  seed?: { stage: SeedStage; after?: readonly string[] };
  /** A subgraph with no tables (no `migrations/`) needs no database of its own. */
  stateless?: boolean;
}

export interface SubgraphModule<L = unknown> extends SubgraphManifest {
  /** The folder: `schema.graphql`, and `migrations/NNN.do.name.sql` unless stateless. */
  dir: string;
  /** The resolvers of `schema.graphql`. */
  resolvers: SubgraphResolvers<L>;
  /** Builds this request's DataLoaders. */
  createLoaders(db: Db, identity: Identity | null): L;
  /**
   * For a subgraph whose schema depends on the rest of the graph (the spending merge, which takes one
   * field from every contributor): its schema and resolvers for the given peers. Called again whenever
   * the set of peers changes at run time. Absent for a subgraph whose schema is its `schema.graphql`.
   */
  fromPeers?(peers: readonly PeerSchema[]): { typeDefs: DocumentNode; resolvers: SubgraphResolvers<L> };
  /**
   * Work the subgraph does on its own while it serves (the analytics store's refresh): started once the
   * subgraph listens, stopped before it closes. `peers()` is the graph's current set of other subgraphs.
   */
  background?(rt: BackgroundRuntime): { stop(): Promise<void> };
  /**
   * Validates the subgraph's own environment variables (e.g. ANALYTICS_REFRESH_SECONDS), adding one line
   * per bad value to `problems`. Checked before anything opens or listens (`settingsProblems`), so a bad
   * value stops start-up with the other configuration problems instead of failing once the subgraph serves.
   */
  settings?(env: NodeJS.ProcessEnv, problems: string[]): void;
}

/** Every problem with the settings of `mods` (empty when all are valid). */
export function settingsProblems(mods: readonly Pick<SubgraphModule, 'settings'>[], env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  for (const mod of mods) mod.settings?.(env, problems);
  return problems;
}

/** What a subgraph's background work is given. */
export interface BackgroundRuntime {
  db: Db;
  services: ServiceClient;
  peers(): readonly PeerSchema[];
  /**
   * Whether to work on a schedule (a running graph) or only when asked (test graphs, which must not have
   * work of their own racing the statements and requests a test counts).
   */
  scheduled: boolean;
}

/** The folder's own `schema.graphql`, parsed. */
export function loadTypeDefs(dir: string): DocumentNode {
  const where = `subgraphs/${basename(dir)}/schema.graphql`;
  try {
    // Named, so a syntax error says which file, line and column (with the line itself).
    return parse(new Source(readFileSync(join(dir, 'schema.graphql'), 'utf8'), where));
  } catch (err) {
    throw new Error(`the ${basename(dir)} subgraph's schema does not parse: ${String(err)}`);
  }
}

/**
 * Refuses resolvers for a type or field the schema does not have (a typo would otherwise be ignored, and
 * the field it meant would resolve to nothing at run time).
 */
export function checkResolverNames(name: string, typeDefs: DocumentNode, resolvers: Record<string, unknown>): void {
  const fields = new Map<string, Set<string>>();
  for (const d of typeDefs.definitions) {
    if (!('name' in d) || !d.name) continue;
    const set = fields.get(d.name.value) ?? new Set<string>();
    for (const f of ('fields' in d ? d.fields ?? [] : []) as ReadonlyArray<{ name: { value: string } }>) set.add(f.name.value);
    for (const v of ('values' in d ? d.values ?? [] : []) as ReadonlyArray<{ name: { value: string } }>) set.add(v.name.value);
    fields.set(d.name.value, set);
  }
  for (const [type, map] of Object.entries(resolvers)) {
    if (['Query', 'Mutation'].includes(type) && !fields.has(type)) throw new Error(`subgraph ${name}: resolvers for ${type}, which its schema does not define`);
    const known = fields.get(type);
    if (!known) throw new Error(`subgraph ${name}: resolvers for type ${type}, which its schema does not define`);
    if (!map || typeof map !== 'object' || Object.getPrototypeOf(map) !== Object.prototype) continue; // a scalar
    for (const field of Object.keys(map)) {
      if (!field.startsWith('__') && !known.has(field)) throw new Error(`subgraph ${name}: a resolver for ${type}.${field}, which its schema does not have (a typo?)`);
    }
  }
}

/** The schema and resolvers a module serves in a graph with these peers. */
export function servedSchema<L>(mod: SubgraphModule<L>, peers: readonly PeerSchema[]): { typeDefs: DocumentNode; resolvers: SubgraphResolvers<L> } {
  if (mod.fromPeers) return mod.fromPeers(peers.filter((p) => p.name !== mod.name));
  return { typeDefs: loadTypeDefs(mod.dir), resolvers: mod.resolvers };
}

/**
 * Every module's own schema, as the peers a peer-dependent module is built from. A peer-dependent module
 * is given the others' own schemas only, never another generated one, so generation cannot loop.
 */
export function peerSchemas(mods: readonly SubgraphModule<any>[]): PeerSchema[] {
  return mods.filter((m) => !m.fromPeers).map((m) => ({ name: m.name, typeDefs: loadTypeDefs(m.dir) }));
}
