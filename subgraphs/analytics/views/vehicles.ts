/** The filter of the vehicle views (cost of ownership, its averages), as SQL over `analytics.vehicles`-shaped rows. */
import { readList, readPeriod } from '../access';

export interface VehicleFilterArg {
  modelIds?: string[] | null;
  trimIds?: string[] | null;
  batteryOptions?: string[] | null;
  deliveredFrom?: Date | string | null;
  deliveredTo?: Date | string | null;
}

/** The checked filter as five parameters, in the order `vehicleFilterSql` numbers them from `first`. */
export function vehicleFilterParams(f: VehicleFilterArg | null | undefined): unknown[] {
  const period = readPeriod(f?.deliveredFrom, f?.deliveredTo);
  return [readList(f?.modelIds, 'filter.modelIds'), readList(f?.trimIds, 'filter.trimIds'), f?.batteryOptions ?? null, period.from, period.to];
}

/**
 * The conditions of a filter on columns `model_id`, `trim_id`, `battery_option` and `column` (the
 * delivery moment, or the cohort month for the precomputed aggregates, compared by month).
 */
export function vehicleFilterSql(first: number, alias: string, column: string, byMonth = false): string {
  const p = (i: number) => `$${first + i}`;
  const bound = (i: number) => (byMonth ? `date_trunc('month', ${p(i)}::timestamptz AT TIME ZONE 'UTC')::date` : `${p(i)}::timestamptz`);
  return `(${p(0)}::text[] IS NULL OR ${alias}.model_id = ANY(${p(0)}::text[]))
      AND (${p(1)}::text[] IS NULL OR ${alias}.trim_id = ANY(${p(1)}::text[]))
      AND (${p(2)}::text[] IS NULL OR ${alias}.battery_option = ANY(${p(2)}::text[]))
      AND (${p(3)}::timestamptz IS NULL OR ${alias}.${column} >= ${bound(3)})
      AND (${p(4)}::timestamptz IS NULL OR ${alias}.${column} < ${bound(4)})`;
}

/** `YYYY-MM` of the month `k` months after `cohort` (a date, the first of its month). */
export function monthAfter(cohort: Date | string, k: number): string {
  const c = new Date(cohort);
  const d = new Date(Date.UTC(c.getUTCFullYear(), c.getUTCMonth() + k, 1));
  return d.toISOString().slice(0, 7);
}

/** Calendar months from `cohort`'s month to `at`'s (UTC). */
export function monthsSince(cohort: Date | string, at: Date): number {
  const c = new Date(cohort);
  return (at.getUTCFullYear() - c.getUTCFullYear()) * 12 + at.getUTCMonth() - c.getUTCMonth();
}

/** `total ÷ count` rounded half away from zero to the fen. */
export function averageFen(total: bigint, count: number): bigint {
  if (count <= 0) return 0n;
  const n = BigInt(count);
  const q = total / n;
  const r = total % n;
  const twice = (r < 0n ? -r : r) * 2n;
  return twice >= n ? q + (total < 0n ? -1n : 1n) : q;
}
