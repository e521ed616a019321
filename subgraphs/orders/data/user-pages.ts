/**
 * Per-user lists (orders, vehicles, test drives, trade-ins of a user), newest first: one statement
 * reads the same page of every user a request asks for.
 */
import type { Queryable } from '../../kit/db';
import type { TimeKey } from '../../kit/pagination';
import type { Row } from './rows';

/** A per-user list: its table, time column (newest first) and unique tie-breaker column. */
export interface UserList<T> {
  table: string;
  userColumn: string;
  timeColumn: string;
  idColumn: string;
  map: (r: Row) => T;
}

/**
 * Up to `limit` rows of one list for each user after `after` (a LATERAL subquery per user, each an
 * index-ordered scan), newest first; one list per user, in their order.
 */
export async function userPages<T>(q: Queryable, list: UserList<T>, userIds: readonly string[], after: TimeKey | null, limit: number): Promise<T[][]> {
  const { table, userColumn: u, timeColumn: t, idColumn: id } = list;
  const rows = await q.query<Row>(
    `SELECT k.ord AS page_ord, x.*
       FROM unnest($1::text[]) WITH ORDINALITY AS k(user_id, ord)
       CROSS JOIN LATERAL (
         SELECT r.* FROM ${table} r
          WHERE r.${u} = k.user_id AND ($2::timestamptz IS NULL OR (r.${t}, r.${id}) < ($2::timestamptz, $3::text))
          ORDER BY r.${t} DESC, r.${id} DESC
          LIMIT $4
       ) x
      ORDER BY k.ord, x.${t} DESC, x.${id} DESC`,
    [userIds, after?.at ?? null, after?.id ?? null, limit],
  );
  const pages: T[][] = userIds.map(() => []);
  for (const r of rows) pages[Number(r.page_ord) - 1].push(list.map(r));
  return pages;
}
