/** What every orders table reader shares: the raw row type and time columns read as `Date`. */
export type Row = Record<string, unknown>;
export const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
export const maybeDate = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
