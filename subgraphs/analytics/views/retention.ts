/**
 * Retention by delivery-month cohort, from the cohort counts the store keeps (`cohort_vehicles`,
 * `cohort_active`): no vehicle or event is read.
 */
import type { Queryable } from '../../../platform/db';
import { readPeriod } from '../access';
import { storeAsOf } from '../store';
import { readMonths } from './costs';
import { monthAfter, monthsSince } from './vehicles';

export async function analystRetention(q: Queryable, args: { fromCohort?: Date | string | null; toCohort?: Date | string | null; months?: number | null }) {
  const months = readMonths(args.months);
  const period = readPeriod(args.fromCohort, args.toCohort);
  const bounds = `($1::timestamptz IS NULL OR cohort >= date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC')::date)
              AND ($2::timestamptz IS NULL OR cohort < date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC')::date)`;
  const [asOf, sizes, active] = await Promise.all([
    storeAsOf(q),
    q.query<{ cohort: Date; vehicles: string }>(`SELECT cohort, sum(vehicles)::text AS vehicles FROM analytics.cohort_vehicles WHERE ${bounds} GROUP BY cohort HAVING sum(vehicles) > 0 ORDER BY cohort`, [period.from, period.to]),
    q.query<{ cohort: Date; month_index: number; vehicles: number }>(`SELECT cohort, month_index, vehicles FROM analytics.cohort_active WHERE ${bounds} AND month_index < $3`, [period.from, period.to, months]),
  ]);
  const now = asOf ?? new Date();
  const activeOf = new Map(active.map((a) => [`${monthAfter(a.cohort, 0)}/${a.month_index}`, a.vehicles]));
  return {
    asOf,
    cohorts: sizes.map((c) => {
      const vehicles = Number(c.vehicles);
      const cohort = monthAfter(c.cohort, 0);
      const last = Math.min(months - 1, monthsSince(c.cohort, now));
      const list = [];
      for (let k = 0; k <= last; k++) {
        const n = activeOf.get(`${cohort}/${k}`) ?? 0;
        list.push({ monthIndex: k, activeVehicles: n, share: n / vehicles });
      }
      return { cohort, vehicles, months: list };
    }),
  };
}
