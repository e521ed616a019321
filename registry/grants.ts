/**
 * Grants: which organisation's partner keys may change and read which subgraph name (`registry.grants`,
 * migration 002). A name has at most one live grant, so two partners can never publish over each other;
 * moving a name to another organisation is an admin's revoke, then grant. Revoked grants stay as history.
 */
import type { Queryable } from '../platform/db';

export interface Grant {
  name: string;
  org: string;
  grantedBy: string;
  grantedAt: Date;
}

interface GrantRow {
  name: string;
  org: string;
  granted_by: string;
  granted_at: Date;
}

const COLUMNS = 'name, org, granted_by, granted_at';
const grantOf = (r: GrantRow): Grant => ({ name: r.name, org: r.org, grantedBy: r.granted_by, grantedAt: new Date(r.granted_at) });

/** The live grants, by organisation then name (only `org`'s when given). */
export async function liveGrants(q: Queryable, org?: string): Promise<Grant[]> {
  const rows = org === undefined
    ? await q.query<GrantRow>(`SELECT ${COLUMNS} FROM registry.grants WHERE revoked_at IS NULL ORDER BY org, name`)
    : await q.query<GrantRow>(`SELECT ${COLUMNS} FROM registry.grants WHERE revoked_at IS NULL AND org = $1 ORDER BY name`, [org]);
  return rows.map(grantOf);
}

/** Who holds each of `names` now: name → organisation, for the names that are granted. */
export async function holdersOf(q: Queryable, names: readonly string[]): Promise<Map<string, string>> {
  const rows = await q.query<{ name: string; org: string }>(`SELECT name, org FROM registry.grants WHERE revoked_at IS NULL AND name = ANY($1::text[])`, [[...names]]);
  return new Map(rows.map((r) => [r.name, r.org]));
}

export type GrantOutcome = { status: 'granted'; grant: Grant } | { status: 'unchanged'; grant: Grant } | { status: 'held-by-other'; grant: Grant };

/**
 * Grants `name` to `org`. Already granted to `org`: unchanged. Granted to another organisation: refused,
 * with that grant (the unique index makes a concurrent second grant fail rather than succeed twice).
 */
export async function grantName(q: Queryable, name: string, org: string, grantedBy: string): Promise<GrantOutcome> {
  const [inserted] = await q.query<GrantRow>(
    `INSERT INTO registry.grants (name, org, granted_by) VALUES ($1, $2, $3) ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING RETURNING ${COLUMNS}`,
    [name, org, grantedBy],
  );
  if (inserted) return { status: 'granted', grant: grantOf(inserted) };
  const [held] = await q.query<GrantRow>(`SELECT ${COLUMNS} FROM registry.grants WHERE revoked_at IS NULL AND name = $1`, [name]);
  // Revoked between the two statements: the name is free again, so try once more.
  if (!held) return grantName(q, name, org, grantedBy);
  return { status: held.org === org ? 'unchanged' : 'held-by-other', grant: grantOf(held) };
}

/** Revokes `org`'s live grant of `name`; the grant revoked, or null when `org` holds no such grant. */
export async function revokeGrant(q: Queryable, name: string, org: string, revokedBy: string): Promise<Grant | null> {
  const [row] = await q.query<GrantRow>(
    `UPDATE registry.grants SET revoked_by = $3, revoked_at = date_trunc('milliseconds', now()) WHERE name = $1 AND org = $2 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
    [name, org, revokedBy],
  );
  return row ? grantOf(row) : null;
}
