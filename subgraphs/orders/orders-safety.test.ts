/**
 * What must never go wrong when buying: retries and concurrent requests create one order and take one
 * payment; amounts are exact; nobody acts on or reads someone else's order; bad input is refused with a
 * code and the field to fix. Run on real PostgreSQL too: PGlite runs one statement at a time and
 * would hide a lost-update race.
 */
import { randomUUID } from 'node:crypto';
import { pseudonym } from '../kit/auth';
import {
  APPRAISE,
  appraisedTradeIn,
  buyCar,
  DELIVER,
  PAY_BALANCE,
  PAY_DEPOSIT,
  PLACE_ORDER,
  placeOrder,
  REQUEST_TRADE_IN,
  startOrdersGraph,
  type OrdersTestGraph,
} from '../../testing/orders';
import { as } from '../../testing/harness';
import { codeOf, ok } from '../../testing/assertions';
import { freshUser, testVin } from '../../testing/fresh-ids';

let t: OrdersTestGraph;
beforeAll(async () => {
  t = await startOrdersGraph();
});
afterAll(async () => {
  await t?.g.stop();
});

const countRows = async (sql: string, params: unknown[]) => Number((await t.g.db.query<{ n: string }>(sql, params))[0].n);
const ordersOf = (userId: string) => countRows(`SELECT count(*) AS n FROM orders.orders WHERE user_id = $1`, [userId]);

describe('placeOrder idempotency', () => {
  test('the same key sent twice returns the same order and creates nothing the second time', async () => {
    const buyer = freshUser('retry');
    const input = { trimId: t.trim.id, accessoryIds: t.catalog.accessories.slice(0, 2).map((a) => a.id), idempotencyKey: randomUUID() };
    const first = ok(await t.g.gql(PLACE_ORDER, { input }, as.customer(buyer))).placeOrder;
    // The same purchase with its accessories listed in another order is the same request.
    const again = ok(await t.g.gql(PLACE_ORDER, { input: { ...input, accessoryIds: [...input.accessoryIds].reverse() } }, as.customer(buyer))).placeOrder;
    expect(again).toEqual(first);
    expect(await ordersOf(buyer)).toBe(1);
    expect(await countRows(`SELECT count(*) AS n FROM orders.order_status_changes WHERE order_id = $1`, [first.id])).toBe(1);
  });

  test('the same key sent concurrently creates exactly one order, and every response is that order', async () => {
    const buyer = freshUser('burst');
    const input = { trimId: t.trim.id, idempotencyKey: randomUUID() };
    const results = await Promise.all(Array.from({ length: 6 }, () => t.g.gql(PLACE_ORDER, { input }, as.customer(buyer))));
    const ids = results.map((r) => ok(r).placeOrder.id);
    expect(new Set(ids).size).toBe(1);
    expect(await ordersOf(buyer)).toBe(1);
  });

  test('the same key with a trade-in sent concurrently credits the trade-in once, to the one order', async () => {
    const buyer = freshUser('burst-ti');
    const tradeInId = await appraisedTradeIn(t.g, buyer, '6000.00');
    const input = { trimId: t.trim.id, tradeInId, idempotencyKey: randomUUID() };
    const results = await Promise.all(Array.from({ length: 5 }, () => t.g.gql(PLACE_ORDER, { input }, as.customer(buyer))));
    const ids = results.map((r) => ok(r).placeOrder.id);
    expect(new Set(ids).size).toBe(1);
    expect(await ordersOf(buyer)).toBe(1);
    const [row] = await t.g.db.query<{ status: string; credited_order_id: string }>(`SELECT status, credited_order_id FROM orders.trade_ins WHERE id = $1`, [tradeInId]);
    expect(row).toEqual({ status: 'CREDITED', credited_order_id: ids[0] });
  });

  test('the same key with a different configuration is CONFLICT and changes nothing', async () => {
    const buyer = freshUser('reuse');
    const key = randomUUID();
    const first = ok(await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, idempotencyKey: key } }, as.customer(buyer))).placeOrder;
    const other = await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, financedAmount: '1000.00', idempotencyKey: key } }, as.customer(buyer));
    expect(codeOf(other)).toBe('CONFLICT');
    expect(other.errors![0].message).toContain(first.id);
    expect(await ordersOf(buyer)).toBe(1);
  });

  test('keys are per customer: two customers may use the same key', async () => {
    const key = randomUUID();
    const a = ok(await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, idempotencyKey: key } }, as.customer(freshUser('ka')))).placeOrder;
    const b = ok(await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, idempotencyKey: key } }, as.customer(freshUser('kb')))).placeOrder;
    expect(a.id).not.toBe(b.id);
  });

  test('idempotency keys must be 1 to 100 printable characters', async () => {
    for (const idempotencyKey of ['', ' ', 'x'.repeat(101), 'line\nbreak', 'ключ']) {
      const res = await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, idempotencyKey } }, as.customer(freshUser('key')));
      expect([idempotencyKey, codeOf(res), res.errors?.[0].extensions?.field]).toEqual([idempotencyKey, 'BAD_USER_INPUT', 'idempotencyKey']);
    }
  });
});

describe('races on state changes', () => {
  test('paying the deposit twice at once: exactly one payment succeeds, the other is CONFLICT', async () => {
    const buyer = freshUser('race');
    const placed = await placeOrder(t.g, buyer, { trimId: t.trim.id });
    const results = await Promise.all(Array.from({ length: 4 }, () => t.g.gql(PAY_DEPOSIT, { id: placed.id, amount: '5000.00' }, as.customer(buyer))));
    expect(results.map(codeOf).sort()).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'OK']);
    expect(await countRows(`SELECT count(*) AS n FROM orders.order_status_changes WHERE order_id = $1 AND status = 'DEPOSIT_PAID'`, [placed.id])).toBe(1);
  });

  test('delivering the same order at once with two VINs: one vehicle, the other delivery is CONFLICT', async () => {
    const buyer = freshUser('race-deliver');
    const paid = await buyCar(t, buyer, {}, { deliver: false });
    const results = await Promise.all([testVin(), testVin()].map((vin) => t.g.gql(DELIVER, { id: paid.id, vin }, as.partner('p', t.org))));
    expect(results.map(codeOf).sort()).toEqual(['CONFLICT', 'OK']);
    expect(await countRows(`SELECT count(*) AS n FROM orders.vehicles WHERE order_id = $1`, [paid.id])).toBe(1);
  });

  test('two orders crediting the same trade-in at once: one gets it, the other is CONFLICT', async () => {
    const buyer = freshUser('race-ti');
    const tradeInId = await appraisedTradeIn(t.g, buyer, '4000.00');
    const results = await Promise.all(
      [randomUUID(), randomUUID()].map((idempotencyKey) => t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, tradeInId, idempotencyKey } }, as.customer(buyer))),
    );
    expect(results.map(codeOf).sort()).toEqual(['CONFLICT', 'OK']);
    expect(await ordersOf(buyer)).toBe(1);
  });
});

describe('amounts are exact', () => {
  let buyer: string;
  let orderId: string;
  beforeAll(async () => {
    buyer = freshUser('amounts');
    orderId = (await placeOrder(t.g, buyer, { trimId: t.trim.id })).id;
  });

  test.each([
    ['a wrong amount, naming the expected one', '4999.99'],
    ['a negative amount', '-5000.00'],
    ['three fraction digits', '5000.001'],
    ['a non-numeric string', 'five thousand'],
    ['an exponent', '5e3'],
    ['a JSON number (a float)', 5000.5],
    ['a JSON integer', 5000],
    ['an oversized amount', '99999999999999999.00'],
  ])('payDeposit refuses %s with BAD_USER_INPUT', async (_what, amount) => {
    const res = await t.g.gql(PAY_DEPOSIT, { id: orderId, amount }, as.customer(buyer));
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    if (amount === '4999.99') expect(res.errors![0].message).toContain('5000.00');
  });

  test('the order is untouched by refused payments', async () => {
    const o = ok(await t.g.gql(`query($id: ID!) { order(id: $id) { status amountPaid { amount } } }`, { id: orderId }, as.customer(buyer))).order;
    expect(o).toEqual({ status: 'PLACED', amountPaid: { amount: '0.00' } });
  });

  test('payBalance before the deposit is CONFLICT; a wrong balance names the one due; paying twice is CONFLICT', async () => {
    const placed = await placeOrder(t.g, buyer, { trimId: t.trim.id });
    expect(codeOf(await t.g.gql(PAY_BALANCE, { id: placed.id, amount: placed.balanceDue.amount }, as.customer(buyer)))).toBe('CONFLICT');
    ok(await t.g.gql(PAY_DEPOSIT, { id: placed.id, amount: '5000.00' }, as.customer(buyer)));
    expect(codeOf(await t.g.gql(PAY_DEPOSIT, { id: placed.id, amount: '5000.00' }, as.customer(buyer)))).toBe('CONFLICT');
    const wrong = await t.g.gql(PAY_BALANCE, { id: placed.id, amount: '1.00' }, as.customer(buyer));
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(wrong.errors![0].message).toContain(placed.balanceDue.amount);
    ok(await t.g.gql(PAY_BALANCE, { id: placed.id, amount: placed.balanceDue.amount }, as.customer(buyer)));
    expect(codeOf(await t.g.gql(PAY_BALANCE, { id: placed.id, amount: placed.balanceDue.amount }, as.customer(buyer)))).toBe('CONFLICT');
  });

  test('financedAmount above what is left after deposit and trade-in is BAD_USER_INPUT naming financedAmount and the most allowed', async () => {
    const tradeInId = await appraisedTradeIn(t.g, buyer, '10000.00');
    const most = t.trim.guidePriceFen - 500_000n - 1_000_000n;
    const res = await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, tradeInId, financedAmount: `${most / 100n}.01`, idempotencyKey: randomUUID() } }, as.customer(buyer));
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe('financedAmount');
    expect(res.errors![0].message).toContain(`${most / 100n}.00`);
    // Refused, so the trade-in was not consumed.
    const placed = await placeOrder(t.g, buyer, { trimId: t.trim.id, tradeInId, financedAmount: `${most / 100n}.00` });
    expect(placed.balanceDue.amount).toBe('0.00');
  });

  test('negative or float financedAmount is BAD_USER_INPUT', async () => {
    for (const financedAmount of ['-1.00', 100.5]) {
      expect(codeOf(await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, financedAmount, idempotencyKey: randomUUID() } }, as.customer(buyer)))).toBe('BAD_USER_INPUT');
    }
  });

  test('a trade-in worth more than what is left after the deposit is refused naming tradeInId', async () => {
    const tradeInId = await appraisedTradeIn(t.g, buyer, '1000000.00');
    const res = await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, tradeInId, idempotencyKey: randomUUID() } }, as.customer(buyer));
    expect([codeOf(res), res.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'tradeInId']);
  });

  test.each([['0.00'], ['-5.00'], ['10000000.01'], ['12.345']])('appraising at %s is BAD_USER_INPUT', async (amount) => {
    const id = ok(await t.g.gql(REQUEST_TRADE_IN, { input: { description: 'car', year: 2015, mileageKm: 1, dealerOrg: 'gac-aion' } }, as.customer(buyer))).requestTradeIn.id;
    expect(codeOf(await t.g.gql(APPRAISE, { id, amount }, as.admin()))).toBe('BAD_USER_INPUT');
  });
});

describe("someone else's orders", () => {
  let owner: string;
  let intruder: string;
  let placed: any;
  let delivered: any;
  beforeAll(async () => {
    owner = freshUser('owner');
    intruder = freshUser('intruder');
    placed = await placeOrder(t.g, owner, { trimId: t.trim.id });
    delivered = await buyCar(t, owner);
  });

  test('another customer gets NOT_FOUND (as for an id nobody has) reading or acting on the order, its vehicle or its trade-in', async () => {
    const me = as.customer(intruder);
    const tradeInId = await appraisedTradeIn(t.g, owner, '1000.00');
    const attempts = [
      t.g.gql(`query($id: ID!) { order(id: $id) { id } }`, { id: placed.id }, me),
      t.g.gql(`query($v: String!) { vehicle(vin: $v) { vin } }`, { v: delivered.vehicle.vin }, me),
      t.g.gql(`query($id: ID!) { tradeIn(id: $id) { id } }`, { id: tradeInId }, me),
      t.g.gql(PAY_DEPOSIT, { id: placed.id, amount: '5000.00' }, me),
      t.g.gql(PAY_BALANCE, { id: placed.id, amount: placed.balanceDue.amount }, me),
      t.g.gql(`mutation($id: ID!) { cancelOrder(orderId: $id) { id } }`, { id: placed.id }, me),
      t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, tradeInId, idempotencyKey: randomUUID() } }, me),
    ];
    expect((await Promise.all(attempts)).map(codeOf)).toEqual(Array(attempts.length).fill('NOT_FOUND'));
    const still = ok(await t.g.gql(`query($id: ID!) { order(id: $id) { status } }`, { id: placed.id }, as.customer(owner))).order;
    expect(still.status).toBe('PLACED');
  });

  test('a partner of the manufacturer reads the order; a partner of another organisation may neither read nor deliver it', async () => {
    const paid = await buyCar(t, owner, {}, { deliver: false });
    expect(ok(await t.g.gql(`query($id: ID!) { order(id: $id) { id } }`, { id: paid.id }, as.partner('p', t.org))).order.id).toBe(paid.id);
    expect(codeOf(await t.g.gql(`query($id: ID!) { order(id: $id) { id } }`, { id: paid.id }, as.partner('p', 'dongfeng-nammi')))).toBe('NOT_FOUND');
    expect(codeOf(await t.g.gql(DELIVER, { id: paid.id, vin: testVin() }, as.partner('p', 'dongfeng-nammi')))).toBe('NOT_FOUND');
    expect(codeOf(await t.g.gql(DELIVER, { id: paid.id, vin: testVin() }, as.customer(owner)))).toBe('FORBIDDEN');
    expect(codeOf(await t.g.gql(DELIVER, { id: paid.id, vin: testVin() }, as.analyst()))).toBe('FORBIDDEN');
  });

  test('the dealer a trade-in was asked of reads it while it waits for an appraisal, not once its owner was offered a value; other partners never find it', async () => {
    const READ = `query($id: ID!) { tradeIn(id: $id) { id description appraisedValue { amount } } }`;
    const requested = ok(await t.g.gql(REQUEST_TRADE_IN, { input: { description: 'ours to appraise', year: 2019, mileageKm: 40000, dealerOrg: t.org } }, as.customer(owner))).requestTradeIn.id;
    const appraised = await appraisedTradeIn(t.g, owner, '30000.00');
    const dealer = as.partner('p', t.org);
    expect(ok(await t.g.gql(READ, { id: requested }, dealer)).tradeIn.description).toBe('ours to appraise');
    expect(codeOf(await t.g.gql(READ, { id: appraised }, dealer))).toBe('NOT_FOUND');
    for (const id of [requested, appraised]) expect(codeOf(await t.g.gql(READ, { id }, as.partner('p', 'state-grid')))).toBe('NOT_FOUND');
    expect(ok(await t.g.gql(READ, { id: appraised }, as.customer(owner))).tradeIn.appraisedValue.amount).toBe('30000.00');
  });

  test('unknown ids are NOT_FOUND and malformed ids BAD_USER_INPUT', async () => {
    const me = as.customer(owner);
    expect(codeOf(await t.g.gql(`{ order(id: "ord-doesnotexist") { id } }`, {}, me))).toBe('NOT_FOUND');
    expect(codeOf(await t.g.gql(`{ vehicle(vin: "LJDAG000000000000") { vin } }`, {}, me))).toBe('NOT_FOUND');
    expect(codeOf(await t.g.gql(PAY_DEPOSIT, { id: 'ord-doesnotexist', amount: '5000.00' }, me))).toBe('NOT_FOUND');
    expect(codeOf(await t.g.gql(`{ order(id: "ord/../../etc") { id } }`, {}, me))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.g.gql(`{ vehicle(vin: "not-a-vin") { vin } }`, {}, me))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.g.gql(PAY_DEPOSIT, { id: 'x'.repeat(65), amount: '5000.00' }, me))).toBe('BAD_USER_INPUT');
  });
});

describe('roles and missing tokens', () => {
  test('every mutation and read refuses an anonymous caller with UNAUTHENTICATED', async () => {
    const attempts = [
      t.g.gql(`{ order(id: "ord-x") { id } }`),
      t.g.gql(`{ vehicle(vin: "LJDAG000000000000") { vin } }`),
      t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, idempotencyKey: 'k' } }),
      t.g.gql(PAY_DEPOSIT, { id: 'ord-x', amount: '5000.00' }),
      t.g.gql(PAY_BALANCE, { id: 'ord-x', amount: '5000.00' }),
      t.g.gql(DELIVER, { id: 'ord-x', vin: testVin() }),
      t.g.gql(`mutation { cancelOrder(orderId: "ord-x") { id } }`),
      t.g.gql(REQUEST_TRADE_IN, { input: { description: 'car', year: 2015, mileageKm: 1, dealerOrg: 'gac-aion' } }),
      t.g.gql(APPRAISE, { id: 'ti-x', amount: '1.00' }),
      t.g.gql(`mutation($i: BookTestDriveInput!) { bookTestDrive(input: $i) { id } }`, { i: { trimId: t.trim.id, city: 'X', at: new Date(Date.now() + 86_400_000).toISOString() } }),
      t.g.gql(`mutation { cancelTestDrive(id: "td-x") { id } }`),
    ];
    expect((await Promise.all(attempts)).map(codeOf)).toEqual(Array(attempts.length).fill('UNAUTHENTICATED'));
  });

  test('only customers buy: analysts, partners and admins get FORBIDDEN from placeOrder and payments', async () => {
    for (const who of [as.analyst(), as.partner('p', t.org), as.admin()]) {
      // A partner does not get that far: both are outside the partner contract, refused at the gateway like an unknown field.
      const refused = who.role === 'partner' ? 'GRAPHQL_VALIDATION_FAILED' : 'FORBIDDEN';
      expect(codeOf(await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, idempotencyKey: randomUUID() } }, who))).toBe(refused);
      expect(codeOf(await t.g.gql(PAY_DEPOSIT, { id: 'ord-x', amount: '5000.00' }, who))).toBe(refused);
    }
  });

  test('customers and analysts may not appraise trade-ins', async () => {
    const owner = freshUser('self-appraise');
    const id = ok(await t.g.gql(REQUEST_TRADE_IN, { input: { description: 'car', year: 2015, mileageKm: 1, dealerOrg: 'gac-aion' } }, as.customer(owner))).requestTradeIn.id;
    expect(codeOf(await t.g.gql(APPRAISE, { id, amount: '99999.00' }, as.customer(owner)))).toBe('FORBIDDEN');
    expect(codeOf(await t.g.gql(APPRAISE, { id, amount: '99999.00' }, as.analyst()))).toBe('FORBIDDEN');
  });
});

describe('delivery', () => {
  test('delivering twice is CONFLICT, and so is delivering an order whose balance is not paid', async () => {
    const owner = freshUser('deliver');
    const delivered = await buyCar(t, owner);
    expect(codeOf(await t.g.gql(DELIVER, { id: delivered.id, vin: testVin() }, as.partner('p', t.org)))).toBe('CONFLICT');
    const placed = await placeOrder(t.g, owner, { trimId: t.trim.id });
    expect(codeOf(await t.g.gql(DELIVER, { id: placed.id, vin: testVin() }, as.partner('p', t.org)))).toBe('CONFLICT');
    ok(await t.g.gql(PAY_DEPOSIT, { id: placed.id, amount: '5000.00' }, as.customer(owner)));
    expect(codeOf(await t.g.gql(DELIVER, { id: placed.id, vin: testVin() }, as.partner('p', t.org)))).toBe('CONFLICT');
  });

  test('a VIN already registered is CONFLICT and leaves the order waiting for delivery', async () => {
    const owner = freshUser('vin');
    const first = await buyCar(t, owner);
    const second = await buyCar(t, owner, {}, { deliver: false });
    expect(codeOf(await t.g.gql(DELIVER, { id: second.id, vin: first.vehicle.vin }, as.admin()))).toBe('CONFLICT');
    const o = ok(await t.g.gql(`query($id: ID!) { order(id: $id) { status vehicle { vin } statusHistory { status } } }`, { id: second.id }, as.customer(owner))).order;
    expect(o).toEqual({ status: 'BALANCE_PAID', vehicle: null, statusHistory: [{ status: 'PLACED' }, { status: 'DEPOSIT_PAID' }, { status: 'BALANCE_PAID' }] });
  });

  test.each([['16 characters', 'LJDAG00000000001'], ['an I', 'LJDAGI0000000001X'], ['an O', 'LJDAGO00000000010'], ['punctuation', 'LJDAG-000000000010']])(
    'a VIN with %s is BAD_USER_INPUT',
    async (_what, vin) => {
      expect(codeOf(await t.g.gql(DELIVER, { id: 'ord-x', vin }, as.admin()))).toBe('BAD_USER_INPUT');
    },
  );
});

describe('input checks', () => {
  const buyer = () => as.customer(freshUser('input'));
  const order = (input: Record<string, unknown>, who = buyer()) => t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, idempotencyKey: randomUUID(), ...input } }, who);

  test("the catalog's verdict reaches the client unchanged: unknown trim or colour NOT_FOUND, discontinued trim or repeated accessory BAD_USER_INPUT", async () => {
    const unknownTrim = await order({ trimId: 'trim-does-not-exist' });
    expect(codeOf(unknownTrim)).toBe('NOT_FOUND');
    expect(unknownTrim.errors![0].message).toContain('trim-does-not-exist');
    expect(codeOf(await order({ colourId: 'colour-does-not-exist' }))).toBe('NOT_FOUND');
    expect(codeOf(await order({ accessoryIds: ['acc-does-not-exist'] }))).toBe('NOT_FOUND');
    // The catalog seed's one discontinued trim (resolvable, no longer quotable).
    expect(codeOf(await order({ trimId: 'trim-nammi-430-launch' }))).toBe('BAD_USER_INPUT');
    const acc = t.catalog.accessories[0].id;
    expect(codeOf(await order({ accessoryIds: [acc, acc] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await order({ accessoryIds: Array.from({ length: 21 }, (_, i) => `acc-${i}`) }))).toBe('BAD_USER_INPUT');
  });

  test('a trade-in must be appraised, not credited elsewhere, and exist', async () => {
    const owner = freshUser('ti-state');
    const requested = ok(await t.g.gql(REQUEST_TRADE_IN, { input: { description: 'car', year: 2015, mileageKm: 1, dealerOrg: 'gac-aion' } }, as.customer(owner))).requestTradeIn.id;
    expect(codeOf(await order({ tradeInId: requested }, as.customer(owner)))).toBe('CONFLICT');
    const credited = await appraisedTradeIn(t.g, owner, '1000.00');
    await placeOrder(t.g, owner, { trimId: t.trim.id, tradeInId: credited });
    expect(codeOf(await order({ tradeInId: credited }, as.customer(owner)))).toBe('CONFLICT');
    expect(codeOf(await order({ tradeInId: 'ti-doesnotexist' }, as.customer(owner)))).toBe('NOT_FOUND');
    expect(await ordersOf(owner)).toBe(1);
  });

  test("a partner's appraisal is credited only to an order of its own organisation's car; the platform's to any", async () => {
    const owner = freshUser('ti-org');
    const request = async (dealerOrg = t.org) => ok(await t.g.gql(REQUEST_TRADE_IN, { input: { description: 'car', year: 2018, mileageKm: 5, dealerOrg } }, as.customer(owner))).requestTradeIn.id;
    const byOtherMaker = await request('dongfeng-nammi');
    ok(await t.g.gql(APPRAISE, { id: byOtherMaker, amount: '9000.00' }, as.partner('appraiser', 'dongfeng-nammi')));
    const refused = await order({ tradeInId: byOtherMaker }, as.customer(owner));
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.errors![0].message).toMatch(/appraised by dongfeng-nammi/);
    expect(await ordersOf(owner)).toBe(0);

    const byMaker = await request();
    ok(await t.g.gql(APPRAISE, { id: byMaker, amount: '9000.00' }, as.partner('appraiser', t.org)));
    expect(ok(await order({ tradeInId: byMaker }, as.customer(owner))).placeOrder.tradeInCredit.amount).toBe('9000.00');
    const byPlatform = await request();
    ok(await t.g.gql(APPRAISE, { id: byPlatform, amount: '1000.00' }, as.admin()));
    expect(ok(await order({ tradeInId: byPlatform }, as.customer(owner))).placeOrder.tradeInCredit.amount).toBe('1000.00');
  });

  test('a trade-in is appraised once; an unknown one is NOT_FOUND', async () => {
    const id = await appraisedTradeIn(t.g, freshUser('twice'), '1000.00');
    expect(codeOf(await t.g.gql(APPRAISE, { id, amount: '2000.00' }, as.admin()))).toBe('CONFLICT');
    expect(codeOf(await t.g.gql(APPRAISE, { id: 'ti-doesnotexist', amount: '2000.00' }, as.admin()))).toBe('NOT_FOUND');
  });

  test.each([
    ['a blank description', { description: '   ', year: 2015, mileageKm: 1, dealerOrg: 'gac-aion' }, 'description'],
    ['a description over 500 characters', { description: 'x'.repeat(501), year: 2015, mileageKm: 1, dealerOrg: 'gac-aion' }, 'description'],
    ['a year before 1980', { description: 'car', year: 1979, mileageKm: 1, dealerOrg: 'gac-aion' }, 'year'],
    ['a year after next year', { description: 'car', year: new Date().getUTCFullYear() + 2, mileageKm: 1, dealerOrg: 'gac-aion' }, 'year'],
    ['a negative mileage', { description: 'car', year: 2015, mileageKm: -1, dealerOrg: 'gac-aion' }, 'mileageKm'],
    ['an absurd mileage', { description: 'car', year: 2015, mileageKm: 2_000_001, dealerOrg: 'gac-aion' }, 'mileageKm'],
  ])('requestTradeIn refuses %s naming the field', async (_what, input, field) => {
    const res = await t.g.gql(REQUEST_TRADE_IN, { input }, buyer());
    expect([codeOf(res), res.errors?.[0].extensions?.field]).toEqual(['BAD_USER_INPUT', field]);
  });

  describe('test drives', () => {
    const BOOK = `mutation($i: BookTestDriveInput!) { bookTestDrive(input: $i) { id status } }`;
    const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

    test.each([
      ['a time in the past', { city: 'Shenzhen', at: inDays(-1) }, 'BAD_USER_INPUT'],
      ['a time more than 90 days ahead', { city: 'Shenzhen', at: inDays(91) }, 'BAD_USER_INPUT'],
      ['a blank city', { city: '  ', at: inDays(2) }, 'BAD_USER_INPUT'],
      ['a time that is not a date', { city: 'Shenzhen', at: 'tomorrow' }, 'BAD_USER_INPUT'],
      ['an unknown trim', { city: 'Shenzhen', at: inDays(2), trimId: 'trim-unknown' }, 'NOT_FOUND'],
    ])('booking refuses %s', async (_what, input, code) => {
      expect(codeOf(await t.g.gql(BOOK, { i: { trimId: t.trim.id, ...input } }, buyer()))).toBe(code);
    });

    test('a booked drive is cancelled once by its owner only', async () => {
      const owner = freshUser('driver');
      const id = ok(await t.g.gql(BOOK, { i: { trimId: t.trim.id, city: 'Wuhan', at: inDays(5) } }, as.customer(owner))).bookTestDrive.id;
      const CANCEL = `mutation($id: ID!) { cancelTestDrive(id: $id) { id status cancelledAt } }`;
      expect(codeOf(await t.g.gql(CANCEL, { id }, as.customer(freshUser('other'))))).toBe('NOT_FOUND');
      expect(ok(await t.g.gql(CANCEL, { id }, as.customer(owner))).cancelTestDrive.status).toBe('CANCELLED');
      expect(codeOf(await t.g.gql(CANCEL, { id }, as.customer(owner)))).toBe('CONFLICT');
      expect(codeOf(await t.g.gql(CANCEL, { id: 'td-doesnotexist' }, as.customer(owner)))).toBe('NOT_FOUND');
      expect(codeOf(await t.g.gql(BOOK, { i: { trimId: t.trim.id, city: 'Wuhan', at: inDays(5) } }, as.partner('p', t.org)))).toBe('GRAPHQL_VALIDATION_FAILED'); // outside the partner contract: refused at the gateway like an unknown field
    });
  });

  test('an order with its deposit paid cannot be cancelled, and a cancelled one not twice', async () => {
    const owner = freshUser('cancel');
    const CANCEL = `mutation($id: ID!) { cancelOrder(orderId: $id) { status } }`;
    const paid = await placeOrder(t.g, owner, { trimId: t.trim.id });
    ok(await t.g.gql(PAY_DEPOSIT, { id: paid.id, amount: '5000.00' }, as.customer(owner)));
    expect(codeOf(await t.g.gql(CANCEL, { id: paid.id }, as.customer(owner)))).toBe('CONFLICT');
    const unpaid = await placeOrder(t.g, owner, { trimId: t.trim.id });
    ok(await t.g.gql(CANCEL, { id: unpaid.id }, as.customer(owner)));
    expect(codeOf(await t.g.gql(CANCEL, { id: unpaid.id }, as.customer(owner)))).toBe('CONFLICT');
    expect(codeOf(await t.g.gql(PAY_DEPOSIT, { id: unpaid.id, amount: '5000.00' }, as.customer(owner)))).toBe('CONFLICT');
  });

  test.each([
    ['first: 0', { first: 0 }],
    ['first: 101', { first: 101 }],
    ['a cursor this field never returned', { after: 'bm90LWEtY3Vyc29y' }],
    ['a cursor of the wrong shape', { after: Buffer.from(JSON.stringify([1, 2])).toString('base64url') }],
  ])('list arguments: %s is BAD_USER_INPUT', async (_what, args) => {
    const res = await t.g.gql(`query($first: Int, $after: String) { me { orders(first: $first, after: $after) { edges { cursor } } } }`, args, buyer());
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
  });
});

describe('what analysts see of buyers', () => {
  const CAR = '2016 VW Golf 1.4T, white'; // what appraisedTradeIn has the owner write
  let buyer: string;
  let order: any;
  beforeAll(async () => {
    buyer = freshUser('private');
    const tradeInId = await appraisedTradeIn(t.g, buyer, '20000.00');
    order = await buyCar(t, buyer, { tradeInId });
  });

  const ORDER_VIEW = `userId buyer { id } tradeIn { description } vehicle { vin ownerId owner { id } order { userId } }`;
  const VIEW = `query($id: ID!, $vin: String!, $u: ID!) {
    order(id: $id) { ${ORDER_VIEW} }
    vehicle(vin: $vin) { ownerId owner { id } order { userId buyer { id } } }
    user(id: $u) {
      orders { edges { node { ${ORDER_VIEW} } } }
      vehicles { edges { node { ownerId owner { id } } } }
      tradeIns { edges { node { description creditedOrder { userId } } } }
      spending { lines(first: 100) { edges { node { category description paidFor {
        ... on Order { userId buyer { id } } ... on TradeIn { description } } } } } }
    }
  }`;
  /** Every user id and trade-in description in a VIEW answer, wherever it sits. */
  function collect(data: any) {
    const ids: string[] = [];
    const texts: unknown[] = [];
    (function walk(v: any, key: string) {
      if (Array.isArray(v)) return v.forEach((x) => walk(x, key));
      if (v && typeof v === 'object') return Object.entries(v).forEach(([k, x]) => (k === 'buyer' || k === 'owner' ? ids.push((x as any).id) : walk(x, k)));
      if (key === 'userId' || key === 'ownerId') ids.push(v);
      if (key === 'description') texts.push(v);
    })(data, '');
    return { ids, texts };
  }

  test('an analyst gets every buyer and owner id orders returns as the pseudonym other subgraphs use, and no trade-in description', async () => {
    const res = ok(await t.g.gql(VIEW, { id: order.id, vin: order.vehicle.vin, u: pseudonym(buyer) }, as.analyst()));
    const { ids, texts } = collect(res);
    // order: 5 ids; vehicle: 4; the user's order: 5, vehicle: 2, credited order: 1; the paid-for order twice per purchase line.
    expect(ids.length).toBeGreaterThanOrEqual(5 + 4 + 5 + 2 + 1 + 4);
    expect(new Set(ids)).toEqual(new Set([pseudonym(buyer)]));
    expect(JSON.stringify(res)).not.toContain(buyer);
    expect(JSON.stringify(res)).not.toContain('Golf');
    const lines = res.user.spending.lines.edges.map((e: any) => e.node);
    expect(lines.find((l: any) => l.category === 'TRADE_IN_CREDIT')).toMatchObject({ description: 'Trade-in credit', paidFor: { description: null } });
    expect(texts.filter((d) => d === null).length).toBe(4); // order.tradeIn, the user's order.tradeIn, tradeIns, the credit line's TradeIn
  });

  test('the buyer and an admin see the person and the description the buyer wrote', async () => {
    for (const who of [as.customer(buyer), as.admin()]) {
      const query = who.role === 'customer' ? VIEW.replace(', $u: ID!', '').replace('user(id: $u)', 'me') : VIEW;
      const res = ok(await t.g.gql(query, { id: order.id, vin: order.vehicle.vin, u: buyer }, who));
      const { ids, texts } = collect(res);
      expect(new Set(ids)).toEqual(new Set([buyer]));
      expect(texts).toContain(CAR);
      expect(texts.some((d) => typeof d === 'string' && d.startsWith(`Trade-in credit for ${CAR}`))).toBe(true);
    }
  });

  test("an analyst reads a pseudonymised buyer's lists: the same answer an admin gets for the person, not an empty list or 0.00", async () => {
    for (const field of ['orders { edges { node { id } } }', 'spending { total { amount } }', 'loans { edges { cursor } }', 'swapSessions { edges { cursor } }']) {
      const q = `query($id: ID!) { order(id: $id) { buyer { ${field} } } }`;
      const analyst = ok(await t.g.gql(q, { id: order.id }, as.analyst()));
      expect([field, analyst]).toEqual([field, ok(await t.g.gql(q, { id: order.id }, as.admin()))]);
    }
    const spent = ok(await t.g.gql(`query($id: ID!) { order(id: $id) { buyer { spending { total { amount } } } } }`, { id: order.id }, as.analyst()));
    expect(spent.order.buyer.spending.total.amount).not.toBe('0.00');
  });

  test("the owner's real id behind the vehicle (internalOwnerId) cannot be selected through the gateway", async () => {
    const res = await t.g.gql(`query($vin: String!) { vehicle(vin: $vin) { internalOwnerId } }`, { vin: order.vehicle.vin }, as.analyst());
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
