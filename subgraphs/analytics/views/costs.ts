/**
 * Cost of ownership: each delivered vehicle's spending by month of ownership and category (kept per
 * vehicle at every refresh), and the averages by model, trim and battery option (from the group sums and
 * cohort counts kept beside them). Neither view reads the events.
 */
import { badInput } from '../../../platform/errors';
import type { Queryable } from '../../../platform/db';
import { fenFromDb, money } from '../../../platform/money';
import { BULK_MAX_FIRST, DEFAULT_FIRST, readPage, toConnection, type PageArgs } from '../../kit/pagination';
import { readPartition, type PartitionArg } from '../access';
import { storeAsOf } from '../store';
import { averageFen, monthAfter, monthsSince, vehicleFilterParams, vehicleFilterSql, type VehicleFilterArg } from './vehicles';

const byCategory = (m: Map<string, bigint>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([category, fen]) => ({ category, amount: money(fen) }));
const sum = (values: Iterable<bigint>) => [...values].reduce((a, b) => a + b, 0n);

export async function analystOwnershipCosts(q: Queryable, args: PageArgs & { filter?: VehicleFilterArg | null; partition?: PartitionArg | null }) {
  const { limit, after } = readPage(args, ['text'], DEFAULT_FIRST, BULK_MAX_FIRST);
  const partition = readPartition(args.partition);
  const [asOf, vehicles] = await Promise.all([
    storeAsOf(q),
    q.query<{ vin: string; pseudonym: string; model_id: string; trim_id: string; battery_option: string; delivered_at: Date; cohort: Date }>(
      `SELECT v.vin, u.pseudonym, v.model_id, v.trim_id, v.battery_option, v.delivered_at, v.cohort
         FROM analytics.vehicles v JOIN analytics.users u ON u.user_id = v.user_id
        WHERE ${vehicleFilterSql(1, 'v', 'delivered_at')}
          AND ($6::bigint IS NULL OR v.part % $6::bigint = $7::bigint)
          AND v.vin COLLATE "C" > $8::text
        ORDER BY v.vin COLLATE "C"
        LIMIT $9`,
      [...vehicleFilterParams(args.filter), partition?.count ?? null, partition?.index ?? 0, after?.[0] ?? '', limit + 1],
    ),
  ]);
  const page = vehicles.slice(0, limit);
  const costs = await q.query<{ vin: string; month_index: number; category: string; amount_fen: string }>(
    `SELECT vin, month_index, category, amount_fen::text AS amount_fen FROM analytics.vehicle_month_costs WHERE vin = ANY($1::text[]) ORDER BY vin, month_index, category`,
    [page.map((v) => v.vin)],
  );
  const monthsOf = new Map<string, Map<number, Map<string, bigint>>>();
  for (const c of costs) {
    const months = monthsOf.get(c.vin) ?? new Map<number, Map<string, bigint>>();
    const cats = months.get(c.month_index) ?? new Map<string, bigint>();
    cats.set(c.category, fenFromDb(c.amount_fen));
    months.set(c.month_index, cats);
    monthsOf.set(c.vin, months);
  }
  const nodes = vehicles.map((v) => {
    const months = [...(monthsOf.get(v.vin) ?? new Map<number, Map<string, bigint>>()).entries()].sort(([a], [b]) => a - b);
    return {
      vin: v.vin,
      userId: v.pseudonym,
      modelId: v.model_id,
      trimId: v.trim_id,
      batteryOption: v.battery_option,
      deliveredAt: new Date(v.delivered_at),
      total: money(sum(months.flatMap(([, cats]) => [...cats.values()]))),
      months: months.map(([k, cats]) => ({ monthIndex: k, month: monthAfter(v.cohort, k), total: money(sum(cats.values())), byCategory: byCategory(cats) })),
    };
  });
  return { asOf, ...toConnection(nodes, limit, (n) => [n.vin]) };
}

const MAX_MONTHS = 120;

export function readMonths(months: number | null | undefined): number {
  const m = months ?? 24;
  if (!Number.isInteger(m) || m < 1 || m > MAX_MONTHS) throw badInput(`\`months\` must be from 1 to ${MAX_MONTHS}`, 'months');
  return m;
}

export async function analystOwnershipCostAverages(q: Queryable, args: { filter?: VehicleFilterArg | null; months?: number | null }) {
  const months = readMonths(args.months);
  const params = vehicleFilterParams(args.filter);
  const [asOf, cohorts, sums] = await Promise.all([
    storeAsOf(q),
    q.query<{ model_id: string; trim_id: string; battery_option: string; cohort: Date; vehicles: number }>(
      `SELECT model_id, trim_id, battery_option, cohort, vehicles FROM analytics.cohort_vehicles c WHERE vehicles > 0 AND ${vehicleFilterSql(1, 'c', 'cohort', true)}`,
      params,
    ),
    q.query<{ model_id: string; trim_id: string; battery_option: string; cohort: Date; month_index: number; category: string; amount_fen: string }>(
      `SELECT model_id, trim_id, battery_option, cohort, month_index, category, amount_fen::text AS amount_fen
         FROM analytics.group_month_costs c WHERE amount_fen <> 0 AND ${vehicleFilterSql(1, 'c', 'cohort', true)}`,
      params,
    ),
  ]);
  const now = asOf ?? new Date();
  const key = (r: { model_id: string; trim_id: string; battery_option: string }) => [r.model_id, r.trim_id, r.battery_option].join('\u0000');
  interface Group {
    modelId: string;
    trimId: string;
    batteryOption: string;
    cohorts: Array<{ age: number; vehicles: number }>;
    sums: Map<number, Map<string, bigint>>;
    total: bigint;
  }
  const groups = new Map<string, Group>();
  for (const c of cohorts) {
    const g: Group = groups.get(key(c)) ?? { modelId: c.model_id, trimId: c.trim_id, batteryOption: c.battery_option, cohorts: [], sums: new Map(), total: 0n };
    g.cohorts.push({ age: monthsSince(c.cohort, now), vehicles: c.vehicles });
    groups.set(key(c), g);
  }
  for (const s of sums) {
    const g = groups.get(key(s));
    if (!g) continue;
    const fen = fenFromDb(s.amount_fen);
    g.total += fen;
    if (s.month_index >= months) continue;
    const cats = g.sums.get(s.month_index) ?? new Map<string, bigint>();
    cats.set(s.category, (cats.get(s.category) ?? 0n) + fen);
    g.sums.set(s.month_index, cats);
  }
  const rows = [...groups.values()].sort((a, b) => (key({ model_id: a.modelId, trim_id: a.trimId, battery_option: a.batteryOption }) < key({ model_id: b.modelId, trim_id: b.trimId, battery_option: b.batteryOption }) ? -1 : 1));
  return {
    asOf,
    groups: rows.map((g) => {
      const reached = (k: number) => g.cohorts.filter((c) => c.age >= k).reduce((a, c) => a + c.vehicles, 0);
      const oldest = Math.min(months - 1, Math.max(...g.cohorts.map((c) => c.age)));
      const list = [];
      for (let k = 0; k <= oldest; k++) {
        const vehicles = reached(k);
        const cats = g.sums.get(k) ?? new Map<string, bigint>();
        const total = sum(cats.values());
        list.push({
          monthIndex: k,
          vehicles,
          total: money(total),
          average: money(averageFen(total, vehicles)),
          byCategory: [...cats.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([category, fen]) => ({ category, total: money(fen), average: money(averageFen(fen, vehicles)) })),
        });
      }
      return { modelId: g.modelId, trimId: g.trimId, batteryOption: g.batteryOption, vehicles: g.cohorts.reduce((a, c) => a + c.vehicles, 0), total: money(g.total), months: list };
    }),
  };
}
