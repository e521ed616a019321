/**
 * The SQL of trade-ins (`orders.trade_ins`): asked of a manufacturer's dealer, appraised once, credited
 * to one order (and released again when that order is cancelled). State changes are conditional updates.
 */
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';
import { date, maybeDate, type Row } from './rows';
import type { TimeKey } from '../../kit/pagination';
import { pagesByParent, type ParentPageSpec } from '../../kit/parent-pages';

export type TradeInStatus = 'REQUESTED' | 'APPRAISED' | 'CREDITED';

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

export async function tradeInsByIds(q: Queryable, ids: readonly string[]): Promise<TradeIn[]> {
  const rows = await q.query(`SELECT * FROM orders.trade_ins WHERE id = ANY($1::text[])`, [ids]);
  return rows.map(toTradeIn);
}

const TRADE_IN_LIST: ParentPageSpec<TradeIn> = { table: 'orders.trade_ins', cols: 'x.*', parentCols: ['x.user_id'], sortCol: 'x.requested_at', sortType: 'timestamptz', map: toTradeIn };
export const tradeInPages = (q: Queryable, userIds: readonly string[], after: TimeKey | null, limit: number) => pagesByParent(q, TRADE_IN_LIST, userIds, after, limit);

/**
 * Trade-ins waiting for an appraisal (those asked of `dealerOrg`, or all when it is null), oldest
 * first, after the sort key (time, id).
 */
export async function tradeInsAwaitingAppraisal(q: Queryable, dealerOrg: string | null, limit: number, after: TimeKey | null): Promise<TradeIn[]> {
  const rows = await q.query(
    `SELECT * FROM orders.trade_ins
      WHERE status = 'REQUESTED' AND ($4::text IS NULL OR dealer_org = $4::text)
        AND ($1::timestamptz IS NULL OR (requested_at, id) > ($1::timestamptz, $2::text))
      ORDER BY requested_at, id LIMIT $3`,
    [after?.at ?? null, after?.id ?? null, limit, dealerOrg],
  );
  return rows.map(toTradeIn);
}

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
