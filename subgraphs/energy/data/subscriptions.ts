/**
 * Battery-as-a-service SQL: plans (`energy.battery_plans`), subscriptions (`energy.battery_subscriptions`)
 * and their monthly charges (`energy.subscription_charges`). Writes run inside one transaction; a
 * unique key or a row lock arbitrates every race.
 */
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';
import { pagesByParent, type SortAfter } from '../../kit/parent-pages';
import { date, type Raw } from './rows';

export interface PlanRow {
  id: string;
  name: string;
  monthlyFeeFen: bigint;
  includedSwapsPerMonth: number;
  perSwapFeeFen: bigint;
  description: string;
}

export type SubscriptionStatus = 'ACTIVE' | 'CANCELLED';

export interface SubscriptionRow {
  id: string;
  vin: string;
  userId: string;
  planId: string;
  status: SubscriptionStatus;
  startedAt: Date;
  cancelledAt: Date | null;
}

export interface ChargeRow {
  id: string;
  subscriptionId: string;
  period: string;
  amountFen: bigint;
  chargedAt: Date;
}

const PLAN_COLS = 'x.id, x.name, x.monthly_fee_fen, x.included_swaps_per_month, x.per_swap_fee_fen, x.description';
function toPlan(r: Raw): PlanRow {
  return {
    id: String(r.id),
    name: String(r.name),
    monthlyFeeFen: fenFromDb(r.monthly_fee_fen),
    includedSwapsPerMonth: Number(r.included_swaps_per_month),
    perSwapFeeFen: fenFromDb(r.per_swap_fee_fen),
    description: String(r.description),
  };
}

const SUBSCRIPTION_COLS = 'x.id, x.vin, x.user_id, x.plan_id, x.status, x.started_at, x.cancelled_at';
function toSubscription(r: Raw): SubscriptionRow {
  return {
    id: String(r.id),
    vin: String(r.vin),
    userId: String(r.user_id),
    planId: String(r.plan_id),
    status: r.status as SubscriptionStatus,
    startedAt: date(r.started_at),
    cancelledAt: r.cancelled_at === null || r.cancelled_at === undefined ? null : date(r.cancelled_at),
  };
}

const CHARGE_COLS = 'x.id, x.subscription_id, x.period, x.amount_fen, x.charged_at';
function toCharge(r: Raw): ChargeRow {
  return { id: String(r.id), subscriptionId: String(r.subscription_id), period: String(r.period), amountFen: fenFromDb(r.amount_fen), chargedAt: date(r.charged_at) };
}

export async function plansByIds(q: Queryable, ids: readonly string[]): Promise<PlanRow[]> {
  return (await q.query<Raw>(`SELECT ${PLAN_COLS} FROM energy.battery_plans x WHERE x.id = ANY($1::text[])`, [ids])).map(toPlan);
}

export async function listPlans(q: Queryable): Promise<PlanRow[]> {
  return (await q.query<Raw>(`SELECT ${PLAN_COLS} FROM energy.battery_plans x ORDER BY x.monthly_fee_fen, x.sort_order, x.id`)).map(toPlan);
}

export async function subscriptionsByIds(q: Queryable, ids: readonly string[]): Promise<SubscriptionRow[]> {
  return (await q.query<Raw>(`SELECT ${SUBSCRIPTION_COLS} FROM energy.battery_subscriptions x WHERE x.id = ANY($1::text[])`, [ids])).map(toSubscription);
}

/** The active subscription of each of `vins` (at most one each, by the partial unique index). */
export async function activeSubscriptionsByVins(q: Queryable, vins: readonly string[]): Promise<SubscriptionRow[]> {
  return (
    await q.query<Raw>(`SELECT ${SUBSCRIPTION_COLS} FROM energy.battery_subscriptions x WHERE x.vin = ANY($1::text[]) AND x.status = 'ACTIVE'`, [vins])
  ).map(toSubscription);
}

/** Battery subscriptions of each user, newest first. */
export const subscriptionPagesByUser = (q: Queryable, userIds: readonly string[], after: SortAfter | null, limit: number) =>
  pagesByParent(
    q,
    { table: 'energy.battery_subscriptions', cols: SUBSCRIPTION_COLS, parentCols: ['x.user_id'], sortCol: 'x.started_at', sortType: 'timestamptz', map: toSubscription },
    userIds,
    after,
    limit,
  );

/** Monthly charges of each subscription, newest month first. */
export const chargePagesBySubscription = (q: Queryable, subscriptionIds: readonly string[], after: SortAfter | null, limit: number) =>
  pagesByParent(
    q,
    { table: 'energy.subscription_charges', cols: CHARGE_COLS, parentCols: ['x.subscription_id'], sortCol: 'x.period', sortType: 'text', map: toCharge },
    subscriptionIds,
    after,
    limit,
  );

/**
 * Creates an active subscription unless the vehicle already has one; returns null then. The partial
 * unique index arbitrates, so of two concurrent subscribes exactly one gets a row.
 */
export async function insertActiveSubscription(
  q: Queryable,
  s: { id: string; vin: string; userId: string; planId: string; startedAt: Date },
): Promise<SubscriptionRow | null> {
  const rows = await q.query<Raw>(
    `INSERT INTO energy.battery_subscriptions AS x (id, vin, user_id, plan_id, status, started_at)
     VALUES ($1, $2, $3, $4, 'ACTIVE', $5)
     ON CONFLICT (vin) WHERE status = 'ACTIVE' DO NOTHING
     RETURNING ${SUBSCRIPTION_COLS}`,
    [s.id, s.vin, s.userId, s.planId, s.startedAt],
  );
  return rows.length ? toSubscription(rows[0]) : null;
}

/** Ends an active subscription; null when it was not active (already cancelled, or raced). */
export async function cancelActiveSubscription(q: Queryable, id: string, at: Date): Promise<SubscriptionRow | null> {
  const rows = await q.query<Raw>(
    `UPDATE energy.battery_subscriptions AS x SET status = 'CANCELLED', cancelled_at = $2
      WHERE x.id = $1 AND x.status = 'ACTIVE'
      RETURNING ${SUBSCRIPTION_COLS}`,
    [id, at],
  );
  return rows.length ? toSubscription(rows[0]) : null;
}

/** Reads a subscription and locks it for the rest of the transaction (pricing and charging serialise on it). */
export async function lockSubscription(q: Queryable, id: string): Promise<SubscriptionRow | null> {
  const rows = await q.query<Raw>(`SELECT ${SUBSCRIPTION_COLS} FROM energy.battery_subscriptions x WHERE x.id = $1 FOR UPDATE`, [id]);
  return rows.length ? toSubscription(rows[0]) : null;
}

/** Reads a vehicle's active subscription and locks it, so concurrent swaps count included swaps one at a time. */
export async function lockActiveSubscriptionOfVin(q: Queryable, vin: string): Promise<SubscriptionRow | null> {
  const rows = await q.query<Raw>(`SELECT ${SUBSCRIPTION_COLS} FROM energy.battery_subscriptions x WHERE x.vin = $1 AND x.status = 'ACTIVE' FOR UPDATE`, [vin]);
  return rows.length ? toSubscription(rows[0]) : null;
}

/** Takes one month's fee; null when that month was already charged (the unique key arbitrates). */
export async function insertChargeOnce(q: Queryable, c: { id: string; subscriptionId: string; period: string; amountFen: bigint; chargedAt: Date }): Promise<ChargeRow | null> {
  const rows = await q.query<Raw>(
    `INSERT INTO energy.subscription_charges AS x (id, subscription_id, period, amount_fen, charged_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (subscription_id, period) DO NOTHING
     RETURNING ${CHARGE_COLS}`,
    [c.id, c.subscriptionId, c.period, c.amountFen.toString(), c.chargedAt],
  );
  return rows.length ? toCharge(rows[0]) : null;
}
