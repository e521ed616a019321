/**
 * Per-parent pages in one statement: the next page of a list (a user's orders, a vehicle's swaps, …)
 * for every parent a request asks about, by keyset, newest first. A LATERAL join over the parents'
 * keys makes each parent's page an index-ordered scan of at most `limit` rows, so a list of N parents
 * costs one query, not N, and never reads a whole history. `pageLoader` (loaders.ts) batches into it.
 */
import type { Queryable } from '../../platform/db';
import type { TimeKey } from './pagination';

type Row = Record<string, unknown>;

/** The sort key of the last row seen: a time or a text, then the tie-breaker id (as `readPage` decodes it). */
export type SortAfter = readonly [Date | string, string];

/** How one kind of per-parent page is read: rows of `table` (aliased `x`) whose `parentCols` equal a parent's key. */
export interface ParentPageSpec<R> {
  table: string;
  /** What to select, e.g. `'x.*'` or `'x.id, x.vin, …'`. */
  cols: string;
  parentCols: readonly string[];
  /** The sort column (newest first) and its SQL type. */
  sortCol: string;
  sortType: 'timestamptz' | 'text';
  /** The unique tie-breaker; `x.id` unless said otherwise. */
  idCol?: string;
  map: (r: Row) => R;
}

const isTimeKey = (after: SortAfter | TimeKey): after is TimeKey => !Array.isArray(after);

/**
 * At most `limit` rows for each parent key after `after`, newest first, in one statement. A parent is
 * its key columns' values (or the one value of a one-column key). Returns each parent's rows, in the
 * order of `parents`.
 */
export async function pagesByParent<R>(
  q: Queryable,
  spec: ParentPageSpec<R>,
  parents: readonly (string | readonly string[])[],
  after: SortAfter | TimeKey | null,
  limit: number,
): Promise<R[][]> {
  const n = spec.parentCols.length;
  const id = spec.idCol ?? 'x.id';
  const keys = parents.map((p) => (typeof p === 'string' ? [p] : p));
  const keyArrays = spec.parentCols.map((_, i) => keys.map((k) => k[i]));
  const key = after === null ? null : isTimeKey(after) ? [after.at, after.id] : after;
  const rows = await q.query<Row>(
    `SELECT k.ord::int AS parent_ord, t.*
       FROM unnest(${keyArrays.map((_, i) => `$${i + 1}::text[]`).join(', ')}) WITH ORDINALITY AS k(${spec.parentCols.map((_, i) => `p${i}`).join(', ')}, ord)
      CROSS JOIN LATERAL (
        SELECT ${spec.cols}, ${spec.sortCol} AS sort_key, ${id} AS tie_key
          FROM ${spec.table} x
         WHERE ${spec.parentCols.map((c, i) => `${c} = k.p${i}`).join(' AND ')}
           AND ($${n + 1}::${spec.sortType} IS NULL OR (${spec.sortCol}, ${id}) < ($${n + 1}::${spec.sortType}, $${n + 2}::text))
         ORDER BY ${spec.sortCol} DESC, ${id} DESC
         LIMIT $${n + 3}
      ) t
      ORDER BY parent_ord, t.sort_key DESC, t.tie_key DESC`,
    [...keyArrays, key ? key[0] : null, key ? key[1] : '', limit],
  );
  const out: R[][] = parents.map(() => []);
  for (const r of rows) out[Number(r.parent_ord) - 1].push(spec.map(r));
  return out;
}
