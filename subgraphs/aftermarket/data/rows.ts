/** What every aftermarket SQL file shares: the raw row, date mapping, and recognising a unique violation by its constraint. */

export type Row = Record<string, unknown>;
export const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
export const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  return e?.code === '23505' && (e.constraint === constraint || String(e.message ?? '').includes(constraint));
}
