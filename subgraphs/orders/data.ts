/**
 * Every SQL statement of the orders subgraph. Reads take a list of keys and answer them in one
 * statement (the loaders batch through here); writes take the transaction's `q` and change state only
 * with conditional statements (`UPDATE … WHERE status = … RETURNING`, `INSERT … ON CONFLICT DO NOTHING`),
 * so two racing requests can never both succeed.
 */
import type { Queryable } from '../kit/db';
import { fenFromDb } from '../../platform/money';
import type { Role } from '../../platform/identity';

export type OrderStatus = 'PLACED' | 'DEPOSIT_PAID' | 'BALANCE_PAID' | 'DELIVERED' | 'CANCELLED';
export type TradeInStatus = 'REQUESTED' | 'APPRAISED' | 'CREDITED';
export type TestDriveStatus = 'BOOKED' | 'CANCELLED';
export type PriceLineKind = 'TRIM' | 'COLOUR' | 'PACKAGE' | 'ACCESSORY';
export const PRICE_LINE_KINDS: readonly PriceLineKind[] = ['TRIM', 'COLOUR', 'PACKAGE', 'ACCESSORY'];

export interface Order {
  id: string;
  userId: string;
  idempotencyKey: string;
  requestFingerprint: string;
  status: OrderStatus;
  trimId: string;
  trimName: string;
  colourId: string | null;
  packageId: string | null;
  accessoryIds: string[];
  batteryRental: boolean;
  manufacturerOrg: string;
  totalFen: bigint;
  depositFen: bigint;
  tradeInId: string | null;
  tradeInCreditFen: bigint;
  financedFen: bigint;
  /** What the package entitles the car to, copied from the catalog when the order was placed. */
  entitlement: PackageEntitlementTerms;
  /**
   * The balance as priced (column `balance_due_fen`): what `payBalance` takes. It is not what is still
   * owed once paid; the `balanceDue` field derives that from `balancePaidAt`.
   */
  balanceDueFen: bigint;
  placedAt: Date;
  depositPaidAt: Date | null;
  balancePaidAt: Date | null;
  deliveredAt: Date | null;
  cancelledAt: Date | null;
}

/** A package's entitlement as bought: prepaid scheduled services within years of delivery, and what is fitted. */
export interface PackageEntitlementTerms {
  maintenanceServices: number;
  maintenanceYears: number;
  /** What the platform settles per scheduled service at most (0 when none); the owner pays the rest. */
  maintenanceAllowanceFen: bigint;
  fittedItems: string[];
}

export interface PriceLine {
  kind: PriceLineKind;
  refId: string;
  description: string;
  amountFen: bigint;
}

export interface StatusChange {
  status: OrderStatus;
  at: Date;
  byRole: Exclude<Role, 'analyst'>;
}

export interface TradeIn {
  id: string;
  userId: string;
  description: string;
  year: number;
  mileageKm: number;
  status: TradeInStatus;
  requestedAt: Date;
  /** The manufacturer organisation the trade-in is asked of; null for requests older than the rule. */
  dealerOrg: string | null;
  appraisedValueFen: bigint | null;
  appraisedAt: Date | null;
  /** The organisation whose partner appraised it; null for a platform (admin) appraisal. */
  appraisedByOrg: string | null;
  creditedOrderId: string | null;
}

export interface TestDrive {
  id: string;
  userId: string;
  trimId: string;
  city: string;
  at: Date;
  status: TestDriveStatus;
  bookedAt: Date;
  cancelledAt: Date | null;
}

export interface Vehicle {
  vin: string;
  orderId: string;
  ownerId: string;
  trimId: string;
  batteryRental: boolean;
  manufacturerOrg: string;
  deliveredAt: Date;
}

type Row = Record<string, unknown>;
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const maybeDate = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

function toOrder(r: Row): Order {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    idempotencyKey: r.idempotency_key as string,
    requestFingerprint: r.request_fingerprint as string,
    status: r.status as OrderStatus,
    trimId: r.trim_id as string,
    trimName: r.trim_name as string,
    colourId: (r.colour_id as string | null) ?? null,
    packageId: (r.package_id as string | null) ?? null,
    accessoryIds: (r.accessory_ids as string[] | null) ?? [],
    batteryRental: r.battery_rental as boolean,
    manufacturerOrg: r.manufacturer_org as string,
    totalFen: fenFromDb(r.total_fen),
    depositFen: fenFromDb(r.deposit_fen),
    tradeInId: (r.trade_in_id as string | null) ?? null,
    tradeInCreditFen: fenFromDb(r.trade_in_credit_fen),
    financedFen: fenFromDb(r.financed_fen),
    balanceDueFen: fenFromDb(r.balance_due_fen),
    entitlement: {
      maintenanceServices: Number(r.maintenance_services ?? 0),
      maintenanceYears: Number(r.maintenance_years ?? 0),
      maintenanceAllowanceFen: fenFromDb(r.maintenance_allowance_fen),
      fittedItems: (r.fitted_items as string[] | null) ?? [],
    },
    placedAt: date(r.placed_at),
    depositPaidAt: maybeDate(r.deposit_paid_at),
    balancePaidAt: maybeDate(r.balance_paid_at),
    deliveredAt: maybeDate(r.delivered_at),
    cancelledAt: maybeDate(r.cancelled_at),
  };
}

function toTradeIn(r: Row): TradeIn {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    description: r.description as string,
    year: Number(r.model_year),
    mileageKm: Number(r.mileage_km),
    status: r.status as TradeInStatus,
    requestedAt: date(r.requested_at),
    dealerOrg: (r.dealer_org as string | null | undefined) ?? null,
    appraisedValueFen: r.appraised_value_fen === null || r.appraised_value_fen === undefined ? null : fenFromDb(r.appraised_value_fen),
    appraisedAt: maybeDate(r.appraised_at),
    appraisedByOrg: (r.appraised_by_org as string | null | undefined) ?? null,
    creditedOrderId: (r.credited_order_id as string | null) ?? null,
  };
}

function toTestDrive(r: Row): TestDrive {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    trimId: r.trim_id as string,
    city: r.city as string,
    at: date(r.scheduled_at),
    status: r.status as TestDriveStatus,
    bookedAt: date(r.booked_at),
    cancelledAt: maybeDate(r.cancelled_at),
  };
}

function toVehicle(r: Row): Vehicle {
  return {
    vin: r.vin as string,
    orderId: r.order_id as string,
    ownerId: r.owner_id as string,
    trimId: r.trim_id as string,
    batteryRental: r.battery_rental as boolean,
    manufacturerOrg: r.manufacturer_org as string,
    deliveredAt: date(r.delivered_at),
  };
}

/** Answers `keys` in order from rows keyed by `keyOf` (null where there is no row). */
function byKey<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): (T | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

/** Groups rows under `keys` in order (an empty list where there are none). */
function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const map = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const r of rows) map.get(keyOf(r))?.push(r);
  return keys.map((k) => map.get(k) ?? []);
}

// ---------------------------------------------------------------------------------------------------
// Batched reads (one statement per call, whatever the number of keys)
// ---------------------------------------------------------------------------------------------------

export async function ordersByIds(q: Queryable, ids: readonly string[]): Promise<(Order | null)[]> {
  const rows = await q.query(`SELECT * FROM orders.orders WHERE id = ANY($1::text[])`, [ids]);
  return byKey(ids, rows.map(toOrder), (o) => o.id);
}

export async function priceLinesByOrderIds(q: Queryable, orderIds: readonly string[]): Promise<PriceLine[][]> {
  const rows = await q.query<Row>(
    `SELECT order_id, kind, ref_id, description, amount_fen FROM orders.order_price_lines
      WHERE order_id = ANY($1::text[]) ORDER BY order_id, position`,
    [orderIds],
  );
  const lines = rows.map((r) => ({
    orderId: r.order_id as string,
    line: { kind: r.kind as PriceLineKind, refId: r.ref_id as string, description: r.description as string, amountFen: fenFromDb(r.amount_fen) },
  }));
  return groupBy(orderIds, lines, (l) => l.orderId).map((ls) => ls.map((l) => l.line));
}

export async function statusHistoryByOrderIds(q: Queryable, orderIds: readonly string[]): Promise<StatusChange[][]> {
  // Ordered by time, then by the lifecycle's own order, so two changes in the same millisecond keep their sequence.
  const rows = await q.query<Row>(
    `SELECT order_id, status, at, by_role FROM orders.order_status_changes
      WHERE order_id = ANY($1::text[])
      ORDER BY order_id, at, array_position(ARRAY['PLACED','DEPOSIT_PAID','BALANCE_PAID','DELIVERED','CANCELLED'], status)`,
    [orderIds],
  );
  const changes = rows.map((r) => ({
    orderId: r.order_id as string,
    change: { status: r.status as OrderStatus, at: date(r.at), byRole: r.by_role as StatusChange['byRole'] },
  }));
  return groupBy(orderIds, changes, (c) => c.orderId).map((cs) => cs.map((c) => c.change));
}

export async function tradeInsByIds(q: Queryable, ids: readonly string[]): Promise<(TradeIn | null)[]> {
  const rows = await q.query(`SELECT * FROM orders.trade_ins WHERE id = ANY($1::text[])`, [ids]);
  return byKey(ids, rows.map(toTradeIn), (t) => t.id);
}

export async function testDrivesByIds(q: Queryable, ids: readonly string[]): Promise<(TestDrive | null)[]> {
  const rows = await q.query(`SELECT * FROM orders.test_drives WHERE id = ANY($1::text[])`, [ids]);
  return byKey(ids, rows.map(toTestDrive), (t) => t.id);
}

export async function vehiclesByVins(q: Queryable, vins: readonly string[]): Promise<(Vehicle | null)[]> {
  const rows = await q.query(`SELECT * FROM orders.vehicles WHERE vin = ANY($1::text[])`, [vins]);
  return byKey(vins, rows.map(toVehicle), (v) => v.vin);
}

export async function vehiclesByOrderIds(q: Queryable, orderIds: readonly string[]): Promise<(Vehicle | null)[]> {
  const rows = await q.query(`SELECT * FROM orders.vehicles WHERE order_id = ANY($1::text[])`, [orderIds]);
  return byKey(orderIds, rows.map(toVehicle), (v) => v.orderId);
}

/** One page request of a per-user list: whose, how many rows (page size + 1), and after which sort key. */
export interface UserPageKey {
  userId: string;
  limit: number;
  /** The sort key of the last row of the previous page: [ISO time, id]. */
  after: [string, string] | null;
}

/** A per-user list: its table, time column (newest first) and unique tie-breaker column. */
interface UserList<T> {
  table: string;
  userColumn: string;
  timeColumn: string;
  idColumn: string;
  map: (r: Row) => T;
}

const ORDER_LIST: UserList<Order> = { table: 'orders.orders', userColumn: 'user_id', timeColumn: 'placed_at', idColumn: 'id', map: toOrder };
const VEHICLE_LIST: UserList<Vehicle> = { table: 'orders.vehicles', userColumn: 'owner_id', timeColumn: 'delivered_at', idColumn: 'vin', map: toVehicle };
const TEST_DRIVE_LIST: UserList<TestDrive> = { table: 'orders.test_drives', userColumn: 'user_id', timeColumn: 'booked_at', idColumn: 'id', map: toTestDrive };
const TRADE_IN_LIST: UserList<TradeIn> = { table: 'orders.trade_ins', userColumn: 'user_id', timeColumn: 'requested_at', idColumn: 'id', map: toTradeIn };

/**
 * Pages of one list for many users in one statement: a LATERAL subquery per requested page, each with
 * its own cursor and limit, newest first.
 */
async function userPages<T>(q: Queryable, list: UserList<T>, keys: readonly UserPageKey[]): Promise<T[][]> {
  const { table, userColumn: u, timeColumn: t, idColumn: id } = list;
  const rows = await q.query<Row>(
    `SELECT k.ord AS page_ord, x.*
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::int[]) WITH ORDINALITY AS k(user_id, after_at, after_id, lim, ord)
       CROSS JOIN LATERAL (
         SELECT r.* FROM ${table} r
          WHERE r.${u} = k.user_id AND (k.after_at IS NULL OR (r.${t}, r.${id}) < (k.after_at, k.after_id))
          ORDER BY r.${t} DESC, r.${id} DESC
          LIMIT k.lim
       ) x
      ORDER BY k.ord, x.${t} DESC, x.${id} DESC`,
    [keys.map((k) => k.userId), keys.map((k) => k.after?.[0] ?? null), keys.map((k) => k.after?.[1] ?? null), keys.map((k) => k.limit)],
  );
  const pages: T[][] = keys.map(() => []);
  for (const r of rows) pages[Number(r.page_ord) - 1].push(list.map(r));
  return pages;
}

export const orderPages = (q: Queryable, keys: readonly UserPageKey[]) => userPages(q, ORDER_LIST, keys);
export const vehiclePages = (q: Queryable, keys: readonly UserPageKey[]) => userPages(q, VEHICLE_LIST, keys);
export const testDrivePages = (q: Queryable, keys: readonly UserPageKey[]) => userPages(q, TEST_DRIVE_LIST, keys);
export const tradeInPages = (q: Queryable, keys: readonly UserPageKey[]) => userPages(q, TRADE_IN_LIST, keys);

/**
 * Trade-ins waiting for an appraisal (those asked of `dealerOrg`, or all when it is null), oldest
 * first, after the sort key [ISO time, id].
 */
export async function tradeInsAwaitingAppraisal(q: Queryable, dealerOrg: string | null, limit: number, after: [string, string] | null): Promise<TradeIn[]> {
  const rows = await q.query(
    `SELECT * FROM orders.trade_ins
      WHERE status = 'REQUESTED' AND ($4::text IS NULL OR dealer_org = $4::text)
        AND ($1::timestamptz IS NULL OR (requested_at, id) > ($1::timestamptz, $2::text))
      ORDER BY requested_at, id LIMIT $3`,
    [after?.[0] ?? null, after?.[1] ?? null, limit, dealerOrg],
  );
  return rows.map(toTradeIn);
}

/** Fully paid orders waiting for delivery (of one manufacturer, or all when `org` is null), longest-waiting first. */
export async function ordersAwaitingDelivery(q: Queryable, org: string | null, limit: number, after: [string, string] | null): Promise<Order[]> {
  const rows = await q.query(
    `SELECT * FROM orders.orders
      WHERE status = 'BALANCE_PAID' AND ($1::text IS NULL OR manufacturer_org = $1::text)
        AND ($2::timestamptz IS NULL OR (balance_paid_at, id) > ($2::timestamptz, $3::text))
      ORDER BY balance_paid_at, id LIMIT $4`,
    [org, after?.[0] ?? null, after?.[1] ?? null, limit],
  );
  return rows.map(toOrder);
}

// ---------------------------------------------------------------------------------------------------
// Test drives
// ---------------------------------------------------------------------------------------------------

export async function insertTestDrive(q: Queryable, d: TestDrive): Promise<TestDrive> {
  const [row] = await q.query(
    `INSERT INTO orders.test_drives (id, user_id, trim_id, city, scheduled_at, status, booked_at) VALUES ($1, $2, $3, $4, $5, 'BOOKED', $6) RETURNING *`,
    [d.id, d.userId, d.trimId, d.city, d.at, d.bookedAt],
  );
  return toTestDrive(row);
}

/** Cancels a booked drive of `userId` that has not started by `now`; null when that is not its state. */
export async function cancelTestDrive(q: Queryable, id: string, userId: string, now: Date): Promise<TestDrive | null> {
  const [row] = await q.query(
    `UPDATE orders.test_drives SET status = 'CANCELLED', cancelled_at = $3
      WHERE id = $1 AND user_id = $2 AND status = 'BOOKED' AND scheduled_at > $3 RETURNING *`,
    [id, userId, now],
  );
  return row ? toTestDrive(row) : null;
}

// ---------------------------------------------------------------------------------------------------
// Trade-ins
// ---------------------------------------------------------------------------------------------------

export async function insertTradeIn(q: Queryable, t: Pick<TradeIn, 'id' | 'userId' | 'description' | 'year' | 'mileageKm' | 'requestedAt'> & { dealerOrg: string }): Promise<TradeIn> {
  const [row] = await q.query(
    `INSERT INTO orders.trade_ins (id, user_id, description, model_year, mileage_km, status, requested_at, dealer_org)
     VALUES ($1, $2, $3, $4, $5, 'REQUESTED', $6, $7) RETURNING *`,
    [t.id, t.userId, t.description, t.year, t.mileageKm, t.requestedAt, t.dealerOrg],
  );
  return toTradeIn(row);
}

/**
 * Appraises a REQUESTED trade-in; null when it is not (or no longer) REQUESTED, or when a partner
 * (`by.org`) is not the dealer it was asked of.
 */
export async function appraiseTradeIn(
  q: Queryable,
  id: string,
  valueFen: bigint,
  at: Date,
  by: { role: string; sub: string; org: string | null },
): Promise<TradeIn | null> {
  const [row] = await q.query(
    `UPDATE orders.trade_ins SET status = 'APPRAISED', appraised_value_fen = $2, appraised_at = $3, appraised_by_role = $4, appraised_by = $5, appraised_by_org = $6
      WHERE id = $1 AND status = 'REQUESTED' AND ($6::text IS NULL OR dealer_org = $6::text) RETURNING *`,
    [id, valueFen.toString(), at, by.role, by.sub, by.org],
  );
  return row ? toTradeIn(row) : null;
}

/**
 * Credits an APPRAISED trade-in of `userId` to `orderId` (an order of `manufacturerOrg`); returns its
 * value, or null when it cannot be credited. A partner's appraisal counts only for its own organisation.
 */
export async function creditTradeIn(q: Queryable, id: string, userId: string, orderId: string, manufacturerOrg: string): Promise<bigint | null> {
  const [row] = await q.query<{ appraised_value_fen: string }>(
    `UPDATE orders.trade_ins SET status = 'CREDITED', credited_order_id = $3
      WHERE id = $1 AND user_id = $2 AND status = 'APPRAISED' AND (appraised_by_org IS NULL OR appraised_by_org = $4)
      RETURNING appraised_value_fen`,
    [id, userId, orderId, manufacturerOrg],
  );
  return row ? fenFromDb(row.appraised_value_fen) : null;
}

/** Releases a trade-in credited to `orderId` (its order was cancelled) back to APPRAISED. */
export async function releaseTradeIn(q: Queryable, id: string, orderId: string): Promise<void> {
  await q.query(`UPDATE orders.trade_ins SET status = 'APPRAISED', credited_order_id = NULL WHERE id = $1 AND credited_order_id = $2`, [id, orderId]);
}

// ---------------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------------

export async function orderByIdempotencyKey(q: Queryable, userId: string, key: string): Promise<Order | null> {
  const [row] = await q.query(`SELECT * FROM orders.orders WHERE user_id = $1 AND idempotency_key = $2`, [userId, key]);
  return row ? toOrder(row) : null;
}

export type NewOrder = Omit<Order, 'status' | 'depositPaidAt' | 'balancePaidAt' | 'deliveredAt' | 'cancelledAt'>;

/** Inserts a PLACED order; null when the user already has an order under this idempotency key. */
export async function insertOrder(q: Queryable, o: NewOrder): Promise<Order | null> {
  const [row] = await q.query(
    `INSERT INTO orders.orders (id, user_id, idempotency_key, request_fingerprint, status, trim_id, trim_name, colour_id, package_id,
                                accessory_ids, battery_rental, manufacturer_org, total_fen, deposit_fen, trade_in_id,
                                trade_in_credit_fen, financed_fen, balance_due_fen, placed_at,
                                maintenance_services, maintenance_years, fitted_items, maintenance_allowance_fen)
     VALUES ($1, $2, $3, $4, 'PLACED', $5, $6, $7, $8, $9::text[], $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21::text[], $22)
     ON CONFLICT (user_id, idempotency_key) DO NOTHING
     RETURNING *`,
    [
      o.id, o.userId, o.idempotencyKey, o.requestFingerprint, o.trimId, o.trimName, o.colourId, o.packageId,
      o.accessoryIds, o.batteryRental, o.manufacturerOrg, o.totalFen.toString(), o.depositFen.toString(), o.tradeInId,
      o.tradeInCreditFen.toString(), o.financedFen.toString(), o.balanceDueFen.toString(), o.placedAt,
      o.entitlement.maintenanceServices, o.entitlement.maintenanceYears, o.entitlement.fittedItems, o.entitlement.maintenanceAllowanceFen.toString(),
    ],
  );
  return row ? toOrder(row) : null;
}

export async function insertPriceLines(q: Queryable, orderId: string, lines: readonly PriceLine[]): Promise<void> {
  await q.query(
    `INSERT INTO orders.order_price_lines (order_id, position, kind, ref_id, description, amount_fen)
     SELECT $1, p - 1, kind, ref_id, description, amount_fen
       FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY AS l(kind, ref_id, description, amount_fen, p)`,
    [orderId, lines.map((l) => l.kind), lines.map((l) => l.refId), lines.map((l) => l.description), lines.map((l) => l.amountFen.toString())],
  );
}

export async function insertStatusChange(q: Queryable, orderId: string, status: OrderStatus, at: Date, by: { role: string; sub: string }): Promise<void> {
  await q.query(`INSERT INTO orders.order_status_changes (order_id, status, at, by_role, by_sub) VALUES ($1, $2, $3, $4, $5)`, [orderId, status, at, by.role, by.sub]);
}

/** PLACED → DEPOSIT_PAID for the buyer paying exactly the deposit; null when any of that does not hold. */
export async function payDeposit(q: Queryable, id: string, userId: string, amountFen: bigint, at: Date): Promise<Order | null> {
  const [row] = await q.query(
    `UPDATE orders.orders SET status = 'DEPOSIT_PAID', deposit_paid_at = $4
      WHERE id = $1 AND user_id = $2 AND status = 'PLACED' AND deposit_fen = $3 RETURNING *`,
    [id, userId, amountFen.toString(), at],
  );
  return row ? toOrder(row) : null;
}

/** DEPOSIT_PAID → BALANCE_PAID for the buyer paying exactly the balance due; null when any of that does not hold. */
export async function payBalance(q: Queryable, id: string, userId: string, amountFen: bigint, at: Date): Promise<Order | null> {
  const [row] = await q.query(
    `UPDATE orders.orders SET status = 'BALANCE_PAID', balance_paid_at = $4
      WHERE id = $1 AND user_id = $2 AND status = 'DEPOSIT_PAID' AND balance_due_fen = $3 RETURNING *`,
    [id, userId, amountFen.toString(), at],
  );
  return row ? toOrder(row) : null;
}

/** BALANCE_PAID → DELIVERED (only an order of `org` when given); null when that is not its state. */
export async function markDelivered(q: Queryable, id: string, org: string | null, at: Date): Promise<Order | null> {
  const [row] = await q.query(
    `UPDATE orders.orders SET status = 'DELIVERED', delivered_at = $3
      WHERE id = $1 AND status = 'BALANCE_PAID' AND ($2::text IS NULL OR manufacturer_org = $2::text) RETURNING *`,
    [id, org, at],
  );
  return row ? toOrder(row) : null;
}

/** PLACED → CANCELLED for the buyer; null when that is not its state. */
export async function cancelOrder(q: Queryable, id: string, userId: string, at: Date): Promise<Order | null> {
  const [row] = await q.query(
    `UPDATE orders.orders SET status = 'CANCELLED', cancelled_at = $3 WHERE id = $1 AND user_id = $2 AND status = 'PLACED' RETURNING *`,
    [id, userId, at],
  );
  return row ? toOrder(row) : null;
}

/** Registers a delivered vehicle; null when the VIN is already registered. */
export async function insertVehicle(q: Queryable, v: Vehicle): Promise<Vehicle | null> {
  const [row] = await q.query(
    `INSERT INTO orders.vehicles (vin, order_id, owner_id, trim_id, battery_rental, manufacturer_org, delivered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (vin) DO NOTHING RETURNING *`,
    [v.vin, v.orderId, v.ownerId, v.trimId, v.batteryRental, v.manufacturerOrg, v.deliveredAt],
  );
  return row ? toVehicle(row) : null;
}
