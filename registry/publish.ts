/**
 * Checking and changing what the registry holds. A check only reads. A publish, a removal and a rollback
 * each run the same check inside one transaction holding the publish lock, and store the new versions and
 * supergraph (and make it current) only when the result composes and — unless `allowBreaking` — breaks
 * nothing for clients; otherwise they write nothing. Offering exactly what a name already has (the same
 * SDL text and routing URL) adds no version: a publish where every candidate is unchanged is a no-op.
 * History is never rewritten: a removal is a `removed` version, a rollback a new version with old content.
 * Every change also re-derives the derived subgraphs it leaves in the graph (`derive.ts`): a derived one
 * whose SDL moves is a candidate of the same change, recorded with the registry as its publisher.
 */
import { parse } from 'graphql';
import type { CompositionProblem } from '../gateway/composition';
import type { Db, Queryable } from '../platform/db';
import { logger } from '../platform/logger';
import { blockingChanges, checkCandidates, countBySeverity, type Candidate, type CheckOutcome, type RoutingChange, type SchemaChange, type UsageEvidence } from './check';
import { deriveChange, derivedPublisher, type DerivedChange, type DerivedSubgraph } from './derive';
import { currentSupergraph, currentVersions, historyOf, lockPublishing, recordDerived, recordPublish, recordRemoval, versionOf, type CurrentVersion } from './store';
import { weighUsage } from './usage-impact';

export type Refusal = { status: 'not-composed'; errors: CompositionProblem[] } | { status: 'breaking'; changes: SchemaChange[]; usage?: UsageEvidence };

/** A derived subgraph a change moved (with the version recorded for it), or whose sent SDL it replaced. */
export type DerivedOutcome = DerivedChange & { version?: number };

export type PublishOutcome =
  | { status: 'published'; versions: Array<{ name: string; version: number }>; supergraphId: string; changes: SchemaChange[]; usage?: UsageEvidence; routing: RoutingChange[]; derived: DerivedOutcome[] }
  | { status: 'unchanged'; versions: Array<{ name: string; version: number }>; supergraphId: string; derived: DerivedOutcome[] }
  | Refusal;

export type RemoveOutcome = { status: 'removed'; version: number; supergraphId: string; changes: SchemaChange[]; usage?: UsageEvidence; routing: RoutingChange[]; derived: DerivedOutcome[] } | { status: 'not-found'; message: string } | Refusal;

/** A check's outcome, with what it would re-derive. */
export type CheckWithDerived = CheckOutcome & { derived: DerivedChange[] };

/** A rollback is answered like a publish, or refused for a target that does not exist or cannot be one. */
export type RollbackOutcome = (PublishOutcome & { restored: number }) | { status: 'not-found'; message: string } | { status: 'bad-target'; message: string };

interface ChangeOptions {
  publisher: string;
  allowBreaking: boolean;
  /** The subgraphs the registry derives from the others (`RegistryOptions.derived`). */
  derived?: readonly DerivedSubgraph[];
  /** The usage window breaking changes are weighed against (days). */
  usageDays: number;
}

/** The check of a change, its breaking changes weighed against usage in the last `usageDays` days. */
async function checkWithUsage(q: Queryable, current: readonly CurrentVersion[], currentSupergraphSdl: string | null, candidates: readonly Candidate[], removing: readonly string[], usageDays: number): Promise<CheckOutcome> {
  return weighUsage(q, await checkCandidates(current, currentSupergraphSdl, candidates, removing), usageDays);
}

/** The candidates checked against the current graph, derived subgraphs re-derived; changes nothing. */
export async function check(db: Db, candidates: readonly Candidate[], opts: { usageDays: number; derived?: readonly DerivedSubgraph[] }): Promise<CheckWithDerived> {
  const [current, supergraph] = await Promise.all([currentVersions(db), currentSupergraph(db)]);
  const derivation = deriveChange(current, candidates, [], opts.derived ?? []);
  if (!derivation.ok) return { composes: false, errors: derivation.errors, derived: [] };
  const outcome = await checkWithUsage(db, current, supergraph?.sdl ?? null, [...derivation.offered, ...derivation.derived], [], opts.usageDays);
  return { ...outcome, derived: derivation.changes };
}

type Composed = Extract<CheckOutcome, { composes: true }>;

/** A checked change that may be applied, or the refusal it gets (the same rules for every kind of change). */
function acceptable(outcome: CheckOutcome, allowBreaking: boolean): Composed | Refusal {
  if (!outcome.composes) return { status: 'not-composed', errors: outcome.errors };
  // Only breaking changes that live operations use (or that usage cannot clear) are refused.
  if (!allowBreaking && blockingChanges(outcome.changes).length > 0) return { status: 'breaking', changes: outcome.changes, usage: outcome.usage };
  return outcome;
}

/**
 * Records the re-derived subgraphs of a change just recorded (`after`: its versions, e.g. `insurer v2`),
 * and answers what happened to each derived subgraph.
 */
async function recordDerivedOf(q: Queryable, supergraphId: string, derived: readonly Candidate[], changes: readonly DerivedChange[], sentNames: ReadonlySet<string>, opts: ChangeOptions, after: string[]): Promise<DerivedOutcome[]> {
  const versions = await recordDerived(q, supergraphId, derived.map((d) => ({ ...d, publisher: derivedPublisher(opts.publisher, sentNames.has(d.name), after) })));
  return changes.map((c) => ({ ...c, ...versions.find((v) => v.name === c.name) }));
}

/** A publish inside a transaction that already holds the publish lock. */
async function publishLocked(q: Queryable, candidates: readonly Candidate[], opts: ChangeOptions): Promise<PublishOutcome> {
  const current = await currentVersions(q);
  const supergraph = await currentSupergraph(q);
  const derivation = deriveChange(current, candidates, [], opts.derived ?? []);
  if (!derivation.ok) return { status: 'not-composed', errors: derivation.errors };
  const byName = new Map<string, CurrentVersion>(current.map((v) => [v.name, v]));
  const changed = derivation.offered.filter((c) => byName.get(c.name)?.sdl !== c.sdl || byName.get(c.name)?.routingUrl !== c.routingUrl);
  if (changed.length === 0 && derivation.derived.length === 0 && supergraph) {
    const versions = candidates.map((c) => ({ name: c.name, version: byName.get(c.name)!.version }));
    return { status: 'unchanged', versions, supergraphId: supergraph.id, derived: derivation.changes };
  }
  const outcome = acceptable(await checkWithUsage(q, current, supergraph?.sdl ?? null, [...changed, ...derivation.derived], [], opts.usageDays), opts.allowBreaking);
  if ('status' in outcome) return outcome;
  const stored = await recordPublish(q, { id: outcome.supergraphId, sdl: outcome.supergraphSdl }, changed, opts.publisher);
  const sentNames = new Set(candidates.map((c) => c.name));
  const derived = await recordDerivedOf(q, outcome.supergraphId, derivation.derived, derivation.changes, sentNames, opts, stored.map((v) => `${v.name} v${v.version}`));
  // The names as they were sent, then the derived ones the change moved without being sent.
  const all = [...stored, ...derived.flatMap((d) => (d.version === undefined ? [] : [{ name: d.name, version: d.version }]))];
  const order = (name: string) => (sentNames.has(name) ? candidates.findIndex((c) => c.name === name) : candidates.length);
  const versions = all.sort((a, b) => order(a.name) - order(b.name));
  logger.info({ service: 'registry', publisher: opts.publisher, versions, supergraph: outcome.supergraphId, previous: supergraph?.id, changes: countBySeverity(outcome.changes) }, 'published');
  return { status: 'published', versions, supergraphId: outcome.supergraphId, changes: outcome.changes, usage: outcome.usage, routing: outcome.routing, derived };
}

/** Publishes the candidates as one change (one new supergraph), or refuses them changing nothing. */
export async function publish(db: Db, candidates: readonly Candidate[], opts: ChangeOptions): Promise<PublishOutcome> {
  return db.tx(async (q) => {
    await lockPublishing(q);
    return publishLocked(q, candidates, opts);
  });
}

/** Takes `name` out of the graph: the rest composed without it becomes current, and a `removed` version is recorded. */
export async function remove(db: Db, name: string, opts: ChangeOptions): Promise<RemoveOutcome> {
  return db.tx(async (q) => {
    await lockPublishing(q);
    const current = await currentVersions(q);
    if (!current.some((v) => v.name === name)) return { status: 'not-found', message: `subgraph ${name} is not in the graph (never published, or already removed)` };
    const supergraph = await currentSupergraph(q);
    const derivation = deriveChange(current, [], [name], opts.derived ?? []);
    if (!derivation.ok) return { status: 'not-composed', errors: derivation.errors };
    const outcome = acceptable(await checkWithUsage(q, current, supergraph?.sdl ?? null, derivation.derived, [name], opts.usageDays), opts.allowBreaking);
    if ('status' in outcome) return outcome;
    const version = await recordRemoval(q, { id: outcome.supergraphId, sdl: outcome.supergraphSdl }, name, opts.publisher);
    const derived = await recordDerivedOf(q, outcome.supergraphId, derivation.derived, derivation.changes, new Set(), opts, [`removing ${name} (v${version})`]);
    logger.info({ service: 'registry', publisher: opts.publisher, removed: { name, version }, derived, supergraph: outcome.supergraphId, previous: supergraph?.id, changes: countBySeverity(outcome.changes) }, 'removed');
    return { status: 'removed', version, supergraphId: outcome.supergraphId, changes: outcome.changes, usage: outcome.usage, routing: outcome.routing, derived };
  });
}

/**
 * Publishes again the SDL and routing URL of version `to` of `name` as a new version. Without `to`: the
 * newest published version before the current one (the one before a removal, for a removed name).
 * `vet` may refuse (throw) the version about to be republished, before anything is written.
 */
export async function rollback(db: Db, name: string, to: number | undefined, opts: ChangeOptions & { vet?: (candidate: Candidate, q: Queryable) => Promise<void> }): Promise<RollbackOutcome> {
  return db.tx(async (q) => {
    await lockPublishing(q);
    const history = await historyOf(q, name);
    if (history.length === 0) return { status: 'not-found', message: `no subgraph ${name} was ever published` };
    const latest = history[history.length - 1].version;
    if (to === latest) return { status: 'bad-target', message: `to: v${to} is the current version of ${name}; name an earlier one` };
    const target = to ?? history.filter((v) => v.kind === 'published' && v.version < latest).pop()?.version;
    if (target === undefined) return { status: 'not-found', message: `subgraph ${name} has no published version before v${latest} to roll back to` };
    const found = await versionOf(q, name, target);
    if (!found) return { status: 'not-found', message: `subgraph ${name} has no version ${target}` };
    if (found.kind !== 'published' || found.sdl === null || found.routingUrl === null) {
      return { status: 'bad-target', message: `to: v${target} of ${name} is a removal; remove the name instead (POST /v1/subgraphs/${name}/remove)` };
    }
    const restoring = { name, routingUrl: found.routingUrl, sdl: found.sdl, typeDefs: parse(found.sdl) };
    // The version may predate the caller's grant (an admin's, with overrides a partner may not make): the
    // caller's rules apply to what is republished now. A refusal throws, rolling the transaction back.
    await opts.vet?.(restoring, q);
    const outcome = await publishLocked(q, [restoring], opts);
    return { ...outcome, restored: target };
  });
}
