/**
 * A check: the candidate subgraphs composed with the rest of the current graph (`gateway/composition.ts`,
 * the composition the gateway and `npm run compose` use), and the new supergraph's API schema — what
 * clients see, without `@inaccessible` parts and federation's machinery — diffed against the current one's
 * with `@graphql-inspector/core`, each change classified breaking / dangerous / safe.
 */
import { Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compose, type CompositionProblem } from '../gateway/composition';
import { supergraphId } from '../gateway/supergraph-source';
import type { CurrentVersion } from './store';

/** A subgraph as someone offers it: replaces the current one of its name, or adds it. */
export interface Candidate {
  name: string;
  routingUrl: string;
  sdl: string;
  typeDefs: DocumentNode;
}

export type Severity = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  severity: Severity;
  /** graphql-inspector's change type, e.g. `FIELD_REMOVED`. */
  type: string;
  message: string;
  /** The schema coordinate it is about, e.g. `Vehicle.vin`; null for schema-wide changes. */
  path: string | null;
}

export type CheckOutcome =
  | { composes: false; errors: CompositionProblem[] }
  | {
      composes: true;
      supergraphSdl: string;
      supergraphId: string;
      /** The supergraph the changes are against; null when the registry has none yet (then there are none). */
      against: string | null;
      changes: SchemaChange[];
    };

const SEVERITY: Record<CriticalityLevel, Severity> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};
const ORDER: Severity[] = ['breaking', 'dangerous', 'safe'];

/** What clients of a supergraph see. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

/** Changes from one API schema to the next, breaking ones first. */
export async function classify(before: GraphQLSchema, after: GraphQLSchema): Promise<SchemaChange[]> {
  const changes: Change[] = await diff(before, after);
  return changes
    .map((c) => ({ severity: SEVERITY[c.criticality.level], type: String(c.type), message: c.message, path: c.path ?? null }))
    .sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) || (a.path ?? '').localeCompare(b.path ?? ''));
}

/**
 * Composes the current versions with `candidates` in their place (a new name is added) and without the
 * names in `removing`, in name order so the same set of subgraphs always gives the same supergraph, and
 * classifies what changes for clients.
 */
export async function checkCandidates(current: readonly CurrentVersion[], currentSupergraphSdl: string | null, candidates: readonly Candidate[], removing: readonly string[] = []): Promise<CheckOutcome> {
  const offered = new Set([...candidates.map((c) => c.name), ...removing]);
  const sources = [
    ...current.filter((v) => !offered.has(v.name)).map((v) => ({ name: v.name, routingUrl: v.routingUrl, typeDefs: parse(v.sdl) })),
    ...candidates.map((c) => ({ name: c.name, routingUrl: c.routingUrl, typeDefs: c.typeDefs })),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const composed = compose(sources);
  if (!composed.ok) return { composes: false, errors: composed.problems };
  const changes = currentSupergraphSdl === null ? [] : await classify(apiSchemaOf(currentSupergraphSdl), apiSchemaOf(composed.supergraphSdl));
  return {
    composes: true,
    supergraphSdl: composed.supergraphSdl,
    supergraphId: supergraphId(composed.supergraphSdl),
    against: currentSupergraphSdl === null ? null : supergraphId(currentSupergraphSdl),
    changes,
  };
}

/** Counts by severity, for summaries. */
export function countBySeverity(changes: readonly SchemaChange[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { breaking: 0, dangerous: 0, safe: 0 };
  for (const c of changes) counts[c.severity]++;
  return counts;
}
