/**
 * All SQL of the energy subgraph. Every statement is schema-qualified (`energy.`), reads by many keys
 * at once (`= ANY($1)`, `unnest(...)`) so loaders can batch, and returns plain typed rows.
 */
import { bulkInsert, type BulkColumns } from '../kit/bulk';
import type { Queryable } from '../kit/db';
import { fenFromDb } from '../../platform/money';

export interface StationRow {
  id: string;
  name: string;
  city: string;
  address: string;
  operatorOrg: string;
  active: boolean;
  bays: number;
}

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

export interface SwapRow {
  id: string;
  stationId: string;
  vin: string;
  userId: string;
  swappedAt: Date;
  feeFen: bigint;
  subscriptionId: string | null;
  coveredByPlan: boolean;
  stateOfChargeBefore: number;
  stateOfChargeAfter: number;
}

export interface ChargerRow {
  id: string;
  networkOrg: string;
  name: string;
  city: string;
  address: string;
}

export interface ChargingRow {
  id: string;
  vin: string;
  userId: string;
  /** The charger it was recorded on; null for sessions recorded before chargers existed. */
  chargerId: string | null;
  networkOrg: string;
  location: string;
  startedAt: Date;
  endedAt: Date;
  energyWh: number;
  feeFen: bigint;
}

type Raw = Record<string, unknown>;
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

const STATION_COLS = 'x.id, x.name, x.city, x.address, x.operator_org, x.active, x.bays';
function toStation(r: Raw): StationRow {
  return {
    id: String(r.id),
    name: String(r.name),
    city: String(r.city),
    address: String(r.address),
    operatorOrg: String(r.operator_org),
    active: Boolean(r.active),
    bays: Number(r.bays),
  };
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

const SWAP_COLS =
  'x.id, x.station_id, x.vin, x.user_id, x.swapped_at, x.fee_fen, x.subscription_id, x.covered_by_plan, x.state_of_charge_before, x.state_of_charge_after';
function toSwap(r: Raw): SwapRow {
  return {
    id: String(r.id),
    stationId: String(r.station_id),
    vin: String(r.vin),
    userId: String(r.user_id),
    swappedAt: date(r.swapped_at),
    feeFen: fenFromDb(r.fee_fen),
    subscriptionId: r.subscription_id === null || r.subscription_id === undefined ? null : String(r.subscription_id),
    coveredByPlan: Boolean(r.covered_by_plan),
    stateOfChargeBefore: Number(r.state_of_charge_before),
    stateOfChargeAfter: Number(r.state_of_charge_after),
  };
}

const CHARGER_COLS = 'x.id, x.network_org, x.name, x.city, x.address';
function toCharger(r: Raw): ChargerRow {
  return { id: String(r.id), networkOrg: String(r.network_org), name: String(r.name), city: String(r.city), address: String(r.address) };
}

const CHARGING_COLS = 'x.id, x.vin, x.user_id, x.charger_id, x.network_org, x.location, x.started_at, x.ended_at, x.energy_wh, x.fee_fen';
function toCharging(r: Raw): ChargingRow {
  return {
    id: String(r.id),
    vin: String(r.vin),
    userId: String(r.user_id),
    chargerId: r.charger_id === null || r.charger_id === undefined ? null : String(r.charger_id),
    networkOrg: String(r.network_org),
    location: String(r.location),
    startedAt: date(r.started_at),
    endedAt: date(r.ended_at),
    energyWh: Number(r.energy_wh),
    feeFen: fenFromDb(r.fee_fen),
  };
}

// ---------------------------------------------------------------------------------------------------
// Lookups by id (one statement for any number of ids)

export async function stationsByIds(q: Queryable, ids: readonly string[]): Promise<StationRow[]> {
  return (await q.query<Raw>(`SELECT ${STATION_COLS} FROM energy.swap_stations x WHERE x.id = ANY($1::text[])`, [ids])).map(toStation);
}

export async function chargersByIds(q: Queryable, ids: readonly string[]): Promise<ChargerRow[]> {
  return (await q.query<Raw>(`SELECT ${CHARGER_COLS} FROM energy.chargers x WHERE x.id = ANY($1::text[])`, [ids])).map(toCharger);
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

export async function swapsByIds(q: Queryable, ids: readonly string[]): Promise<SwapRow[]> {
  return (await q.query<Raw>(`SELECT ${SWAP_COLS} FROM energy.swap_sessions x WHERE x.id = ANY($1::text[])`, [ids])).map(toSwap);
}

export async function chargingByIds(q: Queryable, ids: readonly string[]): Promise<ChargingRow[]> {
  return (await q.query<Raw>(`SELECT ${CHARGING_COLS} FROM energy.charging_sessions x WHERE x.id = ANY($1::text[])`, [ids])).map(toCharging);
}

// ---------------------------------------------------------------------------------------------------
// Pages

/** A keyset position: the sort value of the last row seen and its id. */
export type PageAfter = [Date | string, string] | null;

/** Stations ordered by name, then id; optionally within one city. */
export async function listStations(q: Queryable, city: string | null, after: PageAfter, limit: number): Promise<StationRow[]> {
  const rows = await q.query<Raw>(
    `SELECT ${STATION_COLS} FROM energy.swap_stations x
      WHERE ($1::text IS NULL OR x.city = $1::text)
        AND ($2::text IS NULL OR (x.name, x.id) > ($2::text, $3::text))
      ORDER BY x.name, x.id
      LIMIT $4`,
    [city, after ? String(after[0]) : null, after ? after[1] : '', limit],
  );
  return rows.map(toStation);
}

/** Chargers ordered by name, then id; optionally of one network. */
export async function listChargers(q: Queryable, networkOrg: string | null, after: PageAfter, limit: number): Promise<ChargerRow[]> {
  const rows = await q.query<Raw>(
    `SELECT ${CHARGER_COLS} FROM energy.chargers x
      WHERE ($1::text IS NULL OR x.network_org = $1::text)
        AND ($2::text IS NULL OR (x.name, x.id) > ($2::text, $3::text))
      ORDER BY x.name, x.id
      LIMIT $4`,
    [networkOrg, after ? String(after[0]) : null, after ? after[1] : '', limit],
  );
  return rows.map(toCharger);
}

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
async function pagesByParent<R>(q: Queryable, spec: ParentPageSpec<R>, parents: readonly (readonly string[])[], after: PageAfter, limit: number): Promise<R[][]> {
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

const SWAP_PAGE = { table: 'energy.swap_sessions', cols: SWAP_COLS, sortCol: 'x.swapped_at', sortType: 'timestamptz', map: toSwap } as const;
const CHARGING_PAGE = { table: 'energy.charging_sessions', cols: CHARGING_COLS, sortCol: 'x.started_at', sortType: 'timestamptz', map: toCharging } as const;

/** Swaps of each (vin, owner): a vehicle's history as paid by its current owner. */
export const swapPagesByVehicleOwner = (q: Queryable, parents: readonly (readonly [string, string])[], after: PageAfter, limit: number) =>
  pagesByParent(q, { ...SWAP_PAGE, parentCols: ['x.user_id', 'x.vin'] }, parents.map(([vin, owner]) => [owner, vin]), after, limit);

/** Swaps of each user, across their vehicles. */
export const swapPagesByUser = (q: Queryable, userIds: readonly string[], after: PageAfter, limit: number) =>
  pagesByParent(q, { ...SWAP_PAGE, parentCols: ['x.user_id'] }, userIds.map((u) => [u]), after, limit);

/** Swaps recorded at each station. */
export const swapPagesByStation = (q: Queryable, stationIds: readonly string[], after: PageAfter, limit: number) =>
  pagesByParent(q, { ...SWAP_PAGE, parentCols: ['x.station_id'] }, stationIds.map((s) => [s]), after, limit);

/** Charging sessions of each (vin, owner). */
export const chargingPagesByVehicleOwner = (q: Queryable, parents: readonly (readonly [string, string])[], after: PageAfter, limit: number) =>
  pagesByParent(q, { ...CHARGING_PAGE, parentCols: ['x.user_id', 'x.vin'] }, parents.map(([vin, owner]) => [owner, vin]), after, limit);

/** Charging sessions of each user. */
export const chargingPagesByUser = (q: Queryable, userIds: readonly string[], after: PageAfter, limit: number) =>
  pagesByParent(q, { ...CHARGING_PAGE, parentCols: ['x.user_id'] }, userIds.map((u) => [u]), after, limit);

/** Battery subscriptions of each user, newest first. */
export const subscriptionPagesByUser = (q: Queryable, userIds: readonly string[], after: PageAfter, limit: number) =>
  pagesByParent(
    q,
    { table: 'energy.battery_subscriptions', cols: SUBSCRIPTION_COLS, parentCols: ['x.user_id'], sortCol: 'x.started_at', sortType: 'timestamptz', map: toSubscription },
    userIds.map((u) => [u]),
    after,
    limit,
  );

/** Monthly charges of each subscription, newest month first. */
export const chargePagesBySubscription = (q: Queryable, subscriptionIds: readonly string[], after: PageAfter, limit: number) =>
  pagesByParent(
    q,
    { table: 'energy.subscription_charges', cols: CHARGE_COLS, parentCols: ['x.subscription_id'], sortCol: 'x.period', sortType: 'text', map: toCharge },
    subscriptionIds.map((s) => [s]),
    after,
    limit,
  );

// ---------------------------------------------------------------------------------------------------
// Writes (called inside one transaction)

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

/** How many of a subscription's included swaps were used in [from, to). */
export async function countCoveredSwaps(q: Queryable, subscription: { id: string; userId: string }, from: Date, to: Date): Promise<number> {
  // user_id is redundant with the subscription but lets the (user_id, swapped_at) index find the month.
  const rows = await q.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM energy.swap_sessions
      WHERE user_id = $2 AND subscription_id = $1 AND covered_by_plan AND swapped_at >= $3 AND swapped_at < $4`,
    [subscription.id, subscription.userId, from, to],
  );
  return Number(rows[0].n);
}

export async function insertSwap(q: Queryable, s: SwapRow & { recordedBy: string }): Promise<SwapRow> {
  const rows = await q.query<Raw>(
    `INSERT INTO energy.swap_sessions AS x
       (id, station_id, vin, user_id, swapped_at, fee_fen, subscription_id, covered_by_plan, state_of_charge_before, state_of_charge_after, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING ${SWAP_COLS}`,
    [s.id, s.stationId, s.vin, s.userId, s.swappedAt, s.feeFen.toString(), s.subscriptionId, s.coveredByPlan, s.stateOfChargeBefore, s.stateOfChargeAfter, s.recordedBy],
  );
  return toSwap(rows[0]);
}

export async function insertCharging(q: Queryable, c: ChargingRow & { recordedBy: string }): Promise<ChargingRow> {
  const rows = await q.query<Raw>(
    `INSERT INTO energy.charging_sessions AS x
       (id, vin, user_id, charger_id, network_org, location, started_at, ended_at, energy_wh, fee_fen, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING ${CHARGING_COLS}`,
    [c.id, c.vin, c.userId, c.chargerId, c.networkOrg, c.location, c.startedAt, c.endedAt, c.energyWh, c.feeFen.toString(), c.recordedBy],
  );
  return toCharging(rows[0]);
}

// ---------------------------------------------------------------------------------------------------
// Seed: bulk loads (rows through the kit's bulkInsert)

/**
 * Loads the seed's rows into one of energy's (empty) tables the way PostgreSQL's "Populating a
 * Database" advises: the table's foreign keys and the indexes that back no constraint are dropped for
 * the load and re-created from their own definitions afterwards, so each is built or checked once over
 * all rows instead of once per row (about three times faster for the swap and charging sessions).
 * Primary keys and unique constraints stay, so a duplicate still fails the load. Run it inside the
 * seed's transaction: a failure rolls the drops back with the rows.
 */
export async function bulkLoad(q: Queryable, table: string, columns: BulkColumns, rows: readonly unknown[][]): Promise<void> {
  if (!/^energy\.[a-z_]+$/.test(table)) throw new Error(`not an energy table: ${table}`);
  const foreignKeys = await q.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname`,
    [table],
  );
  const indexes = await q.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY 1`,
    [table],
  );
  for (const fk of foreignKeys) await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(fk.name)}`);
  // regclass text is already qualified and quoted as needed.
  for (const index of indexes) await q.query(`DROP INDEX ${index.name.includes('.') ? index.name : `energy.${index.name}`}`);
  await bulkInsert(q, table, columns, rows);
  for (const index of indexes) await q.query(index.def);
  for (const fk of foreignKeys) await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(fk.name)} ${fk.def}`);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
