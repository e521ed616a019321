/**
 * Cursor connections, one way for every list of the graph (the spending report's merged pages too):
 * keyset pagination over a sort key (e.g. `[created_at, id]`), an opaque base64url cursor holding that
 * key, `first` between 1 and 100 (up to 1,000 on the analyst views a bulk export pulls). Read `limit + 1`
 * rows to learn `hasNextPage`.
 */
import { badInput } from '../../platform/errors';
import { parseIsoDateTime } from '../../platform/scalars';

export const MAX_FIRST = 100;
export const DEFAULT_FIRST = 20;
/**
 * The largest page of a view built for bulk export (the analyst views): a page costs one request of the
 * caller's rate limit and one round through the gateway, so at 100 rows an export of millions of rows
 * spends its time and its budget on requests, not rows. Its cost (`@listSize` on `first`) still counts.
 */
export const BULK_MAX_FIRST = 1000;
/** Longest text part of a cursor: every name and id a list sorts by is shorter. */
const MAX_KEY_TEXT_CHARS = 200;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** What one part of a sort key is: a time (a `Date` inside, ISO-8601 in the cursor) or a text (a name, an id). */
export type KeyPart = 'time' | 'text';
/** The decoded sort key of a list whose key parts are `P`, e.g. `['time', 'text']` → `[Date, string]`. */
export type SortKey<P extends readonly KeyPart[]> = { -readonly [I in keyof P]: P[I] extends 'time' ? Date : string };

/** A page request, checked: how many rows the page shows, and the sort key to continue after (null: from the start). */
export interface Page<K> {
  limit: number;
  after: K | null;
}

/** The sort key of a list ordered by time, then id (the tie-breaker) — most lists of the graph. */
export interface TimeKey {
  at: Date;
  id: string;
}

/** The refusal of a cursor this list did not hand out (for a list that checks more of its key than its parts). */
export const badCursor = () => badInput('`after` is not a cursor returned by this field', 'after');

/** Checks `first` (default `defaultFirst`): a whole number from 1 to `maxFirst` (MAX_FIRST unless the list says). */
export function readPageSize(first: number | null | undefined, defaultFirst = DEFAULT_FIRST, maxFirst = MAX_FIRST): number {
  const size = first ?? defaultFirst;
  if (!Number.isInteger(size) || size < 1 || size > maxFirst) throw badInput(`\`first\` must be between 1 and ${maxFirst}`, 'first');
  return size;
}

/**
 * Checks `first`/`after` of a list sorted by a key of the parts `parts`; a cursor that does not decode
 * to exactly such a key (another list's, or made up) is refused before any SQL runs.
 */
export function readPage<const P extends readonly KeyPart[]>(args: PageArgs, parts: P, defaultFirst = DEFAULT_FIRST, maxFirst = MAX_FIRST): Page<SortKey<P>> {
  const limit = readPageSize(args.first, defaultFirst, maxFirst);
  if (args.after === undefined || args.after === null || args.after === '') return { limit, after: null };
  return { limit, after: decodeKey(args.after, parts) };
}

/** `readPage` of a list ordered by (time, id). */
export function readTimePage(args: PageArgs, defaultFirst = DEFAULT_FIRST, maxFirst = MAX_FIRST): Page<TimeKey> {
  const { limit, after } = readPage(args, ['time', 'text'], defaultFirst, maxFirst);
  return { limit, after: after && { at: after[0], id: after[1] } };
}

function decodeKey<P extends readonly KeyPart[]>(cursor: string, parts: P): SortKey<P> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(key) || key.length !== parts.length) throw badCursor();
  return parts.map((part, i) => {
    const value: unknown = key[i];
    // No NUL: PostgreSQL text cannot hold one, so it could only fail the query.
    if (typeof value !== 'string' || value.includes('\u0000') || [...value].length > MAX_KEY_TEXT_CHARS) throw badCursor();
    if (part === 'text') return value;
    try {
      return parseIsoDateTime(value);
    } catch {
      throw badCursor();
    }
  }) as SortKey<P>;
}

/** The cursor of a row whose sort key is `key` (times as ISO-8601, bigints as decimal text). */
export function encodeKey(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key.map((v) => (v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v)))).toString('base64url');
}

/** Builds a connection from up to `limit + 1` rows already in order. */
export function toConnection<T>(rows: readonly T[], limit: number, keyOf: (row: T) => readonly unknown[]) {
  const page = rows.slice(0, limit);
  return {
    edges: page.map((node) => ({ cursor: encodeKey(keyOf(node)), node })),
    pageInfo: { hasNextPage: rows.length > limit, endCursor: page.length ? encodeKey(keyOf(page[page.length - 1])) : null },
  };
}
