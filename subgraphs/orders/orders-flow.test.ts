/**
 * The buying flow through the gateway: test drive, trade-in, a configured order priced by the catalog,
 * deposit, balance, delivery; what the buyer then sees (lists, vehicle, spending); and what other
 * subgraphs read as the `service` role.
 */
import { pseudonym } from '../kit/auth';
import {
  APPRAISE,
  appraisedTradeIn,
  buyCar,
  DELIVER,
  ORDER_FIELDS,
  PAY_BALANCE,
  PAY_DEPOSIT,
  placeOrder,
  REQUEST_TRADE_IN,
  startOrdersGraph,
  type OrdersTestGraph,
} from '../../testing/orders';
import { formatFen } from '../../platform/money';
import { as } from '../../testing/harness';
import { codeOf, fen, ok } from '../../testing/assertions';
import { freshUser, testVin } from '../../testing/fresh-ids';

let t: OrdersTestGraph;
beforeAll(async () => {
  t = await startOrdersGraph();
});
afterAll(async () => {
  await t?.g.stop();
});

const QUOTE = `query($t: ID!, $c: ID, $p: ID, $a: [ID!]) { quote(trimId: $t, colourId: $c, packageId: $p, accessoryIds: $a) {
  total { amount } lines { kind refId description amount { amount } } } }`;

const SPENDING = `query($first: Int, $after: String) { me { spending {
  total { amount } lineCount byCategory { category total { amount } } byMonth { month total { amount } }
  lines(first: $first, after: $after) { edges { cursor node { id occurredAt category description amount { amount }
    paidFor { __typename ... on Order { id orderStatus: status } ... on TradeIn { id tradeInStatus: status } } } } pageInfo { hasNextPage endCursor } } } } }`;

test('a customer test-drives, trades in, orders a configured car and pays; a partner of its manufacturer delivers it', async () => {
  const { g, catalog } = t;
  const buyer = freshUser('buyer');
  const me = as.customer(buyer);

  const at = new Date(Date.now() + 3 * 86_400_000).toISOString();
  const drive = ok(await g.gql(`mutation($i: BookTestDriveInput!) { bookTestDrive(input: $i) { id trim { id } city at status } }`, { i: { trimId: t.trim.id, city: ' Guangzhou ', at } }, me)).bookTestDrive;
  expect(drive).toMatchObject({ trim: { id: t.trim.id }, city: 'Guangzhou', at, status: 'BOOKED' });

  const tradeInId = ok(await g.gql(REQUEST_TRADE_IN, { input: { description: '2015 Honda Fit 1.5', year: 2015, mileageKm: 120000, dealerOrg: 'gac-aion' } }, me)).requestTradeIn.id;
  const appraised = ok(await g.gql(APPRAISE, { id: tradeInId, amount: '12345.67' }, as.partner('appraiser-1', t.org))).appraiseTradeIn;
  expect(appraised).toEqual({ id: tradeInId, status: 'APPRAISED', appraisedValue: { amount: '12345.67' } });

  const config = { trimId: t.trim.id, colourId: catalog.colours[3].id, packageId: catalog.packages[3].id, accessoryIds: catalog.accessories.slice(0, 2).map((a) => a.id) };
  const quoted = ok(await g.gql(QUOTE, { t: config.trimId, c: config.colourId, p: config.packageId, a: config.accessoryIds })).quote;

  const placed = await placeOrder(g, buyer, { ...config, financedAmount: '30000.00', tradeInId });
  const total = fen(quoted.total);
  expect(placed).toMatchObject({
    userId: buyer,
    status: 'PLACED',
    totalPrice: { amount: quoted.total.amount, currency: 'CNY' },
    deposit: { amount: '5000.00' },
    tradeInCredit: { amount: '12345.67' },
    financedAmount: { amount: '30000.00' },
    balanceDue: { amount: formatFen(total - 500_000n - 1_234_567n - 3_000_000n) },
    amountPaid: { amount: '0.00' },
    batteryRental: false,
    manufacturerOrg: t.org,
    trim: { id: config.trimId },
    colour: { id: config.colourId },
    package: { id: config.packageId },
    accessories: config.accessoryIds.map((id) => ({ id })),
    tradeIn: { id: tradeInId, status: 'CREDITED' },
    vehicle: null,
  });
  expect(placed.priceLines).toEqual(quoted.lines);
  expect(placed.priceLines.reduce((s: bigint, l: { amount: { amount: string } }) => s + fen(l.amount), 0n)).toBe(total);
  expect(placed.statusHistory).toEqual([{ status: 'PLACED', at: placed.placedAt, byRole: 'CUSTOMER' }]);

  const depositPaid = ok(await g.gql(PAY_DEPOSIT, { id: placed.id, amount: '5000.00' }, me)).payDeposit;
  expect(depositPaid).toMatchObject({ status: 'DEPOSIT_PAID', amountPaid: { amount: '5000.00' } });
  const balancePaid = ok(await g.gql(PAY_BALANCE, { id: placed.id, amount: placed.balanceDue.amount }, me)).payBalance;
  expect(balancePaid).toMatchObject({ status: 'BALANCE_PAID', amountPaid: { amount: formatFen(500_000n + fen(placed.balanceDue)) } });

  const queue = `{ ordersAwaitingDelivery(first: 100) { edges { node { id } } } }`;
  const ownQueue = ok(await g.gql(queue, {}, as.partner('p-gac', t.org))).ordersAwaitingDelivery.edges.map((e: any) => e.node.id);
  expect(ownQueue).toContain(placed.id);
  const otherQueue = ok(await g.gql(queue, {}, as.partner('p-other', 'dongfeng-nammi'))).ordersAwaitingDelivery.edges.map((e: any) => e.node.id);
  expect(otherQueue).not.toContain(placed.id);

  const vin = testVin();
  const delivered = ok(await g.gql(DELIVER, { id: placed.id, vin: vin.toLowerCase() }, as.partner('p-gac', t.org))).deliverOrder;
  expect(delivered).toMatchObject({ status: 'DELIVERED', vehicle: { vin, ownerId: buyer } });
  expect(delivered.statusHistory.map((s: any) => [s.status, s.byRole])).toEqual([
    ['PLACED', 'CUSTOMER'],
    ['DEPOSIT_PAID', 'CUSTOMER'],
    ['BALANCE_PAID', 'CUSTOMER'],
    ['DELIVERED', 'PARTNER'],
  ]);

  const vehicle = ok(await g.gql(`query($v: String!) { vehicle(vin: $v) { vin ownerId owner { id } trim { id } batteryRental deliveredAt order { id } } }`, { v: vin }, me)).vehicle;
  expect(vehicle).toEqual({ vin, ownerId: buyer, owner: { id: buyer }, trim: { id: t.trim.id }, batteryRental: false, deliveredAt: delivered.deliveredAt, order: { id: placed.id } });

  const mine = ok(await g.gql(`{ me { id orders { edges { node { id status } } } vehicles { edges { node { vin } } }
    testDrives { edges { node { id } } } tradeIns { edges { node { id status creditedOrder { id } } } } } }`, {}, me)).me;
  expect(mine).toEqual({
    id: buyer,
    orders: { edges: [{ node: { id: placed.id, status: 'DELIVERED' } }] },
    vehicles: { edges: [{ node: { vin } }] },
    testDrives: { edges: [{ node: { id: drive.id } }] },
    tradeIns: { edges: [{ node: { id: tradeInId, status: 'CREDITED', creditedOrder: { id: placed.id } } }] },
  });
});

test('spending after deposit, balance and a trade-in equals the cash paid, the trade-in shown as a negative credit line', async () => {
  const { g } = t;
  const buyer = freshUser('spender');
  const tradeInId = await appraisedTradeIn(g, buyer, '20000.00');
  const placed = await placeOrder(g, buyer, { trimId: t.trim.id, financedAmount: '10000.00', tradeInId });

  // Nothing paid yet: nothing spent.
  expect(ok(await g.gql(SPENDING, { first: 10 }, as.customer(buyer))).me.spending).toMatchObject({ total: { amount: '0.00' }, lineCount: 0 });

  ok(await g.gql(PAY_DEPOSIT, { id: placed.id, amount: placed.deposit.amount }, as.customer(buyer)));
  const paid = ok(await g.gql(PAY_BALANCE, { id: placed.id, amount: placed.balanceDue.amount }, as.customer(buyer))).payBalance;
  const cash = fen(placed.deposit) + fen(placed.balanceDue);
  expect(fen(paid.amountPaid)).toBe(cash);
  expect(cash + 2_000_000n + 1_000_000n).toBe(fen(placed.totalPrice));

  const report = ok(await g.gql(SPENDING, { first: 10 }, as.customer(buyer))).me.spending;
  expect(report.total.amount).toBe(formatFen(cash));
  expect(report.lineCount).toBe(3);
  expect(report.byCategory).toEqual([
    { category: 'PURCHASE', total: { amount: formatFen(cash + 2_000_000n) } },
    { category: 'TRADE_IN_CREDIT', total: { amount: '-20000.00' } },
  ]);
  const lines = report.lines.edges.map((e: any) => e.node);
  expect(lines.reduce((s: bigint, l: any) => s + fen(l.amount), 0n)).toBe(cash);
  const byId = Object.fromEntries(lines.map((l: any) => [l.id, l]));
  expect(byId[`orders:deposit:${placed.id}`]).toMatchObject({ category: 'PURCHASE', amount: { amount: '5000.00' }, paidFor: { __typename: 'Order', id: placed.id } });
  expect(byId[`orders:deposit:${placed.id}`].description).toMatch(/^Deposit for Aion UT/);
  expect(byId[`orders:balance:${placed.id}`]).toMatchObject({ category: 'PURCHASE', amount: { amount: formatFen(fen(placed.balanceDue) + 2_000_000n) } });
  expect(byId[`orders:balance:${placed.id}`].description).toContain('of which 20000.00 settled by trade-in');
  expect(byId[`orders:trade-in-credit:${tradeInId}`]).toMatchObject({
    category: 'TRADE_IN_CREDIT',
    amount: { amount: '-20000.00' },
    occurredAt: byId[`orders:balance:${placed.id}`].occurredAt,
    paidFor: { __typename: 'TradeIn', id: tradeInId, tradeInStatus: 'CREDITED' },
  });
});

test('spending lines page through without duplicates or gaps, newest first, and add up to the total', async () => {
  const { g } = t;
  const buyer = freshUser('pager');
  const tradeInId = await appraisedTradeIn(g, buyer, '8000.00');
  await buyCar(t, buyer, { tradeInId }, { deliver: false });
  await buyCar(t, buyer, {}, { deliver: false });
  await buyCar(t, buyer, { financedAmount: '1000.00' }, { deliver: false });

  const first = ok(await g.gql(SPENDING, { first: 2 }, as.customer(buyer))).me.spending;
  expect(first.lineCount).toBe(7);
  const seen: any[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page: any = ok(await g.gql(SPENDING, { first: 2, after }, as.customer(buyer))).me.spending.lines;
    seen.push(...page.edges.map((e: any) => e.node));
    pages += 1;
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
    expect(pages).toBeLessThan(10);
  }
  expect(pages).toBe(4);
  expect(seen).toHaveLength(7);
  expect(new Set(seen.map((l) => l.id)).size).toBe(7);
  for (let i = 1; i < seen.length; i++) expect(Date.parse(seen[i - 1].occurredAt)).toBeGreaterThanOrEqual(Date.parse(seen[i].occurredAt));
  expect(formatFen(seen.reduce((s, l) => s + fen(l.amount), 0n))).toBe(first.total.amount);
});

test("a customer's lists page newest first without duplicates", async () => {
  const { g } = t;
  const buyer = freshUser('lister');
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await placeOrder(g, buyer, { trimId: t.trim.id })).id);
  const seen: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 3; i++) {
    const page: any = ok(await g.gql(`query($a: String) { me { orders(first: 1, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`, { a: after }, as.customer(buyer))).me.orders;
    seen.push(...page.edges.map((e: any) => e.node.id));
    expect(page.pageInfo.hasNextPage).toBe(i < 2);
    after = page.pageInfo.endCursor;
  }
  expect(seen).toEqual([...ids].reverse());
});

test('reading orders with every nested field costs the same number of SQL statements for 2 orders as for 6', async () => {
  const { g } = t;
  const query = `{ me { orders(first: 50) { edges { node { ${ORDER_FIELDS} buyer { id } tradeIn { id appraisedValue { amount } creditedOrder { id } } } } } } }`;
  const statementsFor = async (orderCount: number) => {
    const buyer = freshUser(`batch${orderCount}`);
    const tradeInId = await appraisedTradeIn(g, buyer, '5000.00');
    await buyCar(t, buyer, { tradeInId });
    for (let i = 1; i < orderCount; i++) await placeOrder(g, buyer, { trimId: t.trim.id });
    const before = g.db.statementCount;
    const res = ok(await g.gql(query, {}, as.customer(buyer)));
    expect(res.me.orders.edges).toHaveLength(orderCount);
    return g.db.statementCount - before;
  };
  const few = await statementsFor(2);
  const many = await statementsFor(6);
  expect(many).toBe(few);
  expect(few).toBeLessThanOrEqual(6);
});

test('two mutations in one request: the second sees the state the first left', async () => {
  const { g } = t;
  const buyer = freshUser('double');
  const placed = await placeOrder(g, buyer, { trimId: t.trim.id });
  const res = ok(
    await g.gql(
      `mutation($id: ID!, $d: Decimal!, $b: Decimal!) {
        a: payDeposit(orderId: $id, amount: $d) { status statusHistory { status } }
        b: payBalance(orderId: $id, amount: $b) { status statusHistory { status } amountPaid { amount } } }`,
      { id: placed.id, d: placed.deposit.amount, b: placed.balanceDue.amount },
      as.customer(buyer),
    ),
  );
  expect(res.a.statusHistory.map((s: any) => s.status)).toEqual(['PLACED', 'DEPOSIT_PAID']);
  expect(res.b).toEqual({ status: 'BALANCE_PAID', statusHistory: [{ status: 'PLACED' }, { status: 'DEPOSIT_PAID' }, { status: 'BALANCE_PAID' }], amountPaid: { amount: formatFen(fen(placed.deposit) + fen(placed.balanceDue)) } });
});

test('an order financed down to a zero balance is settled by paying "0.00"', async () => {
  const { g } = t;
  const buyer = freshUser('zero');
  const financed = formatFen(t.trim.guidePriceFen - 500_000n);
  const placed = await placeOrder(g, buyer, { trimId: t.trim.id, financedAmount: financed });
  expect(placed.balanceDue.amount).toBe('0.00');
  ok(await g.gql(PAY_DEPOSIT, { id: placed.id, amount: '5000.00' }, as.customer(buyer)));
  expect(codeOf(await g.gql(PAY_BALANCE, { id: placed.id, amount: '0.01' }, as.customer(buyer)))).toBe('BAD_USER_INPUT');
  expect(ok(await g.gql(PAY_BALANCE, { id: placed.id, amount: '0.00' }, as.customer(buyer))).payBalance.status).toBe('BALANCE_PAID');
  // A zero balance with no trade-in is not a line of spending: only the deposit left the pocket.
  const spending = ok(await g.gql(SPENDING, { first: 10 }, as.customer(buyer))).me.spending;
  expect(spending).toMatchObject({ total: { amount: '5000.00' }, lineCount: 1 });
});

test('cancelling a placed order releases its trade-in, which can then be credited to another order', async () => {
  const { g } = t;
  const buyer = freshUser('canceller');
  const tradeInId = await appraisedTradeIn(g, buyer, '3000.00');
  const first = await placeOrder(g, buyer, { trimId: t.trim.id, tradeInId });
  const cancelled = ok(await g.gql(`mutation($id: ID!) { cancelOrder(orderId: $id) { status cancelledAt tradeIn { id status creditedOrder { id } } statusHistory { status byRole } } }`, { id: first.id }, as.customer(buyer))).cancelOrder;
  expect(cancelled).toMatchObject({ status: 'CANCELLED', tradeIn: { id: tradeInId, status: 'APPRAISED', creditedOrder: null } });
  expect(cancelled.statusHistory).toEqual([{ status: 'PLACED', byRole: 'CUSTOMER' }, { status: 'CANCELLED', byRole: 'CUSTOMER' }]);
  const second = await placeOrder(g, buyer, { trimId: t.trim.id, tradeInId });
  expect(second.tradeIn).toEqual({ id: tradeInId, status: 'CREDITED' });
  expect(second.tradeInCredit.amount).toBe('3000.00');
});

test('a battery-rental order yields a vehicle marked batteryRental', async () => {
  const buyer = freshUser('rental');
  const order = await buyCar(t, buyer, { trimId: t.rentalTrim.id }, { partner: as.admin() });
  expect(order).toMatchObject({ batteryRental: true, status: 'DELIVERED' });
  const v = ok(await t.g.gql(`query($v: String!) { vehicle(vin: $v) { batteryRental } }`, { v: order.vehicle.vin }, as.customer(buyer))).vehicle;
  expect(v.batteryRental).toBe(true);
});

describe('what other subgraphs read as the service role', () => {
  const asService = async (query: string, variables: Record<string, unknown>, service = 'finance') => {
    const body = JSON.stringify({ query, variables });
    const res = await fetch(t.g.subgraphUrl('orders'), { method: 'POST', headers: await t.g.serviceHeaders(service, 'orders', body), body });
    return res.json() as Promise<any>;
  };

  test("finance's order(id) and aftermarket/energy's vehicle(vin) answer with the documented fields", async () => {
    const buyer = freshUser('svc');
    const order = await buyCar(t, buyer, { financedAmount: '20000.00' });
    const o = await asService(`query($id: ID!) { order(id: $id) { id userId status financedAmount { amount } } }`, { id: order.id });
    expect(o).toEqual({ data: { order: { id: order.id, userId: buyer, status: 'DELIVERED', financedAmount: { amount: '20000.00' } } }, extensions: { cachePolicy: { maxAge: 300, scope: 'PRIVATE' } } });
    const v = await asService(`query($vin: String!) { vehicle(vin: $vin) { vin ownerId batteryRental } }`, { vin: order.vehicle.vin });
    expect(v).toEqual({ data: { vehicle: { vin: order.vehicle.vin, ownerId: buyer, batteryRental: false } }, extensions: { cachePolicy: { maxAge: 300, scope: 'PRIVATE' } } });
  });

  test('a service the policy does not name reads neither: to catalog an order is NOT_FOUND, to energy an order too, while energy reads the vehicle', async () => {
    const buyer = freshUser('svc-no');
    const order = await buyCar(t, buyer, {});
    const ORDER = `query($id: ID!) { order(id: $id) { id } }`;
    const VEHICLE = `query($vin: String!) { vehicle(vin: $vin) { vin } }`;
    for (const service of ['catalog', 'energy', 'analytics']) {
      const o = await asService(ORDER, { id: order.id }, service);
      expect([service, o.errors?.[0].extensions.code, o.data?.order ?? null]).toEqual([service, 'NOT_FOUND', null]);
    }
    for (const service of ['catalog', 'analytics', 'spending']) expect((await asService(VEHICLE, { vin: order.vehicle.vin }, service)).errors?.[0].extensions.code).toBe('NOT_FOUND');
    for (const service of ['aftermarket', 'energy', 'finance']) expect((await asService(VEHICLE, { vin: order.vehicle.vin }, service)).data).toEqual({ vehicle: { vin: order.vehicle.vin } });
  });

  test('an unknown order or VIN is NOT_FOUND', async () => {
    expect((await asService(`{ order(id: "ord-nope") { id } }`, {})).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await asService(`{ vehicle(vin: "LJDAG999999999999") { vin } }`, {})).errors[0].extensions.code).toBe('NOT_FOUND');
  });

  test('calling the orders subgraph directly without a gateway-signed identity is refused with 401', async () => {
    const res = await fetch(t.g.subgraphUrl('orders'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    const body = (await res.json()) as any;
    expect([res.status, body.errors[0].extensions.code, body.data ?? null]).toEqual([401, 'UNAUTHENTICATED', null]);
  });
});

describe('who reads users', () => {
  test('an analyst reads any user and their lists', async () => {
    const buyer = freshUser('analysed');
    const order = await placeOrder(t.g, buyer, { trimId: t.trim.id });
    // Analysts address the person by pseudonym, the id every answer hands them.
    const res = ok(await t.g.gql(`query($id: ID!) { user(id: $id) { id orders { edges { node { id } } } } }`, { id: pseudonym(buyer) }, as.analyst()));
    expect(res.user).toEqual({ id: pseudonym(buyer), orders: { edges: [{ node: { id: order.id } }] } });
  });

  test('a customer cannot use user(id:), not even for their own id', async () => {
    const buyer = freshUser('nosy');
    expect(codeOf(await t.g.gql(`query($id: ID!) { user(id: $id) { id } }`, { id: buyer }, as.customer(buyer)))).toBe('FORBIDDEN');
    expect(codeOf(await t.g.gql(`query($id: ID!) { user(id: $id) { id } }`, { id: 'someone-else' }, as.customer(buyer)))).toBe('FORBIDDEN');
  });

  test('anonymous callers get UNAUTHENTICATED from me and user(id:)', async () => {
    expect(codeOf(await t.g.gql(`{ me { id } }`))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.g.gql(`{ user(id: "demo-driver") { id } }`))).toBe('UNAUTHENTICATED');
  });

  test("a partner's me has no readable lists", async () => {
    expect(codeOf(await t.g.gql(`{ me { id orders { edges { node { id } } } } }`, {}, as.partner('p-1', t.org)))).toBe('GRAPHQL_VALIDATION_FAILED'); // outside the partner contract: refused at the gateway like an unknown field
  });
});

test('appraisers see the trade-ins waiting for an appraisal, oldest first; customers may not', async () => {
  const { g } = t;
  const owner = freshUser('queue');
  const a = ok(await g.gql(REQUEST_TRADE_IN, { input: { description: 'first car', year: 2012, mileageKm: 1, dealerOrg: 'gac-aion' } }, as.customer(owner))).requestTradeIn.id;
  const b = ok(await g.gql(REQUEST_TRADE_IN, { input: { description: 'second car', year: 2013, mileageKm: 2, dealerOrg: 'gac-aion' } }, as.customer(owner))).requestTradeIn.id;
  const queue = async () => ok(await g.gql(`{ tradeInsAwaitingAppraisal(first: 100) { edges { node { id } } } }`, {}, as.partner('p', 'gac-aion'))).tradeInsAwaitingAppraisal.edges.map((e: any) => e.node.id);
  const waiting = await queue();
  expect(waiting.indexOf(a)).toBeLessThan(waiting.indexOf(b));
  ok(await g.gql(APPRAISE, { id: a, amount: '100.00' }, as.admin()));
  expect(await queue()).not.toContain(a);
  expect(codeOf(await g.gql(`{ tradeInsAwaitingAppraisal { edges { node { id } } } }`, {}, as.customer(owner)))).toBe('FORBIDDEN');
  expect(codeOf(await g.gql(`{ ordersAwaitingDelivery { edges { node { id } } } }`, {}, as.customer(owner)))).toBe('FORBIDDEN');
});
