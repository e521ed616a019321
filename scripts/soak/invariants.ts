/**
 * What the soak run checks at its end, against the database itself and the graph's own answer: every
 * acknowledged mutation is in the database exactly once (an order per acknowledged placeOrder, under its
 * idempotency key; a status change per acknowledged payment), nothing is there that the run never asked
 * for, and each buyer's money reconciles to the fen — the paid amounts in the orders table, the sum of
 * acknowledged payments (plus those whose answer was lost but which landed) and the headline total the
 * gateway reports are one number.
 */
import type { Queryable } from '../../platform/db';
import { fenFromDb, formatFen } from '../../platform/money';
import type { Acknowledged } from './traffic';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

interface OrderRow {
  id: string;
  user_id: string;
  idempotency_key: string;
  deposit_fen: string;
  balance_due_fen: string;
  deposit_paid: boolean;
  balance_paid: boolean;
  changes: string[];
}

/** Checks the ledger of acknowledged mutations against the orders of `buyers`; `headlineFen` is each buyer's total as the gateway reported it. */
export async function checkInvariants(db: Queryable, buyers: string[], acknowledged: Acknowledged[], headlineFen: Map<string, bigint | Error>): Promise<Check[]> {
  const rows = await db.query<OrderRow>(
    `SELECT o.id, o.user_id, o.idempotency_key, o.deposit_fen, o.balance_due_fen,
            o.deposit_paid_at IS NOT NULL AS deposit_paid, o.balance_paid_at IS NOT NULL AS balance_paid,
            array(SELECT c.status FROM orders.order_status_changes c WHERE c.order_id = o.id ORDER BY c.status) AS changes
       FROM orders.orders o WHERE o.user_id = ANY($1)`,
    [buyers],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const checks: Check[] = [];

  const placed = acknowledged.filter((a) => a.kind === 'placeOrder');
  const missing = placed.filter((a) => !byId.has(a.orderId));
  const sameKey = placed.filter((a) => rows.filter((r) => r.user_id === a.userId && r.idempotency_key === a.idempotencyKey).length !== 1);
  const placedTwice = placed.length - new Set(placed.map((a) => a.orderId)).size;
  checks.push({
    name: 'every acknowledged placeOrder is one order row',
    ok: missing.length === 0 && sameKey.length === 0 && placedTwice === 0,
    detail: `${placed.length} acknowledged, ${missing.length} missing, ${sameKey.length} keys without exactly one row, ${placedTwice} acknowledged twice`,
  });
  const acknowledgedIds = new Set(placed.map((a) => a.orderId));
  const unasked = rows.filter((r) => !acknowledgedIds.has(r.id));
  checks.push({ name: 'orders whose placeOrder answer was lost (at most one per buyer: its retry key)', ok: unasked.length <= buyers.length, detail: `${unasked.length} of ${rows.length} rows` });

  for (const kind of ['payDeposit', 'payBalance'] as const) {
    const status = kind === 'payDeposit' ? 'DEPOSIT_PAID' : 'BALANCE_PAID';
    const acks = acknowledged.filter((a) => a.kind === kind);
    const lost = acks.filter((a) => !byId.get(a.orderId)?.changes.includes(status));
    const twice = acks.length - new Set(acks.map((a) => a.orderId)).size;
    checks.push({ name: `every acknowledged ${kind} is one ${status} change`, ok: lost.length === 0 && twice === 0, detail: `${acks.length} acknowledged, ${lost.length} not in the database, ${twice} acknowledged twice` });
  }

  // Money, per buyer: what the orders table says was paid, what the run was told it paid, what the graph reports.
  const problems: string[] = [];
  let totalFen = 0n;
  for (const userId of buyers) {
    const mine = rows.filter((r) => r.user_id === userId);
    const paidFen = mine.reduce((sum, r) => sum + (r.deposit_paid ? fenFromDb(r.deposit_fen) : 0n) + (r.balance_paid ? fenFromDb(r.balance_due_fen) : 0n), 0n);
    const ackFen = acknowledged.filter((a) => a.userId === userId).reduce((sum, a) => sum + a.fen, 0n);
    totalFen += paidFen;
    const reported = headlineFen.get(userId);
    if (ackFen > paidFen) problems.push(`${userId}: acknowledged ${formatFen(ackFen)} but the orders hold ${formatFen(paidFen)}`);
    if (reported instanceof Error || reported === undefined) problems.push(`${userId}: no headline total (${reported instanceof Error ? reported.message : 'not asked'})`);
    else if (reported !== paidFen) problems.push(`${userId}: the headline total is ${formatFen(reported)} but the orders hold ${formatFen(paidFen)}`);
  }
  checks.push({ name: "every buyer's money reconciles to the fen (acknowledged ≤ paid in the orders table = headline total)", ok: problems.length === 0, detail: problems.length ? problems.slice(0, 5).join('; ') : `${buyers.length} buyers, ${formatFen(totalFen)} paid in all` });
  return checks;
}
