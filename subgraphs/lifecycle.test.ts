/**
 * The headline promise, end to end: a fresh user's whole car life created through the graph's own
 * mutations in all five subgraphs, then one request for "what has my car cost me?" — through the
 * gateway over HTTP, on real PostgreSQL and on the embedded PGlite.
 */
import { randomBytes } from 'node:crypto';
import { startTestGraph, as, type TestGraph, type GqlResult } from '../testing/harness';
import { codeOf, fen, ok } from '../testing/assertions';
import { testVin } from '../testing/fresh-ids';
import { seedAll } from './seeding';
import { formatFen } from '../platform/money';
import { IDENTITY_HEADER, type Identity } from '../platform/identity';
import { pseudonym } from './kit/auth';
import { subgraphs } from '.';
import { apiSchema, collectObjects, isPersonal, sampleGraph, sampleOf, WALKED_GRAPH } from '../testing/graph-walk';
import { requiredValues, resolvedEntities } from '../testing/entities';
import { aimedAt, callWith } from '../testing/operations';

const HEADLINE = `query MySpending($from: DateTime, $to: DateTime, $first: Int, $after: String) {
  me {
    id
    spending(from: $from, to: $to) {
      total { amount currency }
      byCategory { category total { amount currency } }
      byMonth { month total { amount currency } }
      lineCount
      lines(first: $first, after: $after) {
        edges { node { id occurredAt category description amount { amount currency }
          paidFor {
            __typename
            ... on Order { id trim { name model { name } } }
            ... on TradeIn { id }
            ... on Instalment { id sequence loan { order { id } } }
            ... on InsurancePolicy { id }
            ... on ServiceInvoice { id store { name } }
            ... on SwapSession { id station { name } }
            ... on ChargingSession { id }
            ... on BatterySubscription { id plan { name } }
          } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;

const ADMIN = as.admin();

/** The distinct error codes of an answer. */
const codesOf = (res: GqlResult) => [...new Set((res.errors ?? []).map((e) => e.extensions?.code))];

/** Every value of `value` that is not a key or `__typename`, and not null. */
const valuesIn = (value: unknown): unknown[] =>
  Array.isArray(value) ? value.flatMap(valuesIn) : value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => (k === '__typename' ? [] : valuesIn(v))) : value === null ? [] : [value];

/** True when an answer holds no value the request did not send: it read nothing. */
const onlyEchoes = (data: unknown, sent: unknown) => valuesIn(data).every((v) => valuesIn(sent).includes(v));

/** Buys, pays and takes delivery of a car; returns the order and the VIN. */
async function buyCar(g: TestGraph, user: Identity, opts: { trimId: string; financed?: string; tradeInId?: string; colourId?: string; packageId?: string; accessoryIds?: string[] }) {
  const { placeOrder: order } = ok(await g.gql(`mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id deposit { amount } balanceDue { amount } totalPrice { amount } tradeInCredit { amount } financedAmount { amount } } }`, {
    i: { trimId: opts.trimId, colourId: opts.colourId, packageId: opts.packageId, accessoryIds: opts.accessoryIds ?? [], financedAmount: opts.financed, tradeInId: opts.tradeInId, idempotencyKey: randomBytes(8).toString('hex') },
  }, user));
  ok(await g.gql(`mutation($o: ID!, $a: Decimal!) { payDeposit(orderId: $o, amount: $a) { status } }`, { o: order.id, a: order.deposit.amount }, user));
  ok(await g.gql(`mutation($o: ID!, $a: Decimal!) { payBalance(orderId: $o, amount: $a) { status } }`, { o: order.id, a: order.balanceDue.amount }, user));
  const vin = testVin();
  ok(await g.gql(`mutation($o: ID!, $v: String!) { deliverOrder(orderId: $o, vin: $v) { status } }`, { o: order.id, v: vin }, ADMIN));
  return { order, vin };
}

describe.each(['postgres', 'pglite'] as const)('a fresh user\'s car life, on %s', (db) => {
  let g: TestGraph;
  const user = as.customer(`life-${randomBytes(4).toString('hex')}`);
  const intruder = as.customer(`intruder-${randomBytes(4).toString('hex')}`);
  /** Every amount of money that left the user's pocket, as the mutations reported it. */
  const paid: bigint[] = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    if (db === 'postgres' && !process.env.DATABASE_URL) throw new Error('set DATABASE_URL (npm test does)');
    g = await startTestGraph({ db: db === 'postgres' ? 'auto' : 'pglite', ...WALKED_GRAPH });
    await seedAll(g.db, 3); // the catalog, stores, stations, plans and products, and a few other users
  }, 120_000);
  afterAll(async () => g?.stop());

  test('buying: a test drive, trade-in, order with options, deposit, balance, delivery', async () => {
    const { requestTradeIn } = ok(await g.gql(`mutation { requestTradeIn(input: { description: "2016 hatchback", year: 2016, mileageKm: 98000, dealerOrg: "gac-aion" }) { id } }`, {}, user));
    ok(await g.gql(`mutation($id: ID!) { appraiseTradeIn(id: $id, amount: "12000.50") { status } }`, { id: requestTradeIn.id }, ADMIN));
    const { accessories } = ok(await g.gql(`{ accessories(first: 2) { edges { node { id } } } }`, {}, user));
    // A test drive first: the sweeps below ask every subgraph about every kind of this user's objects.
    ok(await g.gql(`mutation($at: DateTime!) { bookTestDrive(input: { trimId: "trim-ut-swap-420-rental", city: "Guangzhou", at: $at }) { id } }`, { at: new Date(Date.now() + 86400_000).toISOString() }, user));
    const { order, vin } = await buyCar(g, user, {
      trimId: 'trim-ut-swap-420-rental',
      colourId: 'colour-lake-blue',
      packageId: 'pkg-maintenance-enhanced',
      accessoryIds: accessories.edges.map((e: any) => e.node.id),
      financed: '30000.00',
      tradeInId: requestTradeIn.id,
    });
    expect(fen(order.tradeInCredit)).toBe(1200050n);
    expect(fen(order.deposit) + fen(order.balanceDue) + fen(order.tradeInCredit) + fen(order.financedAmount)).toBe(fen(order.totalPrice));
    paid.push(fen(order.deposit), fen(order.balanceDue));
    Object.assign(ids, { order: order.id, vin, tradeIn: requestTradeIn.id });
  });

  test('financing: a loan for the order, two instalments paid; insurance bought', async () => {
    const { openLoan } = ok(await g.gql(`mutation($o: ID!) { openLoan(input: { orderId: $o, kind: LOAN, termMonths: 12, annualRateBps: 399 }) { id principal { amount } schedule { id amount { amount } } } }`, { o: ids.order }, user));
    expect(openLoan.principal.amount).toBe('30000.00');
    for (const inst of openLoan.schedule.slice(0, 2)) {
      const { payInstalment } = ok(await g.gql(`mutation($i: ID!, $a: Decimal!) { payInstalment(instalmentId: $i, amount: $a) { status amount { amount } } }`, { i: inst.id, a: inst.amount.amount }, user));
      expect(payInstalment.status).toBe('PAID');
      paid.push(fen(payInstalment.amount));
    }
    ids.instalment = openLoan.schedule[0].id;
    ids.nextInstalment = openLoan.schedule[2].id;
    const { insuranceProducts } = ok(await g.gql(`{ insuranceProducts(first: 1) { edges { node { id } } } }`, {}, user));
    const { buyInsurance } = ok(await g.gql(`mutation($v: String!, $p: ID!) { buyInsurance(input: { vin: $v, productId: $p }) { id premium { amount } } }`, { v: ids.vin, p: insuranceProducts.edges[0].node.id }, user));
    paid.push(fen(buyInsurance.premium));
  });

  test('maintenance: a repair booked and invoiced by the store, with a warranty-covered part', async () => {
    const { stores } = ok(await g.gql(`{ stores(kind: MAINTENANCE, first: 1) { edges { node { id org } } } }`, {}, user));
    const store = stores.edges[0].node;
    const at = new Date(Date.now() + 3 * 86400_000).toISOString();
    // A repair: the car's maintenance-enhanced package prepays scheduled maintenance only (next test).
    const { bookService } = ok(await g.gql(`mutation($s: ID!, $v: String!, $at: DateTime!) { bookService(input: { storeId: $s, vin: $v, serviceType: REPAIR, scheduledAt: $at }) { id } }`, { s: store.id, v: ids.vin, at }, user));
    // The day of the appointment comes (bookings are for the future; an invoice cannot precede its appointment).
    await g.db.query(`UPDATE aftermarket.appointments SET scheduled_at = now() - interval '1 hour' WHERE id = $1`, [bookService.id]);
    const { issueInvoice } = ok(await g.gql(`mutation($a: ID!) { issueInvoice(input: { appointmentId: $a, lines: [
        { kind: PART, description: "Cabin filter", quantity: 2, unitPrice: "88.80", warrantyCovered: false },
        { kind: PART, description: "Coolant pump", quantity: 1, unitPrice: "1450.00", warrantyCovered: true },
        { kind: LABOUR, description: "Labour", quantity: 1, unitPrice: "200.01", warrantyCovered: false } ] }) { id ownerPaid { amount } warrantyCovered { amount } } }`,
      { a: bookService.id }, as.partner('store-staff', store.org)));
    expect(issueInvoice.ownerPaid.amount).toBe('377.61');
    expect(issueInvoice.warrantyCovered.amount).toBe('1450.00');
    paid.push(fen(issueInvoice.ownerPaid));
    ids.invoice = issueInvoice.id;
    ids.appointment = bookService.id;
    ids.store = store.id;
  });

  test('maintenance: scheduled maintenance prepaid by the maintenance-enhanced package costs the owner 0.00', async () => {
    const at = new Date(Date.now() + 4 * 86400_000).toISOString();
    const { bookService } = ok(await g.gql(`mutation($s: ID!, $v: String!, $at: DateTime!) { bookService(input: { storeId: $s, vin: $v, serviceType: MAINTENANCE, scheduledAt: $at }) { id } }`, { s: ids.store, v: ids.vin, at }, user));
    await g.db.query(`UPDATE aftermarket.appointments SET scheduled_at = now() - interval '1 hour' WHERE id = $1`, [bookService.id]);
    const { store } = ok(await g.gql(`query($s: ID!) { store(id: $s) { org } }`, { s: ids.store }, user));
    const { issueInvoice } = ok(await g.gql(`mutation($a: ID!) { issueInvoice(input: { appointmentId: $a, lines: [
        { kind: LABOUR, description: "Scheduled inspection", quantity: 1, unitPrice: "260.00", warrantyCovered: false } ] }) { ownerPaid { amount } platformSettled { amount } } }`,
      { a: bookService.id }, as.partner('store-staff', store.org)));
    expect(issueInvoice).toEqual({ ownerPaid: { amount: '0.00' }, platformSettled: { amount: '260.00' } });
    const { vehicle } = ok(await g.gql(`query($v: String!) { vehicle(vin: $v) { maintenancePlan { servicesUsed servicesRemaining } } }`, { v: ids.vin }, user));
    expect(vehicle.maintenancePlan).toEqual({ servicesUsed: 1, servicesRemaining: 5 });
  });

  test('energy: battery subscription, a swap at a station, a charging session', async () => {
    const { batteryPlans } = ok(await g.gql(`{ batteryPlans { id monthlyFee { amount } } }`, {}, user));
    const { subscribeBatteryPlan } = ok(await g.gql(`mutation($v: String!, $p: ID!) { subscribeBatteryPlan(input: { vin: $v, planId: $p }) { id } }`, { v: ids.vin, p: batteryPlans[0].id }, user));
    paid.push(fen(batteryPlans[0].monthlyFee));
    ids.subscription = subscribeBatteryPlan.id;
    const { stations } = ok(await g.gql(`{ stations(first: 1) { edges { node { id operatorOrg } } } }`, {}, user));
    const station = stations.edges[0].node;
    ids.station = station.id;
    const { recordSwap } = ok(await g.gql(`mutation($s: ID!, $v: String!, $at: DateTime!) { recordSwap(input: { stationId: $s, vin: $v, swappedAt: $at, stateOfChargeBefore: 12, stateOfChargeAfter: 98 }) { id fee { amount } } }`,
      { s: station.id, v: ids.vin, at: new Date(Date.now() - 3600_000).toISOString() }, as.partner('station-staff', station.operatorOrg)));
    paid.push(fen(recordSwap.fee));
    ids.swap = recordSwap.id;
    const { recordCharging } = ok(await g.gql(`mutation($v: String!, $s: DateTime!, $e: DateTime!) { recordCharging(input: { vin: $v, chargerId: "chgr-s000003", startedAt: $s, endedAt: $e, energyWh: 31250, fee: "47.19" }) { id fee { amount } } }`,
      { v: ids.vin, s: new Date(Date.now() - 7200_000).toISOString(), e: new Date(Date.now() - 5400_000).toISOString() }, as.partner('charger', 'star-charge')));
    paid.push(fen(recordCharging.fee));
    ids.charging = recordCharging.id;
  });

  test('the headline total equals every amount paid, to the fen; categories and months add up to it', async () => {
    const { me } = ok(await g.gql(HEADLINE, { first: 5 }, user));
    const expected = paid.reduce((a, b) => a + b, 0n);
    expect(me.spending.total).toEqual({ amount: formatFen(expected), currency: 'CNY' });
    expect(formatFen(me.spending.byCategory.reduce((a: bigint, c: any) => a + fen(c.total), 0n))).toBe(formatFen(expected));
    expect(formatFen(me.spending.byMonth.reduce((a: bigint, c: any) => a + fen(c.total), 0n))).toBe(formatFen(expected));
    const categories = me.spending.byCategory.map((c: any) => c.category);
    for (const c of ['PURCHASE', 'TRADE_IN_CREDIT', 'LOAN_INSTALMENT', 'INSURANCE', 'MAINTENANCE', 'BATTERY_SUBSCRIPTION', 'CHARGING']) expect(categories).toContain(c);
  });

  test('paging through lines returns every line exactly once, summing to the total, each linked to what it paid for', async () => {
    const seen: any[] = [];
    let after: string | null = null;
    let total = '';
    let lineCount = 0;
    for (let page = 0; page < 50; page++) {
      const { me }: { me: any } = ok(await g.gql(HEADLINE, { first: 3, after }, user));
      total = me.spending.total.amount;
      lineCount = me.spending.lineCount;
      seen.push(...me.spending.lines.edges.map((e: any) => e.node));
      if (!me.spending.lines.pageInfo.hasNextPage) break;
      after = me.spending.lines.pageInfo.endCursor;
    }
    expect(new Set(seen.map((l) => l.id)).size).toBe(seen.length);
    expect(seen.length).toBe(lineCount);
    expect(formatFen(seen.reduce((a, l) => a + fen(l.amount), 0n))).toBe(total);
    for (let i = 1; i < seen.length; i++) expect(seen[i - 1].occurredAt >= seen[i].occurredAt).toBe(true);

    const byType = (t: string) => seen.filter((l) => l.paidFor?.__typename === t).map((l) => l.paidFor);
    expect(byType('Order')[0]).toMatchObject({ id: ids.order, trim: { name: expect.any(String), model: { name: expect.any(String) } } });
    expect(byType('TradeIn')[0]).toEqual({ __typename: 'TradeIn', id: ids.tradeIn });
    expect(byType('Instalment')).toEqual(expect.arrayContaining([expect.objectContaining({ id: ids.instalment, sequence: 1, loan: { order: { id: ids.order } } })]));
    expect(byType('ServiceInvoice')[0]).toMatchObject({ id: ids.invoice, store: { name: expect.any(String) } });
    expect(byType('BatterySubscription')[0]).toMatchObject({ id: ids.subscription, plan: { name: expect.any(String) } });
    expect(byType('ChargingSession')).toHaveLength(1);
    expect(byType('InsurancePolicy')).toHaveLength(1);
  });

  test('a period narrows the report; from must be before to', async () => {
    const future = ok(await g.gql(HEADLINE, { from: '2099-01-01', first: 5 }, user));
    expect(future.me.spending.total.amount).toBe('0.00');
    expect(future.me.spending.lines.edges).toEqual([]);
    const bad = await g.gql(HEADLINE, { from: '2026-01-01', to: '2025-01-01' }, user);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  });

  test('a customer reads only their own data: user(id:), someone else\'s order, vehicle, invoice and instalment are refused', async () => {
    expect(codeOf(await g.gql(`query($u: ID!) { user(id: $u) { id } }`, { u: user.sub }, intruder))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(`query($u: ID!) { user(id: $u) { id } }`, { u: user.sub }, user))).toBe('FORBIDDEN');
    // Someone else's objects are NOT_FOUND, exactly as if they did not exist.
    expect(codeOf(await g.gql(`query($o: ID!) { order(id: $o) { id } }`, { o: ids.order }, intruder))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(`query($v: String!) { vehicle(vin: $v) { vin } }`, { v: ids.vin }, intruder))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(`query($i: ID!) { serviceInvoice(id: $i) { id } }`, { i: ids.invoice }, intruder))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(`mutation($i: ID!) { payInstalment(instalmentId: $i, amount: "1.00") { id } }`, { i: ids.nextInstalment }, intruder))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(`mutation($o: ID!) { payDeposit(orderId: $o, amount: "1.00") { id } }`, { o: ids.order }, intruder))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(`query($u: ID!) { user(id: $u) { id } }`, { u: user.sub }, null))).toBe('UNAUTHENTICATED');
  });

  test('no mutation in the graph lets an analyst change anything: each one, aimed at this user, is FORBIDDEN', async () => {
    // Every mutation of every subgraph, from the schema clients see; its ids are this user's own objects
    // (or public ones: a trim, a store), so a missing check would act on this user's data.
    const schema = await apiSchema(g);
    const samples = await sampleGraph(g, schema, user);
    const mutations = Object.values(schema.getMutationType()!.getFields());
    const before = ok(await g.gql(HEADLINE, { first: 1 }, user)).me.spending;
    for (const mutation of mutations) {
      const { query, variables } = callWith(schema, 'mutation', mutation, aimedAt(schema, samples, mutation));
      expect([mutation.name, codeOf(await g.gql(query, variables, as.analyst()))]).toEqual([mutation.name, 'FORBIDDEN']);
    }
    expect(mutations.length).toBeGreaterThan(20);
    const after = ok(await g.gql(HEADLINE, { first: 1 }, user)).me.spending;
    expect({ total: after.total, lineCount: after.lineCount }).toEqual({ total: before.total, lineCount: before.lineCount });
  });

  test("calling any subgraph directly reads nothing personal: unsigned it is refused (401), and as an anonymous caller the gateway signed every entity of this user that any subgraph resolves is UNAUTHENTICATED", async () => {
    // Real ids to aim at: this user's data through the gateway, and the public catalog an anonymous caller reads.
    const samples = await sampleGraph(g, await apiSchema(g), user);
    // A cost-of-ownership quote is public but takes an input, so no argument-free walk meets one: ask one.
    const quote = await g.gql(
      `query($i: OwnershipQuoteInput!) { ownershipQuote(input: $i) { __typename spec } }`,
      { i: { years: 1, annualDistanceKm: 10_000, city: 'Guangzhou', options: [{ trimId: 'trim-ut-420', financing: { kind: 'CASH' } }] } },
      null,
    );
    collectObjects(ok(quote), samples.public);
    const direct = async (subgraph: string, representation: Record<string, unknown>, selection: string, signed: boolean) => {
      const body = JSON.stringify({ query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${representation.__typename} { __typename ${selection} } } }`, variables: { r: [representation] } });
      const res = await fetch(g.subgraphUrl(subgraph), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signed ? { [IDENTITY_HEADER]: await g.identityToken(subgraph, null, body) } : {}) },
        body,
      });
      return { ...((await res.json()) as GqlResult), status: res.status };
    };
    // Every entity type of every subgraph folder, and each field that subgraph resolves for it on its own
    // (one field per request, so a refusal of one cannot hide another's answer).
    const entities = subgraphs().flatMap((m) => resolvedEntities(m.name));
    let asked = 0;
    for (const entity of entities) {
      const sample = sampleOf(samples, entity.type);
      if (!sample) throw new Error(`the direct-call sweep has no ${entity.type} to ask ${entity.subgraph} about: give the test user one through the gateway in this test's life`);
      const key = { __typename: entity.type, ...Object.fromEntries(entity.keyFields.map((k) => [k, sample[k]])) };
      const mine = isPersonal(samples, entity.type);
      const unsigned = await direct(entity.subgraph, key, '__typename', false);
      expect([`unsigned ${entity.subgraph} ${entity.type}`, unsigned.status, codesOf(unsigned)]).toEqual([`unsigned ${entity.subgraph} ${entity.type}`, 401, ['UNAUTHENTICATED']]);
      for (const field of entity.fields) {
        const representation = { ...requiredValues(entity, field, user.sub), ...key };
        const res = await direct(entity.subgraph, representation, field.selection, true);
        const what = `anonymous ${entity.subgraph} ${entity.type} { ${field.selection} }`;
        if (mine) {
          // The user's own entities are refused, or answer nothing but what the caller sent (orders' internal
          // `User.internalId` repeats an anonymous caller's `id`: for anyone but an analyst the two are one).
          const refused = codesOf(res).join() === 'UNAUTHENTICATED';
          expect([what, res.status, refused || (!res.errors && onlyEchoes(res.data, representation))]).toEqual([what, 200, true]);
          asked += 1;
        } else {
          // The public catalog, stores, stations and quotes answer, and hold nothing of the user. A field
          // that reads what it requires (made up here, as no gateway would send it) may refuse it instead.
          const codes = codesOf(res);
          const refusedMadeUp = field.requires.length > 0 && codes.join() === 'BAD_USER_INPUT';
          expect([what, res.status, refusedMadeUp ? [] : codes, JSON.stringify(res.data).includes(user.sub)]).toEqual([what, 200, [], false]);
        }
      }
    }
    // Not vacuous: the user's own entities in every subgraph folder were asked for, field by field.
    expect(asked).toBeGreaterThan(100);
    // (A subgraph that resolves no entity at all — analytics serves only root fields — has nothing to ask.)
    // (Nor does one that resolves only public entities, such as a merge of public prices.)
    const withPrivateEntities = subgraphs().filter((m) => resolvedEntities(m.name).some((e) => !samples.public.has(e.type)));
    expect(new Set(entities.filter((e) => isPersonal(samples, e.type)).map((e) => e.subgraph))).toEqual(new Set(withPrivateEntities.map((m) => m.name)));
  });

  test('an analyst reads the same spending through user(id:)', async () => {
    const mine = ok(await g.gql(HEADLINE, { first: 1 }, user));
    const { user: seen } = ok(await g.gql(`query($u: ID!) { user(id: $u) { spending { total { amount } lineCount } } }`, { u: pseudonym(user.sub) }, as.analyst()));
    expect(seen.spending).toEqual({ total: { amount: mine.me.spending.total.amount }, lineCount: mine.me.spending.lineCount });
  });

  test('bad input gets a clear error and changes nothing', async () => {
    const before = ok(await g.gql(HEADLINE, { first: 1 }, user)).me.spending.total.amount;
    const attempts: Array<[string, Record<string, unknown>, Identity, string]> = [
      [`mutation { placeOrder(input: { trimId: "trim-does-not-exist", idempotencyKey: "k-unknown-trim" }) { id } }`, {}, user, 'NOT_FOUND'],
      [`mutation($o: ID!) { payDeposit(orderId: $o, amount: "-5.00") { id } }`, { o: ids.order }, user, 'BAD_USER_INPUT'],
      [`mutation($o: ID!, $a: Decimal!) { payBalance(orderId: $o, amount: $a) { id } }`, { o: ids.order, a: 'ten' }, user, 'BAD_USER_INPUT'],
      [`mutation($o: ID!, $a: Decimal!) { payBalance(orderId: $o, amount: $a) { id } }`, { o: ids.order, a: 12.5 }, user, 'BAD_USER_INPUT'],
      [`mutation($i: ID!) { payInstalment(instalmentId: $i, amount: "1.00") { id } }`, { i: ids.instalment }, user, 'CONFLICT'],
      [`mutation($o: ID!, $v: String!) { deliverOrder(orderId: $o, vin: $v) { id } }`, { o: ids.order, v: testVin() }, ADMIN, 'CONFLICT'],
    ];
    for (const [query, variables, who, code] of attempts) {
      const res = await g.gql(query, variables, who);
      expect({ query, code: codeOf(res) }).toEqual({ query, code });
      expect(res.errors![0].message.length).toBeGreaterThan(10);
    }
    const after = ok(await g.gql(HEADLINE, { first: 1 }, user)).me.spending.total.amount;
    expect(after).toBe(before);
  });

  test('paying the same instalment twice at once: exactly one payment counts', async () => {
    const { order } = ok(await g.gql(`query($o: ID!) { order(id: $o) { loan { schedule { id status amount { amount } } } } }`, { o: ids.order }, user));
    const loan = order.loan;
    const next = loan.schedule.find((s: any) => s.status === 'DUE');
    const pay = () => g.gql(`mutation($i: ID!, $a: Decimal!) { payInstalment(instalmentId: $i, amount: $a) { id } }`, { i: next.id, a: next.amount.amount }, user);
    const before = fen(ok(await g.gql(HEADLINE, { first: 1 }, user)).me.spending.total);
    const results = await Promise.all([pay(), pay(), pay()]);
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => codeOf(r) === 'CONFLICT').length).toBe(2);
    const after = fen(ok(await g.gql(HEADLINE, { first: 1 }, user)).me.spending.total);
    expect(after - before).toBe(fen(next.amount));
  });
});

describe('the headline request costs the same number of SQL statements for 10 lines and for 1,000', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph();
    await seedAll(g.db, 1);
  }, 120_000);
  afterAll(async () => g?.stop());

  async function userWithChargingLines(n: number): Promise<Identity> {
    const user = as.customer(`lines-${n}-${randomBytes(3).toString('hex')}`);
    const { vin } = await buyCar(g, user, { trimId: 'trim-ut-420' });
    const base = Date.now() - 20 * 86400_000;
    for (let i = 0; i < n; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, n - i) }, (_, j) =>
          g.gql(`mutation($v: String!, $s: DateTime!, $e: DateTime!) { recordCharging(input: { vin: $v, chargerId: "chgr-s000003", startedAt: $s, endedAt: $e, energyWh: 1000, fee: "1.01" }) { id } }`, {
            v: vin,
            s: new Date(base + (i + j) * 60_000).toISOString(),
            e: new Date(base + (i + j) * 60_000 + 30_000).toISOString(),
          }, as.partner('charger', 'star-charge')).then(ok),
        ),
      );
    }
    return user;
  }

  test('same statement count, and the 1,000-line total is exact', async () => {
    const small = await userWithChargingLines(8);
    const large = await userWithChargingLines(998);
    const count = async (who: Identity) => {
      ok(await g.gql(HEADLINE, { first: 20 }, who)); // warm: plans cached, nothing else
      const before = g.db.statementCount;
      const data = ok(await g.gql(HEADLINE, { first: 20 }, who));
      return { statements: g.db.statementCount - before, data };
    };
    const a = await count(small);
    const b = await count(large);
    expect(a.data.me.spending.lineCount).toBe(10);
    expect(b.data.me.spending.lineCount).toBe(1000);
    expect(b.statements).toBe(a.statements);
    const { data } = b;
    const charging = data.me.spending.byCategory.find((c: any) => c.category === 'CHARGING');
    expect(charging.total.amount).toBe('1007.98'); // 998 × 1.01, exact
  }, 180_000);
});
