/**
 * What every orders table reader shares: the raw row type, time columns read as `Date`, and answering
 * a batch of keys from one statement's rows (so a loader's batch costs one statement).
 */
export type Row = Record<string, unknown>;
export const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
export const maybeDate = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

/** Answers `keys` in order from rows keyed by `keyOf` (null where there is no row). */
export function byKey<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): (T | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

/** Groups rows under `keys` in order (an empty list where there are none). */
export function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const map = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const r of rows) map.get(keyOf(r))?.push(r);
  return keys.map((k) => map.get(k) ?? []);
}
