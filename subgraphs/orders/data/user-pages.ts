/**
 * Per-user lists (orders, vehicles, test drives, trade-ins of a user), newest first: one statement
 * serves every page a request asks for, each with its own cursor and limit.
 */
import type { Queryable } from '../../kit/db';
import type { Row } from './rows';

/** One page request of a per-user list: whose, how many rows (page size + 1), and after which sort key. */
export interface UserPageKey {
  userId: string;
  limit: number;
  /** The sort key of the last row of the previous page: [ISO time, id]. */
  after: [string, string] | null;
}

/** A per-user list: its table, time column (newest first) and unique tie-breaker column. */
export interface UserList<T> {
  table: string;
  userColumn: string;
  timeColumn: string;
  idColumn: string;
  map: (r: Row) => T;
}

/**
 * Pages of one list for many users in one statement: a LATERAL subquery per requested page, each with
 * its own cursor and limit, newest first.
 */
export async function userPages<T>(q: Queryable, list: UserList<T>, keys: readonly UserPageKey[]): Promise<T[][]> {
  const { table, userColumn: u, timeColumn: t, idColumn: id } = list;
  const rows = await q.query<Row>(
    `SELECT k.ord AS page_ord, x.*
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::int[]) WITH ORDINALITY AS k(user_id, after_at, after_id, lim, ord)
       CROSS JOIN LATERAL (
         SELECT r.* FROM ${table} r
          WHERE r.${u} = k.user_id AND (k.after_at IS NULL OR (r.${t}, r.${id}) < (k.after_at, k.after_id))
          ORDER BY r.${t} DESC, r.${id} DESC
          LIMIT k.lim
       ) x
      ORDER BY k.ord, x.${t} DESC, x.${id} DESC`,
    [keys.map((k) => k.userId), keys.map((k) => k.after?.[0] ?? null), keys.map((k) => k.after?.[1] ?? null), keys.map((k) => k.limit)],
  );
  const pages: T[][] = keys.map(() => []);
  for (const r of rows) pages[Number(r.page_ord) - 1].push(list.map(r));
  return pages;
}
