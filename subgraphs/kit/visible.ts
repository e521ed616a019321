/**
 * By-id lookups that do not tell anyone which ids exist. Seed ids are sequential and new ones have a
 * fixed shape, so "FORBIDDEN: exists but is not yours" next to "NOT_FOUND" would let any customer or
 * partner map the whole id space. Something the caller may not see is answered exactly like something
 * that does not exist: the same code, the same message, and the same work (one lookup, then the
 * check in memory: no extra query for either case).
 */
import { notFound } from '../../platform/errors';
import { requireIdentity } from './auth';
import type { Identity } from '../../platform/identity';

/** The one answer for "no such `what`" and "a `what` you may not see". */
export function notVisible(what: string, id: string) {
  return notFound(`there is no ${what} ${id}`);
}

type CanSee<T> = (identity: Identity, row: T) => boolean | Promise<boolean>;

/**
 * The row the caller may see, or `notVisible` when it is missing or not theirs. Use it for every
 * by-id field and every id a mutation takes; `loader` is the request's DataLoader (or any `load`).
 */
export async function loadVisible<T>(
  identity: Identity | null,
  loader: { load(id: string): Promise<T | null | undefined> },
  id: string,
  canSee: CanSee<T>,
  what: string,
): Promise<T> {
  const who = requireIdentity(identity);
  const row = await loader.load(id);
  return requireVisible(who, row, id, canSee, what);
}

/** As `loadVisible`, for a row already read (inside a transaction, after a conditional write matched nothing). */
export async function requireVisible<T>(identity: Identity | null, row: T | null | undefined, id: string, canSee: CanSee<T>, what: string): Promise<T> {
  const who = requireIdentity(identity);
  if (row === null || row === undefined || !(await canSee(who, row))) throw notVisible(what, id);
  return row;
}
