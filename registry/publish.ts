/**
 * Checking and publishing against what the registry holds. A check only reads. A publish runs the same
 * check inside one transaction holding the publish lock, and stores the new versions and supergraph (and
 * makes it current) only when the candidates compose and — unless `allowBreaking` — break nothing for
 * clients; otherwise it writes nothing. Offering exactly what a name already has (the same SDL text and
 * routing URL) adds no version: a publish where every candidate is unchanged is a no-op.
 */
import type { CompositionProblem } from '../gateway/composition';
import type { Db } from '../platform/db';
import { logger } from '../platform/logger';
import { checkCandidates, countBySeverity, type Candidate, type CheckOutcome, type SchemaChange } from './check';
import { currentSupergraph, currentVersions, lockPublishing, recordPublish } from './store';

export type PublishOutcome =
  | { status: 'published'; versions: Array<{ name: string; version: number }>; supergraphId: string; changes: SchemaChange[] }
  | { status: 'unchanged'; versions: Array<{ name: string; version: number }>; supergraphId: string }
  | { status: 'not-composed'; errors: CompositionProblem[] }
  | { status: 'breaking'; changes: SchemaChange[] };

/** The candidates checked against the current graph; changes nothing. */
export async function check(db: Db, candidates: readonly Candidate[]): Promise<CheckOutcome> {
  const [current, supergraph] = await Promise.all([currentVersions(db), currentSupergraph(db)]);
  return checkCandidates(current, supergraph?.sdl ?? null, candidates);
}

/** Publishes the candidates as one change (one new supergraph), or refuses them changing nothing. */
export async function publish(db: Db, candidates: readonly Candidate[], opts: { publisher: string; allowBreaking: boolean }): Promise<PublishOutcome> {
  return db.tx(async (q) => {
    await lockPublishing(q);
    const current = await currentVersions(q);
    const supergraph = await currentSupergraph(q);
    const byName = new Map(current.map((v) => [v.name, v]));
    const changed = candidates.filter((c) => byName.get(c.name)?.sdl !== c.sdl || byName.get(c.name)?.routingUrl !== c.routingUrl);
    if (changed.length === 0 && supergraph) {
      return { status: 'unchanged', versions: candidates.map((c) => ({ name: c.name, version: byName.get(c.name)!.version })), supergraphId: supergraph.id };
    }
    const outcome = await checkCandidates(current, supergraph?.sdl ?? null, changed);
    if (!outcome.composes) return { status: 'not-composed', errors: outcome.errors };
    if (!opts.allowBreaking && countBySeverity(outcome.changes).breaking > 0) return { status: 'breaking', changes: outcome.changes };
    const versions = await recordPublish(q, { id: outcome.supergraphId, sdl: outcome.supergraphSdl }, changed, opts.publisher);
    logger.info({ service: 'registry', publisher: opts.publisher, versions, supergraph: outcome.supergraphId, previous: supergraph?.id, changes: countBySeverity(outcome.changes) }, 'published');
    return { status: 'published', versions, supergraphId: outcome.supergraphId, changes: outcome.changes };
  });
}
