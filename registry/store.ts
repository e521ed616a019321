/**
 * The registry's SQL (PostgreSQL schema `registry`, `migrations/`): subgraph versions, supergraphs and the
 * current supergraph. Writes happen only inside a publish transaction that holds `lockPublishing`, so
 * version numbers and the current supergraph follow one order of publishes.
 */
import type { Queryable } from '../platform/db';

/** The PostgreSQL channel a change of the current supergraph is notified on (payload: its id; `supergraph-events.ts` listens). */
export const SUPERGRAPH_CHANNEL = 'autograph_registry_supergraph';

/** One entry of a name's history: a published version, or the event that removed the name. */
export interface VersionSummary {
  name: string;
  version: number;
  kind: 'published' | 'removed';
  routingUrl: string | null;
  publisher: string;
  publishedAt: Date;
  /** The supergraph this change produced. */
  supergraphId: string | null;
}

export interface VersionDetail extends VersionSummary {
  sdl: string | null;
}

/** A subgraph as it is in the graph now: its latest version, which is a published one. */
export interface CurrentVersion extends VersionSummary {
  kind: 'published';
  routingUrl: string;
  sdl: string;
}

export interface StoredSupergraph {
  id: string;
  sdl: string;
  createdAt: Date;
  /** When it became the current one. */
  since: Date;
}

/** What one publish writes for one name. */
export interface NewVersion {
  name: string;
  routingUrl: string;
  sdl: string;
}

interface VersionRow {
  name: string;
  version: number;
  kind: 'published' | 'removed';
  routing_url: string | null;
  sdl?: string | null;
  publisher: string;
  published_at: Date;
  supergraph_id: string | null;
}

const SUMMARY_COLUMNS = 'name, version, kind, routing_url, publisher, published_at, supergraph_id';

const summaryOf = (r: VersionRow): VersionSummary => ({
  name: r.name,
  version: Number(r.version),
  kind: r.kind,
  routingUrl: r.routing_url,
  publisher: r.publisher,
  publishedAt: new Date(r.published_at),
  supergraphId: r.supergraph_id,
});

/**
 * Serialises publishes for the rest of the transaction: each one reads the current versions, composes and
 * writes while no other can, so none is lost and the current supergraph is composed from what is current at commit.
 */
export async function lockPublishing(q: Queryable): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext('autograph-registry-publish'))`);
}

/** Every subgraph in the graph now (its latest version is a published one), by name. */
export async function currentVersions(q: Queryable): Promise<CurrentVersion[]> {
  const rows = await q.query<VersionRow>(
    `SELECT * FROM (SELECT DISTINCT ON (name) ${SUMMARY_COLUMNS}, sdl FROM registry.subgraph_versions ORDER BY name, version DESC) latest
      WHERE kind = 'published' ORDER BY name`,
  );
  return rows.map((r) => ({ ...summaryOf(r), sdl: r.sdl!, routingUrl: r.routing_url! }) as CurrentVersion);
}

/** The supergraph gateways should serve, or null before the first publish. */
export async function currentSupergraph(q: Queryable): Promise<StoredSupergraph | null> {
  const [row] = await q.query<{ id: string; sdl: string; created_at: Date; since: Date }>(
    `SELECT s.id, s.sdl, s.created_at, c.since FROM registry.current_supergraph c JOIN registry.supergraphs s ON s.id = c.supergraph_id`,
  );
  return row ? { id: row.id, sdl: row.sdl, createdAt: new Date(row.created_at), since: new Date(row.since) } : null;
}

/** A name's whole history, oldest first (empty for a name never published). */
export async function historyOf(q: Queryable, name: string): Promise<VersionSummary[]> {
  const rows = await q.query<VersionRow>(`SELECT ${SUMMARY_COLUMNS} FROM registry.subgraph_versions WHERE name = $1 ORDER BY version`, [name]);
  return rows.map(summaryOf);
}

/** One version of a name with its SDL (`latest`: the newest entry), or null when there is none. */
export async function versionOf(q: Queryable, name: string, version: number | 'latest'): Promise<VersionDetail | null> {
  const rows =
    version === 'latest'
      ? await q.query<VersionRow>(`SELECT ${SUMMARY_COLUMNS}, sdl FROM registry.subgraph_versions WHERE name = $1 ORDER BY version DESC LIMIT 1`, [name])
      : await q.query<VersionRow>(`SELECT ${SUMMARY_COLUMNS}, sdl FROM registry.subgraph_versions WHERE name = $1 AND version = $2`, [name, version]);
  return rows[0] ? { ...summaryOf(rows[0]), sdl: rows[0].sdl ?? null } : null;
}

/** Stores a supergraph (once: the same SDL is the same id) and makes it current. Call it holding `lockPublishing`. */
async function storeAsCurrent(q: Queryable, supergraph: { id: string; sdl: string }): Promise<void> {
  await q.query(`INSERT INTO registry.supergraphs (id, sdl) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [supergraph.id, supergraph.sdl]);
  await q.query(
    `INSERT INTO registry.current_supergraph (singleton, supergraph_id) VALUES (true, $1)
     ON CONFLICT (singleton) DO UPDATE SET supergraph_id = EXCLUDED.supergraph_id, since = date_trunc('milliseconds', now())`,
    [supergraph.id],
  );
  // Delivered at commit to every registry process LISTENing (supergraph-events.ts); nothing when rolled back.
  await q.query(`SELECT pg_notify('${SUPERGRAPH_CHANNEL}', $1)`, [supergraph.id]);
}

/** Adds the next version of `name` (published with URL and SDL, or a removal without), returning its number. */
async function insertVersion(q: Queryable, name: string, entry: { routingUrl: string; sdl: string } | 'removed', publisher: string, supergraphId: string): Promise<number> {
  const [kind, url, sdl] = entry === 'removed' ? ['removed', null, null] : ['published', entry.routingUrl, entry.sdl];
  const [row] = await q.query<{ version: number }>(
    `INSERT INTO registry.subgraph_versions (name, version, kind, routing_url, sdl, publisher, supergraph_id)
     SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6 FROM registry.subgraph_versions WHERE name = $1
     RETURNING version`,
    [name, kind, url, sdl, publisher, supergraphId],
  );
  return Number(row.version);
}

/**
 * Stores the new supergraph, one new version per name in `versions` (each the next number for its name),
 * and makes the supergraph current. Call it holding `lockPublishing`.
 */
export async function recordPublish(q: Queryable, supergraph: { id: string; sdl: string }, versions: readonly NewVersion[], publisher: string): Promise<Array<{ name: string; version: number }>> {
  await storeAsCurrent(q, supergraph);
  const stored: Array<{ name: string; version: number }> = [];
  for (const v of versions) stored.push({ name: v.name, version: await insertVersion(q, v.name, v, publisher, supergraph.id) });
  return stored;
}

/**
 * Adds the next version of each derived subgraph, each with its own publisher (the registry, naming the
 * change that moved it), as part of a change `recordPublish` or `recordRemoval` has just recorded.
 */
export async function recordDerived(q: Queryable, supergraphId: string, versions: ReadonlyArray<NewVersion & { publisher: string }>): Promise<Array<{ name: string; version: number }>> {
  const stored: Array<{ name: string; version: number }> = [];
  for (const v of versions) stored.push({ name: v.name, version: await insertVersion(q, v.name, v, v.publisher, supergraphId) });
  return stored;
}

/** Stores the supergraph composed without `name`, a `removed` version of the name, and makes it current. Call it holding `lockPublishing`. */
export async function recordRemoval(q: Queryable, supergraph: { id: string; sdl: string }, name: string, publisher: string): Promise<number> {
  await storeAsCurrent(q, supergraph);
  return insertVersion(q, name, 'removed', publisher, supergraph.id);
}
