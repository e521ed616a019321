/**
 * What every aftermarket SQL file shares: the raw row, date mapping, grouping rows by parent, the
 * keyset position of time-ordered lists, and recognising a unique violation by its constraint.
 */

/** A keyset position in a list ordered by (time DESC, id DESC). */
export interface TimeKey {
  at: Date;
  id: string;
}

export type Row = Record<string, unknown>;
export const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
export const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

/** Groups rows by a key, keeping their order. */
export function groupBy<T>(rows: T[], keyOf: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = out.get(key);
    if (list) list.push(row);
    else out.set(key, [row]);
  }
  return out;
}

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  return e?.code === '23505' && (e.constraint === constraint || String(e.message ?? '').includes(constraint));
}
