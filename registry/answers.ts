/**
 * How the registry's HTTP API reads its path and query parameters and answers each outcome of a change
 * (`api.ts` has the routes): a check's body, a refused change (422 with its composition errors, 409 with
 * its breaking changes), a publish, a removal, a rollback.
 */
import { blockingChanges, countBySeverity } from './check';
import type { CheckWithDerived, PublishOutcome, Refusal, RemoveOutcome, RollbackOutcome } from './publish';
import { RegistryError } from './requests';

/** A 200 answer. */
export const ok = (body: unknown) => ({ status: 200, body });

/** A version path parameter: a number from 1, or `latest`. */
export function versionParam(raw: string): number | 'latest' {
  if (raw === 'latest') return 'latest';
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw new RegistryError(400, 'BAD_USER_INPUT', `version: ${JSON.stringify(raw.slice(0, 40))} is not a version number (1, 2, …) or "latest"`, 'version');
  return Number(raw);
}

/** `GET /v1/subgraphs?sdl=true|false`: whether to add each current version's SDL (no other parameter is known). */
export function withSdlParam(query: URLSearchParams): boolean {
  for (const key of query.keys()) if (key !== 'sdl') throw new RegistryError(400, 'BAD_USER_INPUT', `${key}: is not a parameter of this route (parameters: sdl)`, key);
  const values = query.getAll('sdl');
  if (values.length > 1) throw new RegistryError(400, 'BAD_USER_INPUT', 'sdl: give it once', 'sdl');
  if (values.length === 0) return false;
  if (values[0] !== 'true' && values[0] !== 'false') throw new RegistryError(400, 'BAD_USER_INPUT', `sdl: ${JSON.stringify(values[0].slice(0, 40))} must be true or false`, 'sdl');
  return values[0] === 'true';
}

/** Whether an `If-None-Match` header names the entity tag `etag` (or is `*`). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

export function checkBody(outcome: CheckWithDerived) {
  if (!outcome.composes) return { composes: false, errors: outcome.errors, changes: [], summary: countBySeverity([]), derived: outcome.derived };
  return { composes: true, supergraphId: outcome.supergraphId, against: outcome.against, changes: outcome.changes, summary: countBySeverity(outcome.changes), blocking: blockingChanges(outcome.changes).length, usage: outcome.usage, routing: outcome.routing, derived: outcome.derived };
}

/**
 * A refused change: 422 with its composition errors, or 409 with its breaking changes. `change` names it
 * ("the candidate", "removing orders"), `notComposing` says what does not compose, `verb` what was not done.
 */
export function refusalAnswer(outcome: Refusal, change: string, notComposing: string, verb: 'publish' | 'remove') {
  const done = verb === 'publish' ? 'published' : 'removed';
  if (outcome.status === 'not-composed') {
    return { status: 422, body: { error: { code: 'COMPOSITION_FAILED', message: `${notComposing} (${outcome.errors.length} error${outcome.errors.length === 1 ? '' : 's'}); nothing was ${done}` }, errors: outcome.errors } };
  }
  const n = blockingChanges(outcome.changes).length;
  return { status: 409, body: { error: { code: 'BREAKING_CHANGES', message: `${change} makes ${n} breaking change${n === 1 ? '' : 's'} for clients; nothing was ${done} (send allowBreaking: true to ${verb} anyway)` }, changes: outcome.changes, summary: countBySeverity(outcome.changes), blocking: n, usage: outcome.usage } };
}

export function publishAnswer(outcome: PublishOutcome) {
  switch (outcome.status) {
    case 'published':
      return ok({ published: true, versions: outcome.versions, supergraphId: outcome.supergraphId, changes: outcome.changes, summary: countBySeverity(outcome.changes), usage: outcome.usage, routing: outcome.routing, derived: outcome.derived });
    case 'unchanged':
      return ok({ published: false, unchanged: true, versions: outcome.versions, supergraphId: outcome.supergraphId, derived: outcome.derived });
    default:
      return refusalAnswer(outcome, 'the candidate', 'the candidate does not compose with the current graph', 'publish');
  }
}

export function removeAnswer(name: string, outcome: RemoveOutcome) {
  if (outcome.status === 'not-found') throw new RegistryError(404, 'NOT_FOUND', outcome.message);
  if (outcome.status !== 'removed') return refusalAnswer(outcome, `removing ${name}`, `the rest of the graph does not compose without ${name}`, 'remove');
  return ok({ removed: true, name, version: outcome.version, supergraphId: outcome.supergraphId, changes: outcome.changes, summary: countBySeverity(outcome.changes), usage: outcome.usage, routing: outcome.routing, derived: outcome.derived });
}

export function rollbackAnswer(outcome: RollbackOutcome) {
  if (outcome.status === 'not-found') throw new RegistryError(404, 'NOT_FOUND', outcome.message);
  if (outcome.status === 'bad-target') throw new RegistryError(400, 'BAD_USER_INPUT', outcome.message, 'to');
  const answer = publishAnswer(outcome);
  return answer.status === 200 ? ok({ ...(answer.body as object), restored: outcome.restored }) : answer;
}
