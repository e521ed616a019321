/**
 * The registry's SQL for trusted documents (migration 004): each client's published operations, its
 * safelist flag, which organisation may publish for it, and the revision gateways poll. Publishing only
 * adds (a document once published stays, so old app installs keep working); every change bumps the
 * revision in its own transaction.
 */
import type { Queryable } from '../platform/db';
import type { TrustedDocument } from '../gateway/trusted-manifest';

export interface DocumentClient {
  name: string;
  safelist: boolean;
  /** The organisation whose partner keys may publish for it (null: admins only). */
  org: string | null;
  documents: number;
  changedBy: string;
  changedAt: Date;
}

export interface StoredDocument {
  id: string;
  name: string | null;
  type: string;
  publishedBy: string;
  publishedAt: Date;
  body?: string;
}

/** What a gateway loads: every client with its safelist flag and documents. */
export interface DocumentSnapshot {
  revision: number;
  clients: Array<{ name: string; safelist: boolean; documents: Array<{ id: string; body: string }> }>;
}

/** Serialises changes of one client (a publish reads what is stored, then adds the rest). */
async function lockClient(q: Queryable, client: string): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext('autograph-registry-documents'), hashtext($1))`, [client]);
}

async function bumpRevision(q: Queryable): Promise<number> {
  const [row] = await q.query<{ revision: string }>(`UPDATE registry.documents_revision SET revision = revision + 1 RETURNING revision`);
  return Number(row.revision);
}

export async function documentsRevision(q: Queryable): Promise<number> {
  const [row] = await q.query<{ revision: string }>(`SELECT revision FROM registry.documents_revision`);
  return Number(row?.revision ?? 0);
}

/**
 * Adds `documents` to `client`'s (creating the client); `safelist` true/false sets its flag, undefined
 * keeps it. Run inside a transaction. Returns which ids were new and which were stored already.
 */
export async function publishDocuments(
  q: Queryable,
  client: string,
  documents: readonly TrustedDocument[],
  safelist: boolean | undefined,
  publisher: string,
): Promise<{ added: string[]; unchanged: string[]; safelist: boolean; total: number; revision: number }> {
  await lockClient(q, client);
  const [existing] = await q.query<{ safelist: boolean }>(`SELECT safelist FROM registry.document_clients WHERE name = $1`, [client]);
  if (!existing) await q.query(`INSERT INTO registry.document_clients (name, safelist, changed_by) VALUES ($1, $2, $3)`, [client, safelist ?? false, publisher]);
  else if (safelist !== undefined && safelist !== existing.safelist) {
    await q.query(`UPDATE registry.document_clients SET safelist = $2, changed_by = $3, changed_at = date_trunc('milliseconds', now()) WHERE name = $1`, [client, safelist, publisher]);
  }
  const stored = new Set((await q.query<{ id: string }>(`SELECT id FROM registry.trusted_documents WHERE client = $1 AND id = ANY($2::text[])`, [client, documents.map((d) => d.id)])).map((r) => r.id));
  const fresh = documents.filter((d) => !stored.has(d.id));
  if (fresh.length) {
    await q.query(
      `INSERT INTO registry.trusted_documents (client, id, operation_name, operation_type, body, published_by)
       SELECT $1, d.id, d.name, d.type, d.body, $2 FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS d(id, name, type, body)`,
      [client, publisher, fresh.map((d) => d.id), fresh.map((d) => d.name), fresh.map((d) => d.type), fresh.map((d) => d.body)],
    );
  }
  const flagChanged = !existing || (safelist !== undefined && safelist !== existing.safelist);
  const revision = fresh.length || flagChanged ? await bumpRevision(q) : await documentsRevision(q);
  const [{ total }] = await q.query<{ total: string }>(`SELECT count(*) AS total FROM registry.trusted_documents WHERE client = $1`, [client]);
  return { added: fresh.map((d) => d.id), unchanged: documents.filter((d) => stored.has(d.id)).map((d) => d.id), safelist: safelist ?? existing?.safelist ?? false, total: Number(total), revision };
}

/** A client with its grant and document count, or null when it never published. */
export async function documentClient(q: Queryable, client: string): Promise<DocumentClient | null> {
  const [row] = await q.query<{ name: string; safelist: boolean; org: string | null; documents: string; changed_by: string; changed_at: Date }>(
    `SELECT c.name, c.safelist, g.org, (SELECT count(*) FROM registry.trusted_documents d WHERE d.client = c.name) AS documents, c.changed_by, c.changed_at
       FROM registry.document_clients c LEFT JOIN registry.client_grants g ON g.client = c.name AND g.revoked_at IS NULL WHERE c.name = $1`,
    [client],
  );
  return row ? { name: row.name, safelist: row.safelist, org: row.org, documents: Number(row.documents), changedBy: row.changed_by, changedAt: new Date(row.changed_at) } : null;
}

/** A client's documents, oldest first (with their bodies when asked). */
export async function documentsOf(q: Queryable, client: string, withBody: boolean): Promise<StoredDocument[]> {
  const rows = await q.query<{ id: string; operation_name: string | null; operation_type: string; body: string; published_by: string; published_at: Date }>(
    `SELECT id, operation_name, operation_type, ${withBody ? 'body' : "'' AS body"}, published_by, published_at FROM registry.trusted_documents WHERE client = $1 ORDER BY published_at, id`,
    [client],
  );
  return rows.map((r) => ({ id: r.id, name: r.operation_name, type: r.operation_type, publishedBy: r.published_by, publishedAt: new Date(r.published_at), ...(withBody ? { body: r.body } : {}) }));
}

/** Everything a gateway serves, read in one snapshot (a REPEATABLE READ transaction is not needed: one statement). */
export async function documentSnapshot(q: Queryable): Promise<DocumentSnapshot> {
  const rows = await q.query<{ revision: string; clients: DocumentSnapshot['clients'] | null }>(
    `SELECT (SELECT revision FROM registry.documents_revision) AS revision,
            (SELECT json_agg(json_build_object('name', c.name, 'safelist', c.safelist, 'documents',
                      (SELECT coalesce(json_agg(json_build_object('id', d.id, 'body', d.body) ORDER BY d.id), '[]'::json) FROM registry.trusted_documents d WHERE d.client = c.name))
                    ORDER BY c.name) FROM registry.document_clients c) AS clients`,
  );
  return { revision: Number(rows[0].revision), clients: rows[0].clients ?? [] };
}

/** The organisation granted `client`, or null. */
export async function clientHolder(q: Queryable, client: string): Promise<string | null> {
  const [row] = await q.query<{ org: string }>(`SELECT org FROM registry.client_grants WHERE client = $1 AND revoked_at IS NULL`, [client]);
  return row?.org ?? null;
}

/**
 * Grants `client` to `org`: its partner keys may then publish the client's documents. Another
 * organisation's live grant is revoked first (an admin's explicit move), in the same transaction.
 */
export async function grantClient(q: Queryable, client: string, org: string, by: string): Promise<{ org: string; previous: string | null; unchanged: boolean }> {
  await lockClient(q, client);
  const previous = await clientHolder(q, client);
  if (previous === org) return { org, previous, unchanged: true };
  if (previous) await q.query(`UPDATE registry.client_grants SET revoked_by = $2, revoked_at = date_trunc('milliseconds', now()) WHERE client = $1 AND revoked_at IS NULL`, [client, by]);
  await q.query(`INSERT INTO registry.client_grants (client, org, granted_by) VALUES ($1, $2, $3)`, [client, org, by]);
  return { org, previous, unchanged: false };
}
