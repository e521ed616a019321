/**
 * The lifecycle timeline end to end, through the gateway over HTTP on real PostgreSQL: a car's whole
 * life created with the mutations of all five subgraphs, then read back as one ordered, paged list;
 * page boundaries among events at the same moment; who may read whose timeline; bad input.
 */
import { randomBytes } from 'node:crypto';
import { startTestGraph, as, type TestGraph } from '../../testing/harness';
import { codeOf, fen, ok } from '../../testing/assertions';
import { testVin } from '../../testing/fresh-ids';
import { seedAll } from '../../testing/seed';
import { pseudonym } from '../kit/auth';
import { IDENTITY_HEADER } from '../../platform/identity';

const SOURCE_TYPES = ['Order', 'TradeIn', 'TestDrive', 'Loan', 'Instalment', 'InsurancePolicy', 'Appointment', 'ServiceInvoice', 'WarrantyClaim', 'ServiceStore', 'BatterySubscription', 'SwapSession', 'ChargingSession', 'VehicleModel'];
const PAGE = `timeline(first: $first, after: $after) {
    userId
    edges { cursor node { id occurredAt stage kind amount { amount currency } source { __typename ${SOURCE_TYPES.map((t) => `... on ${t} { id }`).join(' ')} } } }
    pageInfo { hasNextPage endCursor }
  }`;
const VEHICLE_TIMELINE = `query($vin: String!, $first: Int, $after: String) { vehicle(vin: $vin) { ${PAGE} } }`;
const MY_TIMELINE = `query($first: Int, $after: String) { me { ${PAGE} } }`;
const USER_TIMELINE = `query($id: ID!, $first: Int, $after: String) { user(id: $id) { ${PAGE} } }`;
const SPENDING_LINES = `query($after: String) { me { spending { lines(first: 100, after: $after) { edges { node { id amount { amount } } } pageInfo { hasNextPage endCursor } } } } }`;

const ADMIN = as.admin();
type Event = { id: string; occurredAt: string; stage: string; kind: string; amount: { amount: string; currency: string } | null; source: { __typename: string; id: string } | null };

/** Every event of a timeline, reading pages of `first` until the last; also the cursors seen. */
async function readAll(g: TestGraph, query: string, vars: Record<string, unknown>, who: ReturnType<typeof as.customer>, first: number, pick: (data: any) => any) {
  const events: Event[] = [];
  let after: string | null = null;
  for (let page = 0; page < 200; page++) {
    const timeline: any = pick(ok(await g.gql(query, { ...vars, first, after }, who)));
    expect(timeline.edges.length).toBeLessThanOrEqual(first);
    events.push(...timeline.edges.map((e: any) => e.node));
    if (!timeline.pageInfo.hasNextPage) return events;
    after = timeline.pageInfo.endCursor;
  }
  throw new Error('more than 200 pages');
}

/** True when `events` are newest first, events at the same moment by id descending (byte order). */
function inTimelineOrder(events: readonly Event[]): boolean {
  return events.every((e, i) => i === 0 || events[i - 1].occurredAt > e.occurredAt || (events[i - 1].occurredAt === e.occurredAt && Buffer.compare(Buffer.from(events[i - 1].id), Buffer.from(e.id)) > 0));
}

let g: TestGraph;
beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, 2); // the catalog, stores, stations, plans and products, and a few other users
}, 180_000);
afterAll(async () => g?.stop());

describe("a car's whole life, through the mutations of all five subgraphs", () => {
  const user = as.customer(`tl-${randomBytes(4).toString('hex')}`);
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const day = 86400_000;
    // catalog: a co-creation preference for the model
    const { trim } = ok(await g.gql(`{ trim(id: "trim-ut-swap-420-rental") { model { id } } }`, {}, user));
    ids.model = trim.model.id;
    ok(await g.gql(`mutation($m: ID!) { statePreference(input: { modelId: $m, priceExpectation: "120000.00" }) { id } }`, { m: ids.model }, user));
    // orders: trade-in, test drive, order with the accessory package, deposit, balance, delivery
    const { requestTradeIn } = ok(await g.gql(`mutation { requestTradeIn(input: { description: "2016 hatchback", year: 2016, mileageKm: 98000, dealerOrg: "gac-aion" }) { id } }`, {}, user));
    ids.tradeIn = requestTradeIn.id;
    ok(await g.gql(`mutation($id: ID!) { appraiseTradeIn(id: $id, amount: "12000.50") { status } }`, { id: ids.tradeIn }, ADMIN));
    const { bookTestDrive } = ok(await g.gql(`mutation($at: DateTime!) { bookTestDrive(input: { trimId: "trim-ut-swap-420-rental", city: "Guangzhou", at: $at }) { id } }`, { at: new Date(Date.now() + day).toISOString() }, user));
    ids.testDrive = bookTestDrive.id;
    const { placeOrder: order } = ok(await g.gql(`mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id deposit { amount } balanceDue { amount } } }`, {
      i: { trimId: 'trim-ut-swap-420-rental', packageId: 'pkg-accessory-assembly', financedAmount: '30000.00', tradeInId: ids.tradeIn, idempotencyKey: randomBytes(8).toString('hex') },
    }, user));
    ids.order = order.id;
    ok(await g.gql(`mutation($o: ID!, $a: Decimal!) { payDeposit(orderId: $o, amount: $a) { status } }`, { o: order.id, a: order.deposit.amount }, user));
    ok(await g.gql(`mutation($o: ID!, $a: Decimal!) { payBalance(orderId: $o, amount: $a) { status } }`, { o: order.id, a: order.balanceDue.amount }, user));
    ids.vin = testVin();
    ok(await g.gql(`mutation($o: ID!, $v: String!) { deliverOrder(orderId: $o, vin: $v) { status } }`, { o: order.id, v: ids.vin }, ADMIN));
    // finance: a loan and one instalment, insurance
    const { openLoan } = ok(await g.gql(`mutation($o: ID!) { openLoan(input: { orderId: $o, kind: LOAN, termMonths: 12, annualRateBps: 399 }) { id schedule { id amount { amount } } } }`, { o: ids.order }, user));
    ids.loan = openLoan.id;
    ids.instalment = openLoan.schedule[0].id;
    ok(await g.gql(`mutation($i: ID!, $a: Decimal!) { payInstalment(instalmentId: $i, amount: $a) { status } }`, { i: ids.instalment, a: openLoan.schedule[0].amount.amount }, user));
    const { insuranceProducts } = ok(await g.gql(`{ insuranceProducts(first: 1) { edges { node { id } } } }`, {}, user));
    ids.policy = ok(await g.gql(`mutation($v: String!, $p: ID!) { buyInsurance(input: { vin: $v, productId: $p }) { id } }`, { v: ids.vin, p: insuranceProducts.edges[0].node.id }, user)).buyInsurance.id;
    // aftermarket: a repair invoiced with a warranty-covered part, the package fitted at a modification visit, a cancelled booking
    const { stores } = ok(await g.gql(`{ stores(kind: MAINTENANCE, first: 1) { edges { node { id org } } } }`, {}, user));
    const store = stores.edges[0].node;
    const book = async (storeId: string, type: string, inDays: number) =>
      ok(await g.gql(`mutation($s: ID!, $v: String!, $t: ServiceType!, $at: DateTime!) { bookService(input: { storeId: $s, vin: $v, serviceType: $t, scheduledAt: $at }) { id } }`, { s: storeId, v: ids.vin, t: type, at: new Date(Date.now() + inDays * day).toISOString() }, user)).bookService.id as string;
    ids.repair = await book(store.id, 'REPAIR', 3);
    await g.db.query(`UPDATE aftermarket.appointments SET scheduled_at = now() - interval '1 hour' WHERE id = $1`, [ids.repair]);
    ids.invoice = ok(await g.gql(`mutation($a: ID!) { issueInvoice(input: { appointmentId: $a, lines: [
        { kind: PART, description: "Coolant pump", quantity: 1, unitPrice: "1450.00", warrantyCovered: true },
        { kind: LABOUR, description: "Labour", quantity: 1, unitPrice: "200.01", warrantyCovered: false } ] }) { id } }`, { a: ids.repair }, as.partner('store-staff', store.org))).issueInvoice.id;
    const { stores: mods } = ok(await g.gql(`{ stores(kind: MODIFICATION, first: 1) { edges { node { id org } } } }`, {}, user));
    const mod = mods.edges[0].node;
    ids.modification = await book(mod.id, 'MODIFICATION', 4);
    ids.fittingStore = mod.id;
    ok(await g.gql(`mutation($v: String!, $s: ID!) { recordPackageFitting(input: { vin: $v, storeId: $s }) { id } }`, { v: ids.vin, s: mod.id }, as.partner('fitter', mod.org)));
    ids.cancelled = await book(store.id, 'MAINTENANCE', 5);
    ok(await g.gql(`mutation($a: ID!) { cancelAppointment(id: $a) { status } }`, { a: ids.cancelled }, user));
    // energy: a battery plan (its first month charged), a swap, a charging session, the plan cancelled
    const { batteryPlans } = ok(await g.gql(`{ batteryPlans { id } }`, {}, user));
    ids.subscription = ok(await g.gql(`mutation($v: String!, $p: ID!) { subscribeBatteryPlan(input: { vin: $v, planId: $p }) { id } }`, { v: ids.vin, p: batteryPlans[0].id }, user)).subscribeBatteryPlan.id;
    const { stations } = ok(await g.gql(`{ stations(first: 1) { edges { node { id operatorOrg } } } }`, {}, user));
    const station = stations.edges[0].node;
    ids.swap = ok(await g.gql(`mutation($s: ID!, $v: String!, $at: DateTime!) { recordSwap(input: { stationId: $s, vin: $v, swappedAt: $at, stateOfChargeBefore: 12, stateOfChargeAfter: 98 }) { id } }`,
      { s: station.id, v: ids.vin, at: new Date(Date.now() - 3600_000).toISOString() }, as.partner('station-staff', station.operatorOrg))).recordSwap.id;
    ids.charging = ok(await g.gql(`mutation($v: String!, $s: DateTime!, $e: DateTime!) { recordCharging(input: { vin: $v, chargerId: "chgr-s000003", startedAt: $s, endedAt: $e, energyWh: 31250, fee: "47.19" }) { id } }`,
      { v: ids.vin, s: new Date(Date.now() - 7200_000).toISOString(), e: new Date(Date.now() - 5400_000).toISOString() }, as.partner('charger', 'star-charge'))).recordCharging.id;
    ok(await g.gql(`mutation($s: ID!) { cancelBatterySubscription(id: $s) { status } }`, { s: ids.subscription }, user));
  }, 120_000);

  /** What the car's life created, as kind → the source each event names. */
  const vehicleEvents = () => [
    ['ORDER_PLACED', 'Order', ids.order], ['DEPOSIT_PAID', 'Order', ids.order], ['BALANCE_PAID', 'Order', ids.order], ['TRADE_IN_CREDITED', 'TradeIn', ids.tradeIn], ['VEHICLE_DELIVERED', 'Order', ids.order],
    ['LOAN_OPENED', 'Loan', ids.loan], ['INSTALMENT_PAID', 'Instalment', ids.instalment], ['INSURANCE_BOUGHT', 'InsurancePolicy', ids.policy],
    ['APPOINTMENT_BOOKED', 'Appointment', ids.repair], ['SERVICE_INVOICED', 'ServiceInvoice', ids.invoice], ['WARRANTY_CLAIM_SUBMITTED', 'WarrantyClaim', undefined],
    ['APPOINTMENT_BOOKED', 'Appointment', ids.modification], ['PACKAGE_FITTED', 'ServiceStore', ids.fittingStore],
    ['APPOINTMENT_BOOKED', 'Appointment', ids.cancelled], ['APPOINTMENT_CANCELLED', 'Appointment', ids.cancelled],
    ['BATTERY_SUBSCRIBED', 'BatterySubscription', ids.subscription], ['BATTERY_SUBSCRIPTION_CHARGED', 'BatterySubscription', ids.subscription], ['BATTERY_SWAPPED', 'SwapSession', ids.swap],
    ['VEHICLE_CHARGED', 'ChargingSession', ids.charging], ['BATTERY_SUBSCRIPTION_CANCELLED', 'BatterySubscription', ids.subscription],
  ];
  const shape = (events: readonly Event[]) => events.map((e) => [e.kind, e.source?.__typename, e.source?.__typename === 'WarrantyClaim' ? undefined : e.source?.id]).map((x) => JSON.stringify(x)).sort();

  test("the vehicle's timeline holds every event created for it in all five subgraphs' mutations, newest first, each linked to its source", async () => {
    const events = await readAll(g, VEHICLE_TIMELINE, { vin: ids.vin }, user, 100, (d) => d.vehicle.timeline);
    expect(shape(events)).toEqual(vehicleEvents().map((x) => JSON.stringify(x)).sort());
    expect(inTimelineOrder(events)).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const stageOf = Object.fromEntries(events.map((e) => [e.kind, e.stage]));
    expect(stageOf).toMatchObject({ ORDER_PLACED: 'PURCHASE', PACKAGE_FITTED: 'CONFIGURATION', SERVICE_INVOICED: 'MAINTENANCE', BATTERY_SWAPPED: 'USAGE', TRADE_IN_CREDITED: 'REPLACEMENT' });
  });

  test("the user's timeline adds what belongs to no car: the catalog preference, the test drive, the trade-in's request and appraisal", async () => {
    const events = await readAll(g, MY_TIMELINE, {}, user, 100, (d) => d.me.timeline);
    const extra = [['PREFERENCE_STATED', 'VehicleModel', ids.model], ['TEST_DRIVE_BOOKED', 'TestDrive', ids.testDrive], ['TRADE_IN_REQUESTED', 'TradeIn', ids.tradeIn], ['TRADE_IN_APPRAISED', 'TradeIn', ids.tradeIn]];
    expect(shape(events)).toEqual([...vehicleEvents(), ...extra].map((x) => JSON.stringify(x)).sort());
    expect(inTimelineOrder(events)).toBe(true);
  });

  test('the events that carry an amount are exactly the spending lines: the same ids and fen, each counted once', async () => {
    const events = await readAll(g, MY_TIMELINE, {}, user, 100, (d) => d.me.timeline);
    const lines = new Map<string, string>();
    let after: string | null = null;
    do {
      const page: any = ok(await g.gql(SPENDING_LINES, { after }, user)).me.spending.lines;
      for (const e of page.edges) lines.set(e.node.id, e.node.amount.amount);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    const withAmount = new Map(events.filter((e) => e.amount).map((e) => [e.id, e.amount!.amount]));
    expect(withAmount).toEqual(lines);
    expect(lines.size).toBeGreaterThanOrEqual(8);
    expect(events.find((e) => e.kind === 'TRADE_IN_CREDITED')!.amount).toEqual({ amount: '-12000.50', currency: 'CNY' });
    expect(events.find((e) => e.kind === 'WARRANTY_CLAIM_SUBMITTED')!.amount).toBeNull();
    expect(fen(events.find((e) => e.kind === 'SERVICE_INVOICED')!.amount!)).toBe(20001n);
  });

  test('paging the vehicle timeline with first = 1, 2, 3, 7 gives exactly the one-page list', async () => {
    const whole = await readAll(g, VEHICLE_TIMELINE, { vin: ids.vin }, user, 100, (d) => d.vehicle.timeline);
    for (const first of [1, 2, 3, 7]) {
      expect((await readAll(g, VEHICLE_TIMELINE, { vin: ids.vin }, user, first, (d) => d.vehicle.timeline)).map((e) => e.id)).toEqual(whole.map((e) => e.id));
    }
  });

  test("an analyst reads the car's and the owner's timeline behind the pseudonym: no real user id anywhere in the answer", async () => {
    const analyst = as.analyst('an-1');
    const res = ok(await g.gql(VEHICLE_TIMELINE, { vin: ids.vin, first: 100 }, analyst));
    expect(res.vehicle.timeline.userId).toBe(pseudonym(user.sub));
    expect(res.vehicle.timeline.edges.length).toBe(vehicleEvents().length);
    const mine = ok(await g.gql(USER_TIMELINE, { id: pseudonym(user.sub), first: 100 }, analyst));
    expect(mine.user.timeline.edges.length).toBe(vehicleEvents().length + 4);
    for (const body of [res, mine]) expect(JSON.stringify(body)).not.toContain(user.sub);
  });

  test("a partner's graph has no timeline, and every contributor asked directly for a page as a partner answers FORBIDDEN", async () => {
    const partner = as.partner('p-1', 'gac-aion');
    // Partners are served the partner contract, which leaves the timeline out, as it leaves out spending.
    const byPartner = await g.gql(VEHICLE_TIMELINE, { vin: ids.vin, first: 5 }, partner);
    expect(codeOf(byPartner)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(byPartner.data).toBeUndefined();
    for (const contributor of ['catalog', 'orders', 'finance', 'aftermarket', 'energy']) {
      const request = JSON.stringify({
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on TimelinePage { ${contributor}Events { id } } } }`,
        variables: { r: [{ __typename: 'TimelinePage', userId: user.sub, vin: ids.vin, first: 5, after: '', internalUserId: user.sub, internalOrderId: ids.order }] },
      });
      const res = await fetch(g.subgraphUrl(contributor), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await g.identityToken(contributor, partner, request) },
        body: request,
      });
      const body = (await res.json()) as { data?: { _entities: unknown[] }; errors?: Array<{ extensions?: { code?: string } }> };
      expect([contributor, body.errors?.[0]?.extensions?.code]).toEqual([contributor, 'FORBIDDEN']);
      expect(JSON.stringify(body.data ?? null)).not.toContain(':');
    }
  });

  test("another customer cannot read the car's or the owner's timeline, refused exactly as spending refuses them", async () => {
    const intruder = as.customer(`intruder-${randomBytes(4).toString('hex')}`);
    const theirs = await g.gql(VEHICLE_TIMELINE, { vin: ids.vin, first: 5 }, intruder);
    const theirSpending = await g.gql(`query($vin: String!) { vehicle(vin: $vin) { owner { spending { total { amount } } } } }`, { vin: ids.vin }, intruder);
    expect(codeOf(theirs)).not.toBe('OK');
    expect(codeOf(theirs)).toBe(codeOf(theirSpending));
    const byId = await g.gql(USER_TIMELINE, { id: user.sub, first: 5 }, intruder);
    const byIdSpending = await g.gql(`query($id: ID!) { user(id: $id) { spending { total { amount } } } }`, { id: user.sub }, intruder);
    expect(codeOf(byId)).not.toBe('OK');
    expect(codeOf(byId)).toBe(codeOf(byIdSpending));
    expect(JSON.stringify(byId.data ?? null)).not.toContain('orders:');
    expect(codeOf(await g.gql(VEHICLE_TIMELINE, { vin: ids.vin, first: 5 }, null))).toBe('UNAUTHENTICATED');
  });
});

describe('paging over events at the same moment', () => {
  const user = as.customer(`tl-tie-${randomBytes(4).toString('hex')}`);
  beforeAll(async () => {
    // Eight events of three subgraphs at one instant and two at another, staged straight into their tables.
    const at = '2026-03-01T08:00:00.000Z';
    const later = '2026-03-02T08:00:00.000Z';
    for (let i = 0; i < 4; i++) {
      await g.db.query(`INSERT INTO orders.test_drives (id, user_id, trim_id, city, scheduled_at, status, booked_at) VALUES ($1, $2, 'trim-ut-swap-420-rental', 'Guangzhou', $3, 'BOOKED', $3)`, [`td-tie-${i}-${user.sub}`, user.sub, i < 3 ? at : later]);
      await g.db.query(`INSERT INTO energy.charging_sessions (id, vin, user_id, network_org, location, started_at, ended_at, energy_wh, fee_fen, recorded_by)
                        VALUES ($1, $2, $3, 'star-charge', 'Tianhe', $4::timestamptz - interval '1 hour', $4, 1000, 0, 'admin:a')`, [`chg-tie-${i}-${user.sub}`, testVin(), user.sub, i < 3 ? at : later]);
      // One preference per model (a restatement replaces it): two models, both at the first instant.
      if (i < 2) await g.db.query(`INSERT INTO catalog.preferences (id, user_id, model_id, price_expectation_fen, created_at, updated_at) SELECT $1, $2, id, 100000, $3, $3 FROM catalog.vehicle_models ORDER BY id OFFSET $4 LIMIT 1`, [`pref-tie-${i}-${user.sub}`, user.sub, at, i]);
    }
  });

  test('concatenated pages of every size equal the one-page list: nothing dropped, nothing repeated, ties by id', async () => {
    const whole = await readAll(g, MY_TIMELINE, {}, user, 100, (d) => d.me.timeline);
    expect(whole.length).toBe(10);
    expect(whole.filter((e) => e.occurredAt === '2026-03-01T08:00:00.000Z').length).toBe(8);
    expect(inTimelineOrder(whole)).toBe(true);
    for (let first = 1; first <= 11; first++) {
      const paged = await readAll(g, MY_TIMELINE, {}, user, first, (d) => d.me.timeline);
      expect(paged.map((e) => e.id)).toEqual(whole.map((e) => e.id));
    }
  });

  test('a page size out of 1..100 or a malformed cursor is BAD_USER_INPUT; an unknown VIN is NOT_FOUND', async () => {
    for (const first of [0, -1, 101]) expect(codeOf(await g.gql(MY_TIMELINE, { first }, user))).toBe('BAD_USER_INPUT');
    for (const after of ['nope', 'eyJ4IjoxfQ', 'a'.repeat(5000)]) expect(codeOf(await g.gql(MY_TIMELINE, { first: 2, after }, user))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(MY_TIMELINE, { first: '2' as unknown as number }, user))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(VEHICLE_TIMELINE, { vin: testVin(), first: 2 }, ADMIN))).toBe('NOT_FOUND');
  });
});
