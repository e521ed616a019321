/**
 * Registry keys: API keys the registry issues to admins, gateways and partner organisations, and the SQL
 * that keeps them (`registry.credentials`, migration 002). A key is `agk_<id>_<secret>`: the prefix lets
 * secret scanners and the access check tell it from a JWT at a glance, the id finds its row, the secret
 * proves the caller holds it. The secret is shown once, when the key is created; the registry keeps only
 * its SHA-256, so neither a database dump nor an admin can show it again.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../platform/db';

export const KEY_KINDS = ['admin', 'gateway', 'partner'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** Every registry key starts with this; anything else in a Bearer header is read as a JWT. */
export const KEY_PREFIX = 'agk_';
/** `agk_` + 16 hex (the id: 64 random bits, unique by primary key) + `_` + 43 base64url (the secret: 256 random bits). */
const KEY_FORMAT = /^agk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** An organisation: lower case letters, digits and `-`, starting with a letter, at most 63 (as the partner JWT's `org`). */
export const ORG_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export interface KeySummary {
  id: string;
  kind: KeyKind;
  /** The organisation of a partner key; null for the other kinds. */
  org: string | null;
  label: string;
  createdBy: string;
  createdAt: Date;
  /** The last call the key was allowed to make (to the minute, see `recordUse`); null when never used. */
  lastUsedAt: Date | null;
  revokedBy: string | null;
  revokedAt: Date | null;
}

interface KeyRow {
  id: string;
  kind: KeyKind;
  org: string | null;
  label: string;
  secret_sha256?: Uint8Array;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_by: string | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, kind, org, label, created_by, created_at, last_used_at, revoked_by, revoked_at';
const date = (d: Date | null) => (d === null ? null : new Date(d));
const summaryOf = (r: KeyRow): KeySummary => ({
  id: r.id,
  kind: r.kind,
  org: r.org,
  label: r.label,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  lastUsedAt: date(r.last_used_at),
  revokedBy: r.revoked_by,
  revokedAt: date(r.revoked_at),
});

/**
 * The digest stored for a secret. A plain SHA-256 is enough here, unlike for passwords: the secret is 256
 * random bits from the operating system's CSPRNG, so there is no dictionary to try and no guess cheaper than
 * searching 2^256 values — a slow or salted hash (bcrypt, scrypt, argon2) exists to make guessing human-chosen
 * passwords expensive and would only add its cost to every registry call.
 */
function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** The key id and secret of a token that has the key format, or null when it does not. */
export function parseKey(token: string): { id: string; secret: string } | null {
  const m = KEY_FORMAT.exec(token);
  return m ? { id: m[1], secret: m[2] } : null;
}

/** The principal a key acts as: what a version's `publisher` and the logs record. */
export function keyPrincipal(key: Pick<KeySummary, 'id' | 'kind' | 'org'>): string {
  return key.kind === 'partner' ? `partner:${key.org}/key:${key.id}` : `${key.kind}/key:${key.id}`;
}

/** Creates a key; the answer holds the only copy of its secret. */
export async function createKey(q: Queryable, spec: { kind: KeyKind; org: string | null; label: string }, createdBy: string): Promise<{ key: KeySummary; secret: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const [row] = await q.query<KeyRow>(
    `INSERT INTO registry.credentials (id, kind, org, label, secret_sha256, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [id, spec.kind, spec.org, spec.label, digest(secret), createdBy],
  );
  return { key: summaryOf(row), secret: `${KEY_PREFIX}${id}_${secret}` };
}

export async function listKeys(q: Queryable): Promise<KeySummary[]> {
  return (await q.query<KeyRow>(`SELECT ${COLUMNS} FROM registry.credentials ORDER BY created_at, id`)).map(summaryOf);
}

export async function findKey(q: Queryable, id: string): Promise<KeySummary | null> {
  const [row] = await q.query<KeyRow>(`SELECT ${COLUMNS} FROM registry.credentials WHERE id = $1`, [id]);
  return row ? summaryOf(row) : null;
}

/** What a presented key is: its row when the secret matches, or why it is not a key that may be used. */
export type KeyVerdict = { status: 'valid'; key: KeySummary } | { status: 'unknown' } | { status: 'wrong-secret' } | { status: 'revoked'; key: KeySummary };

/** Looks the key up by its id and compares the secret's digest in constant time; reads only. */
export async function verifyKey(q: Queryable, id: string, secret: string): Promise<KeyVerdict> {
  const [row] = await q.query<KeyRow>(`SELECT ${COLUMNS}, secret_sha256 FROM registry.credentials WHERE id = $1`, [id]);
  if (!row) return { status: 'unknown' };
  const stored = Buffer.from(row.secret_sha256!);
  const given = digest(secret);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return { status: 'wrong-secret' };
  const key = summaryOf(row);
  return key.revokedAt ? { status: 'revoked', key } : { status: 'valid', key };
}

/**
 * Records that the key was used. At most one write a minute per key: a gateway following the registry calls
 * it all day, and "last used" is for an admin deciding whether a key can go, which needs minutes, not calls.
 */
export async function recordUse(q: Queryable, id: string): Promise<void> {
  await q.query(
    `UPDATE registry.credentials SET last_used_at = date_trunc('milliseconds', now())
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id],
  );
}

/** Revokes a live key: the key as it is now, or null when there is no such key. An already revoked key is returned unchanged. */
export async function revokeKey(q: Queryable, id: string, revokedBy: string): Promise<{ key: KeySummary; revokedNow: boolean } | null> {
  const [row] = await q.query<KeyRow>(
    `UPDATE registry.credentials SET revoked_by = $2, revoked_at = date_trunc('milliseconds', now()) WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
    [id, revokedBy],
  );
  if (row) return { key: summaryOf(row), revokedNow: true };
  const existing = await findKey(q, id);
  return existing ? { key: existing, revokedNow: false } : null;
}
