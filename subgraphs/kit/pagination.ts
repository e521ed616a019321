/**
 * Cursor connections, one way: keyset pagination over a sort key (e.g. `[created_at, id]`), an
 * opaque base64url cursor, `first` between 1 and 100. Fetch `limit + 1` rows to learn `hasNextPage`.
 */
import { badInput } from '../../platform/errors';

export const MAX_FIRST = 100;
export const DEFAULT_FIRST = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** Validates `first`/`after`; returns the page size and the decoded sort key to continue after (or null). */
export function readPageArgs(args: PageArgs, defaultFirst = DEFAULT_FIRST): { limit: number; after: unknown[] | null } {
  const first = args.first ?? defaultFirst;
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) throw badInput(`\`first\` must be between 1 and ${MAX_FIRST}`, 'first');
  if (args.after === undefined || args.after === null || args.after === '') return { limit: first, after: null };
  try {
    const key = JSON.parse(Buffer.from(args.after, 'base64url').toString('utf8'));
    if (!Array.isArray(key) || key.length === 0 || key.length > 4) throw new Error();
    return { limit: first, after: key };
  } catch {
    throw badInput('`after` is not a cursor returned by this field', 'after');
  }
}

export function encodeKey(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key.map((v) => (v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v)))).toString('base64url');
}

/** Builds a connection from up to `limit + 1` rows already in order. */
export function toConnection<T>(rows: readonly T[], limit: number, keyOf: (row: T) => unknown[]) {
  const page = rows.slice(0, limit);
  return {
    edges: page.map((node) => ({ cursor: encodeKey(keyOf(node)), node })),
    pageInfo: { hasNextPage: rows.length > limit, endCursor: page.length ? encodeKey(keyOf(page[page.length - 1])) : null },
  };
}
