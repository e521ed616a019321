/**
 * State transitions that race, through the gateway on a real database: for each pair of mutations
 * that read a row's state and then change it, fired at the same moment, exactly one outcome happens
 * and the money that follows from it is counted once. (Each subgraph's own tests cover a mutation
 * racing itself where that was the risk; these cover the pairs and the cross-subgraph ones.)
 * Run on PostgreSQL to exercise real concurrency; PGlite serialises statements and passes trivially.
 */
import { randomBytes } from 'node:crypto';
import { startTestGraph, as, type GqlResult, type TestGraph } from '../testing/harness';
import { codeOf, fen, ok } from '../testing/assertions';
import { testVin } from '../testing/fresh-ids';
import type { Identity } from '../platform/identity';
import { seedAll } from './seeding';
import { formatFen } from '../platform/money';

let g: TestGraph;
const ADMIN = as.admin();
const ROUNDS = 6;

/** Exactly one of `results` succeeded and every other one is CONFLICT; returns the index of the winner. */
function oneWinner(results: GqlResult[]): number {
  expect(results.map(codeOf).sort()).toEqual([...Array(results.length - 1).fill('CONFLICT'), 'OK']);
  return results.findIndex((r) => !r.errors);
}

const PLACE = `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id deposit { amount } balanceDue { amount } } }`;
const PAY_DEPOSIT = `mutation($o: ID!, $a: Decimal!) { payDeposit(orderId: $o, amount: $a) { status balanceDue { amount } } }`;
const PAY_BALANCE = `mutation($o: ID!, $a: Decimal!) { payBalance(orderId: $o, amount: $a) { status } }`;
const CANCEL_ORDER = `mutation($o: ID!) { cancelOrder(orderId: $o) { status } }`;
const OPEN_LOAN = `mutation($o: ID!) { openLoan(input: { orderId: $o, kind: LOAN, termMonths: 12, annualRateBps: 0 }) { id schedule { id amount { amount } } } }`;
const SPENDING = `{ me { spending { total { amount } lineCount byCategory { category total { amount } } } } }`;

async function place(user: Identity, input: Record<string, unknown> = {}) {
  return ok(await g.gql(PLACE, { i: { trimId: 'trim-ut-420', idempotencyKey: randomBytes(8).toString('hex'), ...input } }, user)).placeOrder as { id: string; deposit: { amount: string }; balanceDue: { amount: string } };
}

/** A car bought, paid and delivered to `user`; returns its VIN. */
async function deliveredCar(user: Identity, trimId: string): Promise<string> {
  const order = await place(user, { trimId });
  const { payDeposit } = ok(await g.gql(PAY_DEPOSIT, { o: order.id, a: order.deposit.amount }, user));
  ok(await g.gql(PAY_BALANCE, { o: order.id, a: payDeposit.balanceDue.amount }, user));
  const vin = testVin();
  ok(await g.gql(`mutation($o: ID!, $v: String!) { deliverOrder(orderId: $o, vin: $v) { id } }`, { o: order.id, v: vin }, ADMIN));
  return vin;
}

async function spendingOf(user: Identity) {
  const { me } = ok(await g.gql(SPENDING, {}, user));
  return me.spending as { total: { amount: string }; lineCount: number; byCategory: Array<{ category: string; total: { amount: string } }> };
}

/** An appraised trade-in of `user` worth `amount`. */
async function appraisedTradeIn(user: Identity, amount: string): Promise<string> {
  const { requestTradeIn } = ok(await g.gql(`mutation { requestTradeIn(input: { description: "2016 hatchback", year: 2016, mileageKm: 120000, dealerOrg: "gac-aion" }) { id } }`, {}, user));
  ok(await g.gql(`mutation($t: ID!, $a: Decimal!) { appraiseTradeIn(id: $t, amount: $a) { id } }`, { t: requestTradeIn.id, a: amount }, ADMIN));
  return requestTradeIn.id;
}

beforeAll(async () => {
  g = await startTestGraph();
  // The catalog, the store network and the swap stations; the users below are new.
  await seedAll(g.db, 3);
}, 120_000);

afterAll(async () => {
  await g?.stop();
});

describe('orders', () => {
  test('cancelOrder and payDeposit at once: exactly one wins, and the deposit is spending exactly when the order stands', async () => {
    const buyer = as.customer('race-canceller');
    for (let round = 0; round < ROUNDS; round++) {
      const tradeIn = await appraisedTradeIn(buyer, '8000.00');
      const order = await place(buyer, { tradeInId: tradeIn });
      const [cancel, pay] = await Promise.all([g.gql(CANCEL_ORDER, { o: order.id }, buyer), g.gql(PAY_DEPOSIT, { o: order.id, a: order.deposit.amount }, buyer)]);
      const winner = oneWinner([cancel, pay]);
      const [row] = await g.db.query<{ status: string }>(`SELECT status FROM orders.orders WHERE id = $1`, [order.id]);
      const [t] = await g.db.query<{ status: string; credited_order_id: string | null }>(`SELECT status, credited_order_id FROM orders.trade_ins WHERE id = $1`, [tradeIn]);
      const lines = await g.db.query(`SELECT 1 FROM orders.spending_lines WHERE subject_id = $1`, [order.id]);
      if (winner === 0) {
        expect([row.status, t, lines.length]).toEqual(['CANCELLED', { status: 'APPRAISED', credited_order_id: null }, 0]);
      } else {
        expect([row.status, t, lines.length]).toEqual(['DEPOSIT_PAID', { status: 'CREDITED', credited_order_id: order.id }, 1]);
      }
    }
  });

  test('payBalance twice at once: one payment, one balance line', async () => {
    const buyer = as.customer('race-balance');
    for (let round = 0; round < ROUNDS; round++) {
      const order = await place(buyer);
      const { payDeposit } = ok(await g.gql(PAY_DEPOSIT, { o: order.id, a: order.deposit.amount }, buyer));
      const results = await Promise.all([1, 2, 3].map(() => g.gql(PAY_BALANCE, { o: order.id, a: payDeposit.balanceDue.amount }, buyer)));
      oneWinner(results);
      const [changes] = await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM orders.order_status_changes WHERE order_id = $1 AND status = 'BALANCE_PAID'`, [order.id]);
      expect(changes.n).toBe('1');
    }
    const spent = await spendingOf(buyer);
    expect(spent.lineCount).toBe(ROUNDS * 2);
  });

  test('appraiseTradeIn twice at once with different values: one appraisal, and the value kept is the winner\'s', async () => {
    const owner = as.customer('race-appraisal');
    for (let round = 0; round < ROUNDS; round++) {
      const { requestTradeIn } = ok(await g.gql(`mutation { requestTradeIn(input: { description: "2018 saloon", year: 2018, mileageKm: 90000, dealerOrg: "gac-aion" }) { id } }`, {}, owner));
      const amounts = ['30000.00', '31000.00', '32500.50'];
      const results = await Promise.all(amounts.map((a) => g.gql(`mutation($t: ID!, $a: Decimal!) { appraiseTradeIn(id: $t, amount: $a) { appraisedValue { amount } } }`, { t: requestTradeIn.id, a }, ADMIN)));
      const winner = oneWinner(results);
      const [row] = await g.db.query<{ v: string }>(`SELECT appraised_value_fen::text AS v FROM orders.trade_ins WHERE id = $1`, [requestTradeIn.id]);
      expect(formatFen(BigInt(row.v))).toBe(amounts[winner]);
    }
  });

  test('placing an order with a trade-in while the order holding it is cancelled: the trade-in backs at most one live order, and is credited to it', async () => {
    const buyer = as.customer('race-trade-in');
    for (let round = 0; round < ROUNDS; round++) {
      const tradeIn = await appraisedTradeIn(buyer, '6000.00');
      const first = await place(buyer, { tradeInId: tradeIn });
      const [cancel, second] = await Promise.all([
        g.gql(CANCEL_ORDER, { o: first.id }, buyer),
        g.gql(PLACE, { i: { trimId: 'trim-ut-330', tradeInId: tradeIn, idempotencyKey: randomBytes(8).toString('hex') } }, buyer),
      ]);
      expect(cancel.errors).toBeUndefined();
      // The second order gets the trade-in only if the cancellation released it first.
      if (second.errors) expect(codeOf(second)).toBe('CONFLICT');
      const live = await g.db.query<{ id: string }>(`SELECT id FROM orders.orders WHERE trade_in_id = $1 AND status <> 'CANCELLED'`, [tradeIn]);
      const [t] = await g.db.query<{ status: string; credited_order_id: string | null }>(`SELECT status, credited_order_id FROM orders.trade_ins WHERE id = $1`, [tradeIn]);
      if (second.errors) {
        expect([live, t]).toEqual([[], { status: 'APPRAISED', credited_order_id: null }]);
      } else {
        expect([live, t]).toEqual([[{ id: second.data.placeOrder.id }], { status: 'CREDITED', credited_order_id: second.data.placeOrder.id }]);
      }
    }
  });
});

describe('finance × orders', () => {
  test('openLoan and cancelOrder at once never leave a loan on a cancelled order: an order is financed only once its deposit is paid, and then it cannot be cancelled', async () => {
    const buyer = as.customer('race-financer');
    for (let round = 0; round < ROUNDS; round++) {
      const order = await place(buyer, { financedAmount: '30000.00' });
      const [loan, cancel] = await Promise.all([g.gql(OPEN_LOAN, { o: order.id }, buyer), g.gql(CANCEL_ORDER, { o: order.id }, buyer)]);
      expect(cancel.errors).toBeUndefined();
      expect(codeOf(loan)).toBe('CONFLICT');
      expect(await g.db.query(`SELECT 1 FROM finance.loans WHERE order_id = $1`, [order.id])).toEqual([]);

      const paid = await place(buyer, { financedAmount: '30000.00' });
      ok(await g.gql(PAY_DEPOSIT, { o: paid.id, a: paid.deposit.amount }, buyer));
      const [loan2, cancel2] = await Promise.all([g.gql(OPEN_LOAN, { o: paid.id }, buyer), g.gql(CANCEL_ORDER, { o: paid.id }, buyer)]);
      expect([loan2.errors, codeOf(cancel2)]).toEqual([undefined, 'CONFLICT']);
    }
    // Every loan this buyer has is on an order that stands.
    const orphans = await g.db.query(
      `SELECT l.id FROM finance.loans l JOIN orders.orders o ON o.id = l.order_id WHERE l.user_id = $1 AND o.status IN ('PLACED', 'CANCELLED')`,
      [buyer.sub],
    );
    expect(orphans).toEqual([]);
  });

  test('an instalment of 0.00 (a loan of a few fen) is paid in its turn but moves no money, so it is not a spending line', async () => {
    const buyer = as.customer('race-tiny-loan');
    const order = await place(buyer, { financedAmount: '0.06' });
    ok(await g.gql(PAY_DEPOSIT, { o: order.id, a: order.deposit.amount }, buyer));
    const { openLoan } = ok(await g.gql(OPEN_LOAN, { o: order.id }, buyer));
    // 6 fen over 12 months at 0%: six instalments of 0.01, then six of 0.00.
    expect(openLoan.schedule.map((i: any) => i.amount.amount)).toEqual([...Array(6).fill('0.01'), ...Array(6).fill('0.00')]);
    for (const inst of openLoan.schedule.slice(0, 8)) {
      ok(await g.gql(`mutation($i: ID!, $a: Decimal!) { payInstalment(instalmentId: $i, amount: $a) { status } }`, { i: inst.id, a: inst.amount.amount }, buyer));
    }
    const spent = await spendingOf(buyer);
    expect(spent.byCategory.find((c) => c.category === 'LOAN_INSTALMENT')).toEqual({ category: 'LOAN_INSTALMENT', total: { amount: '0.06' } });
    // The deposit and six instalments of 0.01; the two paid 0.00 instalments are not lines.
    expect(spent.lineCount).toBe(1 + 6);
    const [paid] = await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM finance.instalments i JOIN finance.loans l ON l.id = i.loan_id WHERE l.order_id = $1 AND i.status = 'PAID'`, [order.id]);
    expect(paid.n).toBe('8');
  });
});

describe('aftermarket', () => {
  test('issueInvoice and cancelAppointment at once: exactly one wins; a cancelled appointment has no invoice and costs nothing', async () => {
    const owner = as.customer('race-service');
    const vin = await deliveredCar(owner, 'trim-ut-420');
    const [store] = await g.db.query<{ id: string }>(`SELECT id FROM aftermarket.stores WHERE 'REPAIR' = ANY(services) ORDER BY id LIMIT 1`);
    for (let round = 0; round < ROUNDS; round++) {
      const at = new Date(Date.now() + (round + 1) * 86_400_000).toISOString();
      const { bookService } = ok(await g.gql(`mutation($i: BookServiceInput!) { bookService(input: $i) { id } }`, { i: { storeId: store.id, vin, serviceType: 'REPAIR', scheduledAt: at } }, owner));
      // Its time comes (an invoice cannot precede its appointment), each round at its own past slot.
      await g.db.query(`UPDATE aftermarket.appointments SET scheduled_at = scheduled_at - interval '30 days' WHERE id = $1`, [bookService.id]);
      const before = fen((await spendingOf(owner)).total);
      const [invoice, cancel] = await Promise.all([
        g.gql(`mutation($a: ID!) { issueInvoice(input: { appointmentId: $a, lines: [{ kind: PART, description: "Brake pads", quantity: 1, unitPrice: "480.00", warrantyCovered: false }] }) { id } }`, { a: bookService.id }, ADMIN),
        g.gql(`mutation($a: ID!) { cancelAppointment(id: $a) { status } }`, { a: bookService.id }, owner),
      ]);
      const winner = oneWinner([invoice, cancel]);
      const [appt] = await g.db.query<{ status: string }>(`SELECT status FROM aftermarket.appointments WHERE id = $1`, [bookService.id]);
      const invoices = await g.db.query(`SELECT 1 FROM aftermarket.invoices WHERE appointment_id = $1`, [bookService.id]);
      const after = fen((await spendingOf(owner)).total);
      if (winner === 0) expect([appt.status, invoices.length, after - before]).toEqual(['COMPLETED', 1, 48_000n]);
      else expect([appt.status, invoices.length, after - before]).toEqual(['CANCELLED', 0, 0n]);
    }
  });
});

describe('energy', () => {
  test('cancelBatterySubscription twice at once: one cancellation; chargeSubscriptionMonth for a month after it is refused', async () => {
    const owner = as.customer('race-subscriber');
    const vin = await deliveredCar(owner, 'trim-ut-swap-420-rental');
    for (let round = 0; round < ROUNDS; round++) {
      const { subscribeBatteryPlan } = ok(await g.gql(`mutation($v: String!) { subscribeBatteryPlan(input: { vin: $v, planId: "bplan-lite" }) { id } }`, { v: vin }, owner));
      const results = await Promise.all([1, 2, 3].map(() => g.gql(`mutation($s: ID!) { cancelBatterySubscription(id: $s) { status cancelledAt } }`, { s: subscribeBatteryPlan.id }, owner)));
      oneWinner(results);
      const next = new Date();
      next.setUTCMonth(next.getUTCMonth() + 1, 1);
      const late = await g.gql(`mutation($s: ID!, $p: String!) { chargeSubscriptionMonth(subscriptionId: $s, period: $p) { id } }`, { s: subscribeBatteryPlan.id, p: next.toISOString().slice(0, 7) }, ADMIN);
      expect(codeOf(late)).toBe('BAD_USER_INPUT');
    }
    // Each subscription charged its first month once: ROUNDS charges of the plan's monthly fee.
    const spent = await spendingOf(owner);
    expect(spent.byCategory.find((c) => c.category === 'BATTERY_SUBSCRIPTION')).toEqual({ category: 'BATTERY_SUBSCRIPTION', total: { amount: formatFen(39_900n * BigInt(ROUNDS)) } });
  });

  test('subscribing and cancelling the same vehicle\'s plan at once leaves at most one active plan, each charged its first month once', async () => {
    const owner = as.customer('race-resubscriber');
    const vin = await deliveredCar(owner, 'trim-ut-swap-420-rental');
    let { subscribeBatteryPlan: current } = ok(await g.gql(`mutation($v: String!) { subscribeBatteryPlan(input: { vin: $v, planId: "bplan-standard" }) { id } }`, { v: vin }, owner));
    for (let round = 0; round < ROUNDS; round++) {
      const [cancel, subscribe] = await Promise.all([
        g.gql(`mutation($s: ID!) { cancelBatterySubscription(id: $s) { status } }`, { s: current.id }, owner),
        g.gql(`mutation($v: String!) { subscribeBatteryPlan(input: { vin: $v, planId: "bplan-standard" }) { id } }`, { v: vin }, owner),
      ]);
      expect(cancel.errors).toBeUndefined();
      if (subscribe.errors) {
        expect(codeOf(subscribe)).toBe('CONFLICT');
        current = ok(await g.gql(`mutation($v: String!) { subscribeBatteryPlan(input: { vin: $v, planId: "bplan-standard" }) { id } }`, { v: vin }, owner)).subscribeBatteryPlan;
      } else {
        current = subscribe.data.subscribeBatteryPlan;
      }
      const active = await g.db.query(`SELECT id FROM energy.battery_subscriptions WHERE vin = $1 AND status = 'ACTIVE'`, [vin]);
      expect(active).toEqual([{ id: current.id }]);
    }
    const [subs] = await g.db.query<{ n: string; charges: string }>(
      `SELECT count(*)::text AS n, (SELECT count(*) FROM energy.subscription_charges c JOIN energy.battery_subscriptions b ON b.id = c.subscription_id WHERE b.vin = $1)::text AS charges
         FROM energy.battery_subscriptions WHERE vin = $1`,
      [vin],
    );
    expect(subs.charges).toBe(subs.n);
  });
});
