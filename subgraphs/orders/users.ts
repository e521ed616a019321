/**
 * The people orders knows (`orders.users`, filled by triggers on every table that names a user) and
 * the pseudonym index analysts are addressed through. A pseudonym is a keyed HMAC of the user id: it
 * cannot be reversed, so going from one back to the person is a lookup in this index. The pseudonyms
 * are written here because the key lives in the subgraph's environment, never in the database.
 */
import { pseudonym, pseudonymKeyId, shouldPseudonymise, type UserRef } from '../kit/auth';
import type { Identity } from '../../platform/identity';
import type DataLoader from 'dataloader';
import type { Db, Queryable } from '../../platform/db';
import { rowsByKey } from '../kit/loaders';

/** Per database: the key every row was last checked against in this process. */
const checked = new WeakMap<Db, string>();

/**
 * Gives every user without a current pseudonym one. The first call in a process (or after the key
 * changed) checks every row, so a new AUTOGRAPH_PSEUDONYM_KEY re-keys the index; later calls only look
 * at rows the triggers added since (a partial index finds them).
 */
export async function refreshPseudonyms(db: Db): Promise<void> {
  const keyId = pseudonymKeyId();
  const everyRow = checked.get(db) !== keyId;
  const stale = await db.query<{ id: string }>(
    everyRow ? 'SELECT id FROM orders.users WHERE pseudonym_key_id IS DISTINCT FROM $1' : 'SELECT id FROM orders.users WHERE pseudonym IS NULL',
    everyRow ? [keyId] : [],
  );
  if (stale.length) await writePseudonyms(db, stale.map((r) => r.id), keyId);
  checked.set(db, keyId);
}

async function writePseudonyms(q: Queryable, ids: string[], keyId: string): Promise<void> {
  await q.query(
    `UPDATE orders.users u SET pseudonym = p.pseudonym, pseudonym_key_id = $3
       FROM unnest($1::text[], $2::text[]) AS p(id, pseudonym) WHERE u.id = p.id`,
    [ids, ids.map(pseudonym), keyId],
  );
}

/** The real user id behind each pseudonym; null for a pseudonym of nobody. */
export async function usersByPseudonyms(db: Db, pseudonyms: readonly string[]): Promise<(string | null)[]> {
  await refreshPseudonyms(db);
  const rows = await db.query<{ id: string; pseudonym: string }>(
    'SELECT id, pseudonym FROM orders.users WHERE pseudonym = ANY($1::text[]) AND pseudonym_key_id = $2',
    [[...pseudonyms], pseudonymKeyId()],
  );
  return rowsByKey(pseudonyms, rows, (r) => r.pseudonym).map((r) => r?.id ?? null);
}

/** Which of `ids` are people orders knows. */
export async function existingUsers(db: Db, ids: readonly string[]): Promise<boolean[]> {
  const rows = await db.query<{ id: string }>('SELECT id FROM orders.users WHERE id = ANY($1::text[])', [[...ids]]);
  const known = new Set(rows.map((r) => r.id));
  return ids.map((id) => known.has(id));
}

/** Registers `ids` as people (the seed does, so a seeded user with nothing in orders still exists). */
export async function registerUsers(q: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length) await q.query('INSERT INTO orders.users (id) SELECT unnest($1::text[]) ON CONFLICT (id) DO NOTHING', [[...ids]]);
}

/**
 * The person behind a `User` id as this caller addresses it: analysts by pseudonym (looked up in the
 * index), everyone else by user id. Null when there is nobody behind the pseudonym.
 */
export async function personOf(identity: Identity | null, loaders: { userByPseudonym: DataLoader<string, string | null> }, id: string): Promise<Required<UserRef> | null> {
  if (!shouldPseudonymise(identity)) return { id, internalId: id };
  const internalId = await loaders.userByPseudonym.load(id);
  return internalId === null ? null : { id, internalId };
}
