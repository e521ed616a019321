/**
 * Writing the analytics store: everything it holds of a batch of people is replaced in one transaction
 * (their events from every contributor, their orders and vehicles, their vehicles' monthly costs and
 * active months), and the aggregates are adjusted by what changed — the old rows' counts and sums taken
 * off, the new ones' added — so no refresh re-reads anyone else.
 */
import { createHash } from 'node:crypto';
import type { Db, Queryable, TxQueryable } from '../../platform/db';
import { pseudonym } from '../kit/auth';
import { bulkInsert } from '../kit/bulk';
import { parseDecimalToFen } from '../../platform/money';
import type { LifecycleFeedEvent } from '../kit/lifecycle-feed';

export interface TrimFacts {
  trimId: string;
  modelId: string;
  batteryOption: 'OWNED' | 'RENTAL';
  rangeKm: number | null;
}

/** What orders hands on about one person (`<name>AnalystFactsOf`). */
export interface UserFacts {
  userId: string;
  city: string | null;
  orders: Array<{ id: string; trimId: string; colourId: string | null; packageId: string | null; batteryRental: boolean; status: string; total: string; placedAt: string; vin: string | null; deliveredAt: string | null }>;
}

/** A stable non-negative 63-bit hash of a row's key: partitions are `part % count = index`. */
export function partOf(key: string): bigint {
  return createHash('sha256').update(key).digest().readBigUInt64BE(0) & 0x7fffffffffffffffn;
}

export async function knownTrims(q: Queryable): Promise<Map<string, TrimFacts>> {
  const rows = await q.query<{ trim_id: string; model_id: string; battery_option: 'OWNED' | 'RENTAL'; range_km: number | null }>('SELECT trim_id, model_id, battery_option, range_km FROM analytics.trims');
  return new Map(rows.map((r) => [r.trim_id, { trimId: r.trim_id, modelId: r.model_id, batteryOption: r.battery_option, rangeKm: r.range_km }]));
}

/** The cohorts, group sums and counts of these vehicles, taken off (`sign` −1) or added (+1). */
async function adjustAggregates(q: Queryable, vins: readonly string[], sign: 1 | -1): Promise<void> {
  if (vins.length === 0) return;
  await q.query(
    `INSERT INTO analytics.cohort_vehicles AS c (cohort, model_id, trim_id, battery_option, vehicles)
       SELECT cohort, model_id, trim_id, battery_option, $2::int * count(*) FROM analytics.vehicles WHERE vin = ANY($1::text[]) GROUP BY 1, 2, 3, 4
     ON CONFLICT (cohort, model_id, trim_id, battery_option) DO UPDATE SET vehicles = c.vehicles + excluded.vehicles`,
    [vins, sign],
  );
  await q.query(
    `INSERT INTO analytics.cohort_active AS c (cohort, month_index, vehicles)
       SELECT v.cohort, a.month_index, $2::int * count(*) FROM analytics.vehicle_active_months a JOIN analytics.vehicles v ON v.vin = a.vin
        WHERE a.vin = ANY($1::text[]) GROUP BY 1, 2
     ON CONFLICT (cohort, month_index) DO UPDATE SET vehicles = c.vehicles + excluded.vehicles`,
    [vins, sign],
  );
  await q.query(
    `INSERT INTO analytics.group_month_costs AS c (model_id, trim_id, battery_option, cohort, month_index, category, amount_fen)
       SELECT v.model_id, v.trim_id, v.battery_option, v.cohort, m.month_index, m.category, $2::bigint * sum(m.amount_fen)
         FROM analytics.vehicle_month_costs m JOIN analytics.vehicles v ON v.vin = m.vin
        WHERE m.vin = ANY($1::text[]) GROUP BY 1, 2, 3, 4, 5, 6
     ON CONFLICT (model_id, trim_id, battery_option, cohort, month_index, category) DO UPDATE SET amount_fen = c.amount_fen + excluded.amount_fen`,
    [vins, sign],
  );
}

/**
 * Replaces everything the store holds of `userIds` with what the contributors and orders answered for
 * them now (one transaction): a person missing from every answer simply has nothing left.
 */
export async function replaceUsers(db: Db, userIds: readonly string[], people: readonly UserFacts[], perSource: ReadonlyArray<{ source: string; events: readonly LifecycleFeedEvent[] }>, trims: ReadonlyMap<string, TrimFacts>): Promise<void> {
  const facts = new Map(people.map((p) => [p.userId, p]));
  await db.tx(async (q) => {
    const old = (await q.query<{ vin: string }>('SELECT vin FROM analytics.vehicles WHERE user_id = ANY($1::text[])', [userIds])).map((r) => r.vin);
    await adjustAggregates(q, old, -1);
    await q.query('DELETE FROM analytics.vehicle_month_costs WHERE vin = ANY($1::text[])', [old]);
    await q.query('DELETE FROM analytics.vehicle_active_months WHERE vin = ANY($1::text[])', [old]);
    for (const table of ['vehicles', 'events', 'orders', 'users']) await q.query(`DELETE FROM analytics.${table} WHERE user_id = ANY($1::text[])`, [userIds]);

    await insertPeople(q, userIds, facts, trims);
    await insertEvents(q, perSource, facts, trims);
    const fresh = (await q.query<{ vin: string }>('SELECT vin FROM analytics.vehicles WHERE user_id = ANY($1::text[])', [userIds])).map((r) => r.vin);
    await deriveVehicleMonths(q, fresh);
    await adjustAggregates(q, fresh, 1);
  });
}

async function insertPeople(q: TxQueryable, userIds: readonly string[], facts: ReadonlyMap<string, UserFacts>, trims: ReadonlyMap<string, TrimFacts>): Promise<void> {
  const users = userIds.map((id) => [id, pseudonym(id), facts.get(id)?.city ?? null]);
  await bulkInsert(q, 'analytics.users', [['user_id', 'text'], ['pseudonym', 'text'], ['city', 'text']], users);
  const orders = [...facts.values()].flatMap((p) => p.orders.map((o) => [o.id, p.userId, o.trimId, o.colourId, o.packageId, o.batteryRental, o.status, parseDecimalToFen(o.total), new Date(o.placedAt), o.vin, o.deliveredAt ? new Date(o.deliveredAt) : null]));
  await bulkInsert(
    q,
    'analytics.orders',
    [['order_id', 'text'], ['user_id', 'text'], ['trim_id', 'text'], ['colour_id', 'text'], ['package_id', 'text'], ['battery_rental', 'boolean'], ['status', 'text'], ['total_fen', 'bigint'], ['placed_at', 'timestamptz'], ['vin', 'text'], ['delivered_at', 'timestamptz']],
    orders,
  );
  const vehicles = [...facts.values()].flatMap((p) =>
    p.orders
      .filter((o) => o.vin && o.deliveredAt)
      .map((o) => {
        const delivered = new Date(o.deliveredAt!);
        const cohort = new Date(Date.UTC(delivered.getUTCFullYear(), delivered.getUTCMonth(), 1));
        return [o.vin, p.userId, o.id, delivered, cohort.toISOString().slice(0, 10), trims.get(o.trimId)?.modelId ?? 'unknown', o.trimId, o.batteryRental ? 'RENTAL' : 'OWNED', partOf(o.vin!)];
      }),
  );
  await bulkInsert(
    q,
    'analytics.vehicles',
    [['vin', 'text'], ['user_id', 'text'], ['order_id', 'text'], ['delivered_at', 'timestamptz'], ['cohort', 'date'], ['model_id', 'text'], ['trim_id', 'text'], ['battery_option', 'text'], ['part', 'bigint']],
    vehicles,
  );
}

/** Each event with what the views filter by: its vehicle's order (its own, or its VIN's), model, trim, the person's pseudonym and city. */
async function insertEvents(q: TxQueryable, perSource: ReadonlyArray<{ source: string; events: readonly LifecycleFeedEvent[] }>, facts: ReadonlyMap<string, UserFacts>, trims: ReadonlyMap<string, TrimFacts>): Promise<void> {
  const rows: unknown[][] = [];
  for (const { source, events } of perSource) {
    for (const e of events) {
      const mine = facts.get(e.userId)?.orders ?? [];
      const order = mine.find((o) => o.id === e.orderId) ?? (e.vin ? mine.find((o) => o.vin === e.vin) : undefined);
      rows.push([
        e.id, source, e.userId, pseudonym(e.userId), e.vin, e.orderId, e.occurredAt, e.stage, e.kind, e.amount, e.category, e.subjectType, e.subjectId,
        order?.id ?? null, order ? trims.get(order.trimId)?.modelId ?? null : null, order?.trimId ?? null, facts.get(e.userId)?.city ?? null, partOf(e.id),
      ]);
    }
  }
  await bulkInsert(
    q,
    'analytics.events',
    [
      ['event_id', 'text'], ['source', 'text'], ['user_id', 'text'], ['pseudonym', 'text'], ['vin', 'text'], ['order_id', 'text'], ['occurred_at', 'timestamptz'], ['stage', 'text'], ['kind', 'text'],
      ['amount_fen', 'bigint'], ['category', 'text'], ['subject_type', 'text'], ['subject_id', 'text'], ['vehicle_order_id', 'text'], ['model_id', 'text'], ['trim_id', 'text'], ['city', 'text'], ['part', 'bigint'],
    ],
    rows,
  );
}

/**
 * A vehicle's monthly costs (its owner's money events that belong to it; before delivery: month 0) and
 * its active months: a month after delivery with a maintenance or usage event (services, swaps,
 * charging, battery plans, insurance), or any payment for the car (an instalment, a fee).
 */
async function deriveVehicleMonths(q: TxQueryable, vins: readonly string[]): Promise<void> {
  if (vins.length === 0) return;
  await q.query(
    `INSERT INTO analytics.vehicle_month_costs (vin, month_index, category, amount_fen)
       SELECT v.vin, greatest(0, analytics.months_between(v.delivered_at, e.occurred_at)), coalesce(e.category, 'OTHER'), sum(e.amount_fen)
         FROM analytics.vehicles v JOIN analytics.events e ON e.user_id = v.user_id AND e.vehicle_order_id = v.order_id
        WHERE v.vin = ANY($1::text[]) AND e.amount_fen IS NOT NULL
        GROUP BY 1, 2, 3`,
    [vins],
  );
  await q.query(
    `INSERT INTO analytics.vehicle_active_months (vin, month_index)
       SELECT DISTINCT v.vin, analytics.months_between(v.delivered_at, e.occurred_at)
         FROM analytics.vehicles v JOIN analytics.events e ON e.user_id = v.user_id AND e.vehicle_order_id = v.order_id
        WHERE v.vin = ANY($1::text[]) AND e.occurred_at >= v.delivered_at
          AND (e.stage IN ('MAINTENANCE', 'USAGE') OR e.amount_fen IS NOT NULL)`,
    [vins],
  );
}

/** Moves the cursors and the store's `asOf` once a round is stored. */
export async function saveRound(db: Db, horizons: ReadonlyMap<string, string>, asOf: Date): Promise<void> {
  await db.tx(async (q) => {
    for (const [source, since] of horizons) {
      await q.query(
        `INSERT INTO analytics.feed_cursors (source, since, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (source) DO UPDATE SET since = excluded.since, updated_at = excluded.updated_at`,
        [source, since],
      );
    }
    await q.query(`INSERT INTO analytics.freshness (one, as_of) VALUES (true, $1) ON CONFLICT (one) DO UPDATE SET as_of = excluded.as_of`, [asOf]);
  });
}

/** Up to when the store holds the contributors' data; null before the first round. */
export async function storeAsOf(q: Queryable): Promise<Date | null> {
  const [row] = await q.query<{ as_of: Date }>('SELECT as_of FROM analytics.freshness');
  return row ? new Date(row.as_of) : null;
}
