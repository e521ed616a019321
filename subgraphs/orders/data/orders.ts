/**
 * The SQL of orders (`orders.orders`, their price lines and status history). Reads take a list of
 * keys and answer them in one statement (the loaders batch through here); writes take the
 * transaction's `q` and change state only with conditional statements (`UPDATE … WHERE status = …
 * RETURNING`, `INSERT … ON CONFLICT DO NOTHING`), so two racing requests can never both succeed.
 */
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';
import type { Role } from '../../../platform/identity';
import { date, maybeDate, type Row } from './rows';
import type { TimeKey } from '../../kit/pagination';
import { pagesByParent, type ParentPageSpec } from '../../kit/parent-pages';

export type OrderStatus = 'PLACED' | 'DEPOSIT_PAID' | 'BALANCE_PAID' | 'DELIVERED' | 'CANCELLED';
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

export async function ordersByIds(q: Queryable, ids: readonly string[]): Promise<Order[]> {
  const rows = await q.query(`SELECT * FROM orders.orders WHERE id = ANY($1::text[])`, [ids]);
  return rows.map(toOrder);
}

/** The price lines of the given orders, each order's in position order. */
export async function priceLinesByOrderIds(q: Queryable, orderIds: readonly string[]): Promise<Array<PriceLine & { orderId: string }>> {
  const rows = await q.query<Row>(
    `SELECT order_id, kind, ref_id, description, amount_fen FROM orders.order_price_lines
      WHERE order_id = ANY($1::text[]) ORDER BY order_id, position`,
    [orderIds],
  );
  return rows.map((r) => ({
    orderId: r.order_id as string,
    kind: r.kind as PriceLineKind,
    refId: r.ref_id as string,
    description: r.description as string,
    amountFen: fenFromDb(r.amount_fen),
  }));
}

/** The status changes of the given orders, each order's in the order they happened. */
export async function statusHistoryByOrderIds(q: Queryable, orderIds: readonly string[]): Promise<Array<StatusChange & { orderId: string }>> {
  // Ordered by time, then by the lifecycle's own order, so two changes in the same millisecond keep their sequence.
  const rows = await q.query<Row>(
    `SELECT order_id, status, at, by_role FROM orders.order_status_changes
      WHERE order_id = ANY($1::text[])
      ORDER BY order_id, at, array_position(ARRAY['PLACED','DEPOSIT_PAID','BALANCE_PAID','DELIVERED','CANCELLED'], status)`,
    [orderIds],
  );
  return rows.map((r) => ({ orderId: r.order_id as string, status: r.status as OrderStatus, at: date(r.at), byRole: r.by_role as StatusChange['byRole'] }));
}

const ORDER_LIST: ParentPageSpec<Order> = { table: 'orders.orders', cols: 'x.*', parentCols: ['x.user_id'], sortCol: 'x.placed_at', sortType: 'timestamptz', map: toOrder };
export const orderPages = (q: Queryable, userIds: readonly string[], after: TimeKey | null, limit: number) => pagesByParent(q, ORDER_LIST, userIds, after, limit);

/** Fully paid orders waiting for delivery (of one manufacturer, or all when `org` is null), longest-waiting first. */
export async function ordersAwaitingDelivery(q: Queryable, org: string | null, limit: number, after: TimeKey | null): Promise<Order[]> {
  const rows = await q.query(
    `SELECT * FROM orders.orders
      WHERE status = 'BALANCE_PAID' AND ($1::text IS NULL OR manufacturer_org = $1::text)
        AND ($2::timestamptz IS NULL OR (balance_paid_at, id) > ($2::timestamptz, $3::text))
      ORDER BY balance_paid_at, id LIMIT $4`,
    [org, after?.at ?? null, after?.id ?? null, limit],
  );
  return rows.map(toOrder);
}

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

/** The two payments of an order, in the order they are made. */
export type Payment = 'deposit' | 'balance';

/** What paying each takes: the state it is paid in, the state it leads to, and the columns of its amount and time. */
export const PAYMENTS: Record<Payment, { from: OrderStatus; to: OrderStatus; amountColumn: string; paidAtColumn: string }> = {
  deposit: { from: 'PLACED', to: 'DEPOSIT_PAID', amountColumn: 'deposit_fen', paidAtColumn: 'deposit_paid_at' },
  balance: { from: 'DEPOSIT_PAID', to: 'BALANCE_PAID', amountColumn: 'balance_due_fen', paidAtColumn: 'balance_paid_at' },
};

/** `payment` moves the order on (PLACED → DEPOSIT_PAID, DEPOSIT_PAID → BALANCE_PAID) for the buyer paying exactly its amount; null when any of that does not hold. */
export async function payOrder(q: Queryable, payment: Payment, id: string, userId: string, amountFen: bigint, at: Date): Promise<Order | null> {
  const { from, to, amountColumn, paidAtColumn } = PAYMENTS[payment];
  const [row] = await q.query(
    `UPDATE orders.orders SET status = $5, ${paidAtColumn} = $4
      WHERE id = $1 AND user_id = $2 AND status = $6 AND ${amountColumn} = $3 RETURNING *`,
    [id, userId, amountFen.toString(), at, to, from],
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
