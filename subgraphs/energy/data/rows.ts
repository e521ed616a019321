/**
 * What every energy SQL file shares: the raw row, date mapping, and per-parent pages read in one
 * statement (a LATERAL join over the parents' keys, each parent's next page by keyset, newest first),
 * so loaders answer a list of N parents with one query, not N.
 */
import type { Queryable } from '../../kit/db';

export type Raw = Record<string, unknown>;
export const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

/** The sort key of the last row seen (a time or a text, then the id), as `readPage` decodes it. */
export type SortAfter = readonly [Date | string, string];

/**
 * How one kind of per-parent page is read: rows of `table` whose `parentCols` equal a parent's key,
 * newest first by `sortCol` then id.
 */
interface ParentPageSpec<R> {
  table: string;
  cols: string;
  parentCols: string[];
  sortCol: string;
  sortType: 'timestamptz' | 'text';
  map: (r: Raw) => R;
}

/**
 * At most `limit` rows for each parent key after `after`, newest first — one statement for all
 * parents (a LATERAL join over the unnested keys), so a list of N vehicles costs one query, not N.
 * Returns the rows of each parent in the order of `parents`.
 */
export async function pagesByParent<R>(q: Queryable, spec: ParentPageSpec<R>, parents: readonly (readonly string[])[], after: SortAfter | null, limit: number): Promise<R[][]> {
  const n = spec.parentCols.length;
  const keyArrays = spec.parentCols.map((_, i) => parents.map((p) => p[i]));
  const keyNames = spec.parentCols.map((_, i) => `p${i}`);
  const rows = await q.query<Raw>(
    `SELECT k.ord::int AS parent_ord, t.*
       FROM unnest(${keyArrays.map((_, i) => `$${i + 1}::text[]`).join(', ')}) WITH ORDINALITY AS k(${keyNames.join(', ')}, ord)
      CROSS JOIN LATERAL (
        SELECT ${spec.cols}, ${spec.sortCol} AS sort_key
          FROM ${spec.table} x
         WHERE ${spec.parentCols.map((c, i) => `${c} = k.p${i}`).join(' AND ')}
           AND ($${n + 1}::${spec.sortType} IS NULL OR (${spec.sortCol}, x.id) < ($${n + 1}::${spec.sortType}, $${n + 2}::text))
         ORDER BY ${spec.sortCol} DESC, x.id DESC
         LIMIT $${n + 3}
      ) t
      ORDER BY parent_ord, t.sort_key DESC, t.id DESC`,
    [...keyArrays, after ? after[0] : null, after ? after[1] : '', limit],
  );
  const out: R[][] = parents.map(() => []);
  for (const r of rows) out[Number(r.parent_ord) - 1].push(spec.map(r));
  return out;
}
