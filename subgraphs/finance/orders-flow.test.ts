/**
 * Finance flows that need the orders subgraph, through the gateway: opening a loan for an order placed
 * with `placeOrder` (orders is asked, as a service, who owns it and how much is financed), and buying
 * insurance for a vehicle delivered with `deliverOrder` (orders is asked who owns the VIN).
 * The catalog seed stage provides the trims orders prices from.
 */
import { as, startTestGraph, type TestGraph } from '../../testing/harness';
import { codeOf, fen, messageOf } from '../../testing/assertions';
import { formatFen } from '../../platform/money';
import { Rng, SeedWorld, seedUsers } from '../kit/seed';
import { runSeedStages } from '../../testing/seed';
import { addMonthsUtc } from './schedule';
import { writeFinanceRows } from './seed';

let g: TestGraph;

const PLACE = `mutation P($input: PlaceOrderInput!) { placeOrder(input: $input) { id status totalPrice { amount } deposit { amount } financedAmount { amount } balanceDue { amount } } }`;
const OPEN = `mutation O($input: OpenLoanInput!) {
  openLoan(input: $input) {
    id kind status userId termMonths annualRateBps openedAt
    order { id }
    principal { amount }
    outstandingPrincipal { amount }
    totalInterest { amount }
    nextInstalment { id sequence dueDate }
    schedule { id sequence status dueDate amount { amount } principalPart { amount } interestPart { amount } }
  }
}`;
const BUY = `mutation B($input: BuyInsuranceInput!) { buyInsurance(input: $input) { id status product insurerOrg premium { amount } startsAt endsAt purchasedAt userId vehicle { vin } } }`;

let keyCounter = 0;
/** Places an order for `user` through the orders subgraph; `financed` is the Decimal financed amount (null for cash). */
async function placeOrder(user: string, financed: string | null): Promise<{ id: string; totalPrice: { amount: string }; deposit: { amount: string }; balanceDue: { amount: string } }> {
  const r = await g.gql(PLACE, { input: { trimId: 'trim-ut-420', financedAmount: financed, idempotencyKey: `fin-test-${++keyCounter}` } }, as.customer(user));
  if (r.errors) throw new Error(`placeOrder failed: ${JSON.stringify(r.errors)}`);
  return r.data.placeOrder;
}

/** Places an order and pays its deposit: an order is financed once its deposit is paid. */
async function placeOrderWithDeposit(user: string, financed: string) {
  const order = await placeOrder(user, financed);
  const r = await g.gql(`mutation($id: ID!, $a: Decimal!) { payDeposit(orderId: $id, amount: $a) { id } }`, { id: order.id, a: order.deposit.amount }, as.customer(user));
  if (r.errors) throw new Error(`payDeposit failed: ${JSON.stringify(r.errors)}`);
  return order;
}

const loanInput = (orderId: string, patch: Record<string, unknown> = {}) => ({ orderId, kind: 'LOAN', termMonths: 36, annualRateBps: 399, ...patch });

beforeAll(async () => {
  g = await startTestGraph();
  await runSeedStages(g.db, new SeedWorld({ rng: new Rng(3), users: seedUsers(1) }), ['catalog']);
});

afterAll(async () => {
  await g?.stop();
});

describe('openLoan', () => {
  test('opens a loan for the financed amount of your order with a full schedule, first instalment due one month later; the order and me.loans show it', async () => {
    const order = await placeOrderWithDeposit('fin-borrower', '50000.00');
    const before = Date.now();
    const r = await g.gql(OPEN, { input: loanInput(order.id) }, as.customer('fin-borrower'));
    expect(r.errors).toBeUndefined();
    const loan = r.data.openLoan;
    expect(loan).toMatchObject({ kind: 'LOAN', status: 'ACTIVE', userId: 'fin-borrower', termMonths: 36, annualRateBps: 399, order: { id: order.id }, principal: { amount: '50000.00' }, outstandingPrincipal: { amount: '50000.00' } });
    expect(loan.schedule).toHaveLength(36);
    expect(loan.schedule.every((i: any) => i.status === 'DUE')).toBe(true);
    expect(loan.schedule.reduce((s: bigint, i: any) => s + fen(i.principalPart.amount), 0n)).toBe(5_000_000n);
    expect(loan.schedule.reduce((s: bigint, i: any) => s + fen(i.interestPart.amount), 0n)).toBe(fen(loan.totalInterest.amount));
    const openedAt = new Date(loan.openedAt);
    expect(openedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(loan.schedule[0].dueDate).toBe(addMonthsUtc(openedAt, 1).toISOString());
    expect(loan.nextInstalment).toMatchObject({ id: loan.schedule[0].id, sequence: 1 });

    const viaOrder = await g.gql(`query($id: ID!) { order(id: $id) { id financedAmount { amount } loan { id principal { amount } } } }`, { id: order.id }, as.customer('fin-borrower'));
    expect(viaOrder.errors).toBeUndefined();
    expect(viaOrder.data.order.loan).toEqual({ id: loan.id, principal: { amount: '50000.00' } });
    const mine = await g.gql(`{ me { loans { edges { node { id order { id } } } } } }`, {}, as.customer('fin-borrower'));
    expect(mine.data.me.loans.edges.map((e: any) => e.node)).toEqual([{ id: loan.id, order: { id: order.id } }]);
  });

  test('a second loan for the same order is CONFLICT, also when both are opened at once', async () => {
    const order = await placeOrderWithDeposit('fin-borrower', '30000.00');
    expect((await g.gql(OPEN, { input: loanInput(order.id) }, as.customer('fin-borrower'))).errors).toBeUndefined();
    const again = await g.gql(OPEN, { input: loanInput(order.id, { kind: 'LEASE', termMonths: 12 }) }, as.customer('fin-borrower'));
    expect(codeOf(again)).toBe('CONFLICT');

    const raced = await placeOrderWithDeposit('fin-borrower', '40000.00');
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => g.gql(OPEN, { input: loanInput(raced.id, { termMonths: [12, 24, 48, 60][i] }) }, as.customer('fin-borrower'))));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => codeOf(r) === 'CONFLICT').length).toBe(3);
    const n = await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM finance.loans WHERE order_id = $1`, [raced.id]);
    expect(n[0].n).toBe('1');
    const winner = results.find((r) => !r.errors)!.data.openLoan;
    const rows = await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM finance.instalments WHERE loan_id = $1`, [winner.id]);
    expect(Number(rows[0].n)).toBe(winner.termMonths);
  });

  test("another customer's order is NOT_FOUND like an unknown order (orders' verdict passes through)", async () => {
    const order = await placeOrder('fin-owner', '20000.00');
    expect(codeOf(await g.gql(OPEN, { input: loanInput(order.id) }, as.customer('fin-intruder')))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(OPEN, { input: loanInput('ord-doesnotexist') }, as.customer('fin-owner')))).toBe('NOT_FOUND');
    expect((await g.db.query(`SELECT 1 FROM finance.loans WHERE order_id = $1`, [order.id])).length).toBe(0);
  });

  test('a cash order (nothing financed) is BAD_USER_INPUT; an order whose deposit is unpaid, or a cancelled one, is CONFLICT', async () => {
    const cash = await placeOrder('fin-owner', null);
    const r = await g.gql(OPEN, { input: loanInput(cash.id) }, as.customer('fin-owner'));
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(messageOf(r)).toContain('nothing to finance');
    const unpaid = await placeOrder('fin-owner', '10000.00');
    const early = await g.gql(OPEN, { input: loanInput(unpaid.id) }, as.customer('fin-owner'));
    expect(codeOf(early)).toBe('CONFLICT');
    expect(messageOf(early)).toContain('pay the deposit');
    expect((await g.gql(`mutation($id: ID!) { cancelOrder(orderId: $id) { id status } }`, { id: unpaid.id }, as.customer('fin-owner'))).errors).toBeUndefined();
    expect(codeOf(await g.gql(OPEN, { input: loanInput(unpaid.id) }, as.customer('fin-owner')))).toBe('CONFLICT');
    expect((await g.db.query(`SELECT 1 FROM finance.loans WHERE order_id = $1`, [unpaid.id])).length).toBe(0);
  });

  test('a LEASE at 0% splits the principal into equal instalments with no interest, and can be paid through the graph', async () => {
    const order = await placeOrderWithDeposit('fin-lessee', '36000.00');
    const r = await g.gql(OPEN, { input: loanInput(order.id, { kind: 'LEASE', annualRateBps: 0 }) }, as.customer('fin-lessee'));
    expect(r.errors).toBeUndefined();
    const lease = r.data.openLoan;
    expect(lease.kind).toBe('LEASE');
    expect(lease.totalInterest.amount).toBe('0.00');
    expect(new Set(lease.schedule.map((i: any) => i.amount.amount))).toEqual(new Set(['1000.00']));
    const pay = await g.gql(`mutation($id: ID!, $a: Decimal!) { payInstalment(instalmentId: $id, amount: $a) { status loan { outstandingPrincipal { amount } } } }`, { id: lease.schedule[0].id, a: '1000.00' }, as.customer('fin-lessee'));
    expect(pay.data.payInstalment).toEqual({ status: 'PAID', loan: { outstandingPrincipal: { amount: '35000.00' } } });
  });
});

describe('buyInsurance', () => {
  const VIN = 'LGBH52E05PY100001';
  let orderId: string;

  beforeAll(async () => {
    // A delivered car: deposit, balance, then delivery by an admin.
    const order = await placeOrder('fin-driver', null);
    orderId = order.id;
    const dep = await g.gql(`mutation($id: ID!, $a: Decimal!) { payDeposit(orderId: $id, amount: $a) { id balanceDue { amount } } }`, { id: order.id, a: order.deposit.amount }, as.customer('fin-driver'));
    if (dep.errors) throw new Error(JSON.stringify(dep.errors));
    const bal = await g.gql(`mutation($id: ID!, $a: Decimal!) { payBalance(orderId: $id, amount: $a) { id } }`, { id: order.id, a: dep.data.payDeposit.balanceDue.amount }, as.customer('fin-driver'));
    if (bal.errors) throw new Error(JSON.stringify(bal.errors));
    const del = await g.gql(`mutation($id: ID!, $vin: String!) { deliverOrder(orderId: $id, vin: $vin) { id status } }`, { id: order.id, vin: VIN }, as.admin());
    if (del.errors) throw new Error(JSON.stringify(del.errors));
  });

  test('buys a year of compulsory cover on your vehicle at the product premium; it shows on the vehicle, on me, and in spending', async () => {
    const before = Date.now();
    const r = await g.gql(BUY, { input: { vin: VIN.toLowerCase(), productId: 'insp-pingan-compulsory' } }, as.customer('fin-driver'));
    expect(r.errors).toBeUndefined();
    const p = r.data.buyInsurance;
    expect(p).toMatchObject({ status: 'ACTIVE', product: 'COMPULSORY', insurerOrg: 'pingan-insurance', premium: { amount: '950.00' }, userId: 'fin-driver', vehicle: { vin: VIN } });
    expect(new Date(p.startsAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(p.endsAt).toBe(addMonthsUtc(new Date(p.startsAt), 12).toISOString());
    expect(p.purchasedAt).toBe(p.startsAt);

    const onVehicle = await g.gql(`query($vin: String!) { vehicle(vin: $vin) { vin insurancePolicies { id premium { amount } } } }`, { vin: VIN }, as.customer('fin-driver'));
    expect(onVehicle.errors).toBeUndefined();
    expect(onVehicle.data.vehicle.insurancePolicies).toEqual([{ id: p.id, premium: { amount: '950.00' } }]);
    const spending = await g.gql(`{ me { spending { byCategory { category total { amount } } } } }`, {}, as.customer('fin-driver'));
    expect(spending.data.me.spending.byCategory.find((c: any) => c.category === 'INSURANCE')).toEqual({ category: 'INSURANCE', total: { amount: '950.00' } });
  });

  test('buying the same kind again while cover runs for more than 30 days is CONFLICT, also when two purchases race', async () => {
    const again = await g.gql(BUY, { input: { vin: VIN, productId: 'insp-picc-compulsory' } }, as.customer('fin-driver'));
    expect(codeOf(again)).toBe('CONFLICT');
    const results = await Promise.all(Array.from({ length: 3 }, () => g.gql(BUY, { input: { vin: VIN, productId: 'insp-cpic-commercial' } }, as.customer('fin-driver'))));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => codeOf(r) === 'CONFLICT').length).toBe(2);
  });

  test('a renewal bought in the last 30 days of cover starts when the running cover ends (UPCOMING)', async () => {
    const vin = 'LGBH52E05PY100002';
    const order = await placeOrder('fin-renewer', null);
    const dep = await g.gql(`mutation($id: ID!, $a: Decimal!) { payDeposit(orderId: $id, amount: $a) { balanceDue { amount } } }`, { id: order.id, a: order.deposit.amount }, as.customer('fin-renewer'));
    await g.gql(`mutation($id: ID!, $a: Decimal!) { payBalance(orderId: $id, amount: $a) { id } }`, { id: order.id, a: dep.data.payDeposit.balanceDue.amount }, as.customer('fin-renewer'));
    expect((await g.gql(`mutation($id: ID!, $vin: String!) { deliverOrder(orderId: $id, vin: $vin) { id } }`, { id: order.id, vin }, as.admin())).errors).toBeUndefined();
    const endsAt = new Date(Date.now() + 10 * 86_400_000);
    await writeFinanceRows(g.db, {
      loans: [],
      instalments: [],
      policies: [{ id: 'pol-running', vin, userId: 'fin-renewer', productId: 'insp-picc-commercial', premiumFen: 542_000n, startsAt: new Date(endsAt.getTime() - 365 * 86_400_000), endsAt, purchasedAt: new Date(endsAt.getTime() - 366 * 86_400_000) }],
    });
    const r = await g.gql(BUY, { input: { vin, productId: 'insp-picc-commercial' } }, as.customer('fin-renewer'));
    expect(r.errors).toBeUndefined();
    expect(r.data.buyInsurance).toMatchObject({ status: 'UPCOMING', startsAt: endsAt.toISOString(), endsAt: addMonthsUtc(endsAt, 12).toISOString(), premium: { amount: '5420.00' } });
    // The premium is spent now, when it is paid, even though cover starts later.
    const spending = await g.gql(`{ me { spending { byCategory { category total { amount } } } } }`, {}, as.customer('fin-renewer'));
    expect(spending.data.me.spending.byCategory.find((c: any) => c.category === 'INSURANCE').total.amount).toBe(formatFen(542_000n * 2n));
  });

  test("another customer's vehicle is NOT_FOUND like an unknown VIN", async () => {
    expect(codeOf(await g.gql(BUY, { input: { vin: VIN, productId: 'insp-pingan-commercial' } }, as.customer('fin-intruder')))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(BUY, { input: { vin: 'LGBH52E05PY999999', productId: 'insp-pingan-commercial' } }, as.customer('fin-driver')))).toBe('NOT_FOUND');
    // The refused purchases left the driver's delivered cash order as the setup made it: fully paid, nothing financed, carrying the VIN.
    expect(orderId).toMatch(/^ord-[0-9a-f]{20}$/);
    const o = await g.gql(
      `query($id: ID!) { order(id: $id) { id status userId totalPrice { amount } deposit { amount } depositDue { amount } financedAmount { amount } balance { amount } balanceDue { amount } amountDue { amount } amountPaid { amount } vehicle { vin } } }`,
      { id: orderId },
      as.customer('fin-driver'),
    );
    expect(o.errors).toBeUndefined();
    expect(o.data.order).toEqual({
      id: orderId,
      status: 'DELIVERED',
      userId: 'fin-driver',
      totalPrice: { amount: '79800.00' },
      deposit: { amount: '5000.00' },
      depositDue: { amount: '0.00' },
      financedAmount: { amount: '0.00' },
      balance: { amount: '74800.00' },
      balanceDue: { amount: '0.00' },
      amountDue: { amount: '0.00' },
      amountPaid: { amount: '79800.00' },
      vehicle: { vin: VIN },
    });
  });
});
