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
import { usageCoordinates } from './change-coordinates';
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
  /**
   * Breaking changes only: the coordinates an operation must have used to be broken by it
   * (`change-coordinates.ts`), or null when usage cannot tell.
   */
  coordinates?: string[] | null;
  /** Breaking changes only, once weighed against reported usage (`usage-impact.ts`). */
  usage?: ChangeUsage;
}

/** What reported usage says about one breaking change. */
export interface ChangeUsage {
  /**
   * True when usage shows nothing in the window used it (and the window holds usage at all): it may ship.
   * False when operations use it, when usage cannot tell (no coordinates), or when nothing was reported.
   */
  safeToShip: boolean;
  /** The operations that used it in the window, most calls first (at most `OPERATIONS_LISTED`). */
  operations: OperationUsage[];
  /** How many operations used it, listed or not. */
  operationCount: number;
}

export interface OperationUsage {
  hash: string;
  name: string | null;
  count: number;
  lastSeen: string;
  clients: Array<{ name: string; version: string; count: number; lastSeen: string }>;
}

/** The evidence a check's usage verdicts rest on. */
export interface UsageEvidence {
  /** The window: the last `days` days, since `since`. */
  days: number;
  since: string;
  /** How many operations, and client name × version pairs, were reported in it. */
  operations: number;
  clients: number;
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
      /** The usage the changes were weighed against, once they are (`usage-impact.ts`). */
      usage?: UsageEvidence;
      /** Where gateways will send each subgraph whose routing URL the change sets, moves or drops. */
      routing: RoutingChange[];
    };

/** A subgraph's routing URL before and after a change (null: not in that graph). */
export interface RoutingChange {
  name: string;
  from: string | null;
  to: string | null;
}

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
    .map((c): SchemaChange => {
      const severity = SEVERITY[c.criticality.level];
      const change: SchemaChange = { severity, type: String(c.type), message: c.message, path: c.path ?? null };
      if (severity === 'breaking') change.coordinates = usageCoordinates(c, before);
      return change;
    })
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
    // Not a schema change, so no diff shows it; but it decides where every gateway sends the traffic.
    routing: [
      ...candidates.map((c) => ({ name: c.name, from: current.find((v) => v.name === c.name)?.routingUrl ?? null, to: c.routingUrl })),
      ...removing.map((name) => ({ name, from: current.find((v) => v.name === name)?.routingUrl ?? null, to: null })),
    ].filter((r) => r.from !== r.to),
  };
}

/**
 * Breaking changes a publish refuses: all of them, unless usage showed a change unused (`safeToShip`).
 * Before usage is weighed every breaking change counts.
 */
export function blockingChanges(changes: readonly SchemaChange[]): SchemaChange[] {
  return changes.filter((c) => c.severity === 'breaking' && !c.usage?.safeToShip);
}

/** Counts by severity, for summaries. */
export function countBySeverity(changes: readonly SchemaChange[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { breaking: 0, dangerous: 0, safe: 0 };
  for (const c of changes) counts[c.severity]++;
  return counts;
}
