/**
 * The energy subgraph through the gateway: stations and plans, battery subscriptions, swap and
 * charging records with their fees, who may do and read what, and the spending contribution.
 * Vehicles are bought and delivered through the orders subgraph, as a customer would.
 */
import { randomUUID } from 'node:crypto';
import { startTestGraph, as, tokenSignedByAnotherKey, type GqlResult, type TestGraph } from '../../testing/harness';
import { codeOf, ok } from '../../testing/assertions';
import { freshUser, testVin } from '../../testing/fresh-ids';
import { Rng, seedFact, SeedWorld } from '../kit/seed';
import { ORDERS } from './seed/facts';
import { IDENTITY_HEADER, type Identity } from '../../platform/identity';
import { pseudonym } from '../kit/auth';
import { runSeedStages } from '../../testing/seed';
import { seedEnergy } from './seed';
import { periodOf, STANDARD_SWAP_FEE_FEN } from './fees';
import { formatFen } from '../../platform/money';

let g: TestGraph;
let world: SeedWorld;

/** Seeded stations: the first is CATL's in Guangzhou, the 7th Aulton's, the 40th closed. */
const CATL_STATION = 'stn-s000001';
const AULTON_STATION = 'stn-s000007';
const CLOSED_STATION = 'stn-s000040';
const CATL = 'catl-energy';
const CATL_PARTNER = as.partner('swap-operator-1', CATL);
const AULTON_PARTNER = as.partner('swap-operator-2', 'aulton');
const GRID_PARTNER = as.partner('grid-1', 'state-grid');

beforeAll(async () => {
  g = await startTestGraph();
  world = new SeedWorld({ rng: new Rng(7), users: [] });
  // The catalog to buy cars from, and energy's station network (no vehicles yet: tests buy their own).
  await runSeedStages(g.db, world, ['catalog']);
  world.publish(ORDERS.vehicles, []);
  await seedEnergy(g.db, world);
});

afterAll(async () => {
  await g?.stop();
});

// ---------------------------------------------------------------------------------------------------
// Helpers


/** A battery-rental trim, or one that owns its battery and can still swap it (paying per swap). */
/** The catalog's trims as this test picks cars from them. */
const TRIMS = seedFact<ReadonlyArray<{ id: string; batteryRental: boolean; swapCapable: boolean; manufacturerOrg: string }>>('catalog', 'trims');
const trimOf = (rental: boolean) => world.read(TRIMS).find((t) => t.batteryRental === rental && t.swapCapable && t.manufacturerOrg === 'gac-aion')!;

/** Buys a car as `userId` through orders (place, deposit, balance, delivery) and returns its VIN. */
async function deliveredVehicle(userId: string, rental: boolean): Promise<string> {
  const who = as.customer(userId);
  const placed = ok(
    await g.gql(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id deposit { amount } balanceDue { amount } } }`,
      { input: { trimId: trimOf(rental).id, idempotencyKey: randomUUID() } },
      who,
    ),
  ).placeOrder;
  ok(await g.gql(`mutation($id: ID!, $a: Decimal!) { payDeposit(orderId: $id, amount: $a) { id } }`, { id: placed.id, a: placed.deposit.amount }, who));
  ok(await g.gql(`mutation($id: ID!, $a: Decimal!) { payBalance(orderId: $id, amount: $a) { id } }`, { id: placed.id, a: placed.balanceDue.amount }, who));
  const vin = testVin();
  ok(await g.gql(`mutation($id: ID!, $vin: String!) { deliverOrder(orderId: $id, vin: $vin) { id } }`, { id: placed.id, vin }, as.admin()));
  return vin;
}

const SUBSCRIBE = `mutation($input: SubscribeBatteryPlanInput!) {
  subscribeBatteryPlan(input: $input) {
    id userId status startedAt vehicle { vin } plan { id name monthlyFee { amount currency } includedSwapsPerMonth perSwapFee { amount } }
    charges { edges { node { period amount { amount } } } }
  }
}`;
const RECORD_SWAP = `mutation($input: RecordSwapInput!) {
  recordSwap(input: $input) { id userId fee { amount currency } coveredByPlan stateOfChargeBefore stateOfChargeAfter station { id name } vehicle { vin } }
}`;
const RECORD_CHARGING = `mutation($input: RecordChargingInput!) {
  recordCharging(input: $input) { id userId networkOrg location energyWh fee { amount } startedAt endedAt vehicle { vin } }
}`;
const CHARGE_MONTH = `mutation($id: ID!, $p: String!) { chargeSubscriptionMonth(subscriptionId: $id, period: $p) { id period amount { amount } chargedAt } }`;
const CANCEL = `mutation($id: ID!) { cancelBatterySubscription(id: $id) { id status cancelledAt } }`;

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const swapInput = (vin: string, over: Record<string, unknown> = {}) => ({
  stationId: CATL_STATION,
  vin,
  swappedAt: new Date(Date.now() - 1000).toISOString(),
  stateOfChargeBefore: 18,
  stateOfChargeAfter: 97,
  ...over,
});
/** The seed's chargers: the first is State Grid's, the second TELD's (see `makeChargers`). */
const GRID_CHARGER = 'chgr-s000001';
const TELD_CHARGER = 'chgr-s000002';
const GRID_CHARGER_NAME = 'State Grid Tianhe Sports Centre car park';
const chargingInput = (vin: string, over: Record<string, unknown> = {}) => ({
  vin,
  chargerId: GRID_CHARGER,
  startedAt: minutesAgo(50),
  endedAt: minutesAgo(5),
  energyWh: 32_500,
  fee: '48.75',
  ...over,
});

/**
 * `count` increasing swap times, all after anything recorded so far (a plan prices only swaps after it
 * started) and a few milliseconds before now.
 */
async function freshTimes(count: number): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 30));
  const base = Date.now();
  return Array.from({ length: count }, (_, i) => new Date(base - (count - i) * 2).toISOString());
}

/** Queries the energy subgraph directly, signed as the gateway would sign `identity` (null: an anonymous caller). */
async function direct(query: string, variables: Record<string, unknown>, identity: Identity | null): Promise<GqlResult> {
  const body = JSON.stringify({ query, variables });
  const res = await fetch(g.subgraphUrl('energy'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await g.identityToken('energy', identity, body) },
    body,
  });
  return { ...((await res.json()) as GqlResult), status: res.status };
}

// ---------------------------------------------------------------------------------------------------
// Public reads

describe('stations and plans', () => {
  test('anyone lists stations by name, filters by city and pages with the cursor', async () => {
    const all = ok(await g.gql(`{ stations(first: 100) { edges { node { id name city operatorOrg active bays } } pageInfo { hasNextPage } } }`));
    const names = all.stations.edges.map((e: any) => e.node.name);
    expect(names.length).toBe(40);
    expect([...names].sort()).toEqual(names);
    expect(all.stations.edges.filter((e: any) => e.node.operatorOrg === CATL).length).toBeGreaterThan(30);

    const gz = ok(await g.gql(`{ stations(city: "Guangzhou", first: 3) { edges { node { id city } } pageInfo { hasNextPage endCursor } } }`));
    expect(gz.stations.edges).toHaveLength(3);
    expect(gz.stations.edges.every((e: any) => e.node.city === 'Guangzhou')).toBe(true);
    expect(gz.stations.pageInfo.hasNextPage).toBe(true);
    const next = ok(await g.gql(`query($a: String) { stations(city: "Guangzhou", first: 100, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }`, { a: gz.stations.pageInfo.endCursor }));
    expect(next.stations.edges).toHaveLength(5);
    expect(next.stations.pageInfo.hasNextPage).toBe(false);
    const ids = [...gz.stations.edges, ...next.stations.edges].map((e: any) => e.node.id);
    expect(new Set(ids).size).toBe(8);
  });

  test('page size and cursor are checked', async () => {
    expect(codeOf(await g.gql(`{ stations(first: 0) { edges { cursor } } }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(`{ stations(first: 101) { edges { cursor } } }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(`{ stations(after: "not-a-cursor") { edges { cursor } } }`))).toBe('BAD_USER_INPUT');
  });

  test('one station by id; an unknown or malformed id is null', async () => {
    const r = ok(await g.gql(`{ a: station(id: "${CLOSED_STATION}") { id active } b: station(id: "stn-nope") { id } c: station(id: "x y") { id } }`));
    expect(r.a).toEqual({ id: CLOSED_STATION, active: false });
    expect(r.b).toBeNull();
    expect(r.c).toBeNull();
  });

  test('battery plans are public, cheapest first, with exact money', async () => {
    const r = ok(await g.gql(`{ batteryPlans { id name monthlyFee { amount currency } includedSwapsPerMonth perSwapFee { amount } description } }`));
    expect(r.batteryPlans.map((p: any) => p.id)).toEqual(['bplan-lite', 'bplan-standard', 'bplan-plus']);
    expect(r.batteryPlans[0]).toMatchObject({ monthlyFee: { amount: '399.00', currency: 'CNY' }, includedSwapsPerMonth: 4, perSwapFee: { amount: '69.00' } });
  });
});

// ---------------------------------------------------------------------------------------------------
// Subscriptions

describe('subscribeBatteryPlan', () => {
  test('the owner of a battery-rental car subscribes; the first month is charged at once', async () => {
    const owner = freshUser('sub');
    const vin = await deliveredVehicle(owner, true);
    const sub = ok(await g.gql(SUBSCRIBE, { input: { vin: vin.toLowerCase(), planId: 'bplan-standard' } }, as.customer(owner))).subscribeBatteryPlan;
    expect(sub).toMatchObject({ userId: owner, status: 'ACTIVE', vehicle: { vin }, plan: { id: 'bplan-standard', monthlyFee: { amount: '499.00', currency: 'CNY' } } });
    expect(sub.charges.edges.map((e: any) => e.node)).toEqual([{ period: periodOf(new Date()), amount: { amount: '499.00' } }]);

    // The vehicle (resolved by orders) shows its plan to its owner.
    const v = ok(await g.gql(`query($v: String!) { vehicle(vin: $v) { vin batterySubscription { id plan { name } } } }`, { v: vin }, as.customer(owner)));
    expect(v.vehicle.batterySubscription).toEqual({ id: sub.id, plan: { name: 'Swap Standard' } });
  });

  test('two concurrent subscribes of one vehicle: exactly one wins, the other is CONFLICT', async () => {
    const owner = freshUser('race');
    const vin = await deliveredVehicle(owner, true);
    const results = await Promise.all(
      ['bplan-lite', 'bplan-plus', 'bplan-standard'].map((planId) => g.gql(SUBSCRIBE, { input: { vin, planId } }, as.customer(owner))),
    );
    expect(results.map(codeOf).sort()).toEqual(['CONFLICT', 'CONFLICT', 'OK']);
    const subs = ok(await g.gql(`{ me { batterySubscriptions { edges { node { status charges { edges { node { period } } } } } } } }`, {}, as.customer(owner)));
    expect(subs.me.batterySubscriptions.edges).toHaveLength(1);
    expect(subs.me.batterySubscriptions.edges[0].node.charges.edges).toHaveLength(1);
  });

  test('refuses a car that owns its battery, another customer, partners, anonymous callers and unknown ids', async () => {
    const owner = freshUser('subx');
    const ownedVin = await deliveredVehicle(owner, false);
    const rentalVin = await deliveredVehicle(owner, true);
    const sub = (input: Record<string, unknown>, who: any) => g.gql(SUBSCRIBE, { input }, who);

    const owned = await sub({ vin: ownedVin, planId: 'bplan-lite' }, as.customer(owner));
    expect(codeOf(owned)).toBe('BAD_USER_INPUT');
    expect(owned.errors![0].extensions!.field).toBe('vin');
    expect(codeOf(await sub({ vin: rentalVin, planId: 'bplan-lite' }, as.customer(freshUser('stranger'))))).toBe('NOT_FOUND'); // like a VIN nobody has
    expect(codeOf(await sub({ vin: rentalVin, planId: 'bplan-lite' }, CATL_PARTNER))).toBe('GRAPHQL_VALIDATION_FAILED'); // outside the partner contract: refused at the gateway like an unknown field
    expect(codeOf(await sub({ vin: rentalVin, planId: 'bplan-lite' }, null))).toBe('UNAUTHENTICATED');
    expect(codeOf(await sub({ vin: rentalVin, planId: 'bplan-gold' }, as.customer(owner)))).toBe('NOT_FOUND');
    expect(codeOf(await sub({ vin: testVin(), planId: 'bplan-lite' }, as.customer(owner)))).toBe('NOT_FOUND');
    expect(codeOf(await sub({ vin: 'SHORT', planId: 'bplan-lite' }, as.customer(owner)))).toBe('BAD_USER_INPUT');
    expect(codeOf(await sub({ vin: rentalVin, planId: 'x'.repeat(200) }, as.customer(owner)))).toBe('BAD_USER_INPUT');
    // None of the refusals left a subscription behind.
    const v = ok(await g.gql(`query($v: String!) { vehicle(vin: $v) { batterySubscription { id } } }`, { v: rentalVin }, as.customer(owner)));
    expect(v.vehicle.batterySubscription).toBeNull();
  });

  test('cancelling: the owner only, once; then the car can subscribe again', async () => {
    const owner = freshUser('cancel');
    const vin = await deliveredVehicle(owner, true);
    const sub = ok(await g.gql(SUBSCRIBE, { input: { vin, planId: 'bplan-lite' } }, as.customer(owner))).subscribeBatteryPlan;
    expect(codeOf(await g.gql(CANCEL, { id: sub.id }, as.customer(freshUser('stranger'))))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(CANCEL, { id: sub.id }, CATL_PARTNER))).toBe('GRAPHQL_VALIDATION_FAILED'); // outside the partner contract: refused at the gateway like an unknown field
    expect(codeOf(await g.gql(CANCEL, { id: 'bsub-unknown' }, as.customer(owner)))).toBe('NOT_FOUND');
    const cancelled = ok(await g.gql(CANCEL, { id: sub.id }, as.customer(owner))).cancelBatterySubscription;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.cancelledAt).not.toBeNull();
    expect(codeOf(await g.gql(CANCEL, { id: sub.id }, as.customer(owner)))).toBe('CONFLICT');
    // Without a plan, a swap costs the standard fee.
    const swap = ok(await g.gql(RECORD_SWAP, { input: swapInput(vin) }, CATL_PARTNER)).recordSwap;
    expect(swap).toMatchObject({ fee: { amount: '99.00' }, coveredByPlan: false });
    ok(await g.gql(SUBSCRIBE, { input: { vin, planId: 'bplan-plus' } }, as.customer(owner)));
  });
});

describe('chargeSubscriptionMonth', () => {
  let subId: string;
  let owner: string;
  const thisMonth = periodOf(new Date());
  const monthsAgo = (n: number) => {
    const d = new Date();
    return periodOf(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, 15)));
  };

  beforeAll(async () => {
    owner = freshUser('billing');
    const vin = await deliveredVehicle(owner, true);
    subId = ok(await g.gql(SUBSCRIBE, { input: { vin, planId: 'bplan-lite' } }, as.customer(owner))).subscribeBatteryPlan.id;
    // Billing only charges months of the subscription's life; backdate its start (energy's own table)
    // so earlier months can be charged.
    await g.db.query(`UPDATE energy.battery_subscriptions SET started_at = now() - interval '100 days' WHERE id = $1`, [subId]);
  });

  test('takes a month once: charging it again is CONFLICT, also when asked concurrently', async () => {
    const first = ok(await g.gql(CHARGE_MONTH, { id: subId, p: monthsAgo(1) }, as.admin())).chargeSubscriptionMonth;
    expect(first).toMatchObject({ period: monthsAgo(1), amount: { amount: '399.00' } });
    expect(codeOf(await g.gql(CHARGE_MONTH, { id: subId, p: monthsAgo(1) }, as.admin()))).toBe('CONFLICT');
    // The current month was taken at subscription.
    expect(codeOf(await g.gql(CHARGE_MONTH, { id: subId, p: thisMonth }, as.admin()))).toBe('CONFLICT');
    const both = await Promise.all([1, 2].map(() => g.gql(CHARGE_MONTH, { id: subId, p: monthsAgo(2) }, as.admin())));
    expect(both.map(codeOf).sort()).toEqual(['CONFLICT', 'OK']);
    const charges = ok(await g.gql(`{ me { batterySubscriptions { edges { node { charges { edges { node { period } } } } } } } }`, {}, as.customer(owner)));
    expect(charges.me.batterySubscriptions.edges[0].node.charges.edges.map((e: any) => e.node.period)).toEqual([thisMonth, monthsAgo(1), monthsAgo(2)]);
  });

  test('admins only; the month must be well-formed and within the subscription', async () => {
    expect(codeOf(await g.gql(CHARGE_MONTH, { id: subId, p: monthsAgo(3) }, as.customer(owner)))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(CHARGE_MONTH, { id: subId, p: monthsAgo(3) }, CATL_PARTNER))).toBe('GRAPHQL_VALIDATION_FAILED'); // outside the partner contract: refused at the gateway like an unknown field
    expect(codeOf(await g.gql(CHARGE_MONTH, { id: subId, p: monthsAgo(3) }, null))).toBe('UNAUTHENTICATED');
    for (const p of ['2026-13', '2026-1', '26-01', 'October', '']) {
      const r = await g.gql(CHARGE_MONTH, { id: subId, p }, as.admin());
      expect([p, codeOf(r), r.errors?.[0].extensions?.field]).toEqual([p, 'BAD_USER_INPUT', 'period']);
    }
    expect(codeOf(await g.gql(CHARGE_MONTH, { id: subId, p: monthsAgo(6) }, as.admin()))).toBe('BAD_USER_INPUT'); // before it started
    expect(codeOf(await g.gql(CHARGE_MONTH, { id: subId, p: '2999-01' }, as.admin()))).toBe('BAD_USER_INPUT'); // in the future
    expect(codeOf(await g.gql(CHARGE_MONTH, { id: 'bsub-unknown', p: thisMonth }, as.admin()))).toBe('NOT_FOUND');
  });
});

// ---------------------------------------------------------------------------------------------------
// Swaps

describe('recordSwap', () => {
  test("prices swaps by the owner's plan: the month's included swaps are free, then the per-swap fee", async () => {
    const owner = freshUser('swapper');
    const vin = await deliveredVehicle(owner, true);
    ok(await g.gql(SUBSCRIBE, { input: { vin, planId: 'bplan-lite' } }, as.customer(owner))); // 4 included, then 69.00
    const fees: Array<[string, boolean]> = [];
    for (const swappedAt of await freshTimes(6)) {
      const s = ok(await g.gql(RECORD_SWAP, { input: swapInput(vin, { swappedAt }) }, CATL_PARTNER)).recordSwap;
      expect(s.userId).toBe(owner);
      fees.push([s.fee.amount, s.coveredByPlan]);
    }
    expect(fees).toEqual([
      ['0.00', true],
      ['0.00', true],
      ['0.00', true],
      ['0.00', true],
      ['69.00', false],
      ['69.00', false],
    ]);
  });

  test('concurrent swaps of one vehicle never share the last included swap', async () => {
    const owner = freshUser('swaprace');
    const vin = await deliveredVehicle(owner, true);
    ok(await g.gql(SUBSCRIBE, { input: { vin, planId: 'bplan-lite' } }, as.customer(owner)));
    const results = await Promise.all((await freshTimes(6)).map((swappedAt) => g.gql(RECORD_SWAP, { input: swapInput(vin, { swappedAt }) }, CATL_PARTNER)));
    const swaps = results.map((r) => ok(r).recordSwap);
    expect(swaps.filter((s) => s.coveredByPlan)).toHaveLength(4);
    expect(swaps.filter((s) => s.fee.amount === '69.00')).toHaveLength(2);
  });

  test('a vehicle without a plan pays the standard fee; an admin may record too', async () => {
    const owner = freshUser('payg');
    const vin = await deliveredVehicle(owner, false);
    const s = ok(await g.gql(RECORD_SWAP, { input: swapInput(vin) }, as.admin())).recordSwap;
    expect(s.fee).toEqual({ amount: formatFen(STANDARD_SWAP_FEE_FEN), currency: 'CNY' });
    expect(s.coveredByPlan).toBe(false);
  });

  test("only partners of the station's operator (or admins) record swaps", async () => {
    const vin = await deliveredVehicle(freshUser('swapauth'), false);
    expect(codeOf(await g.gql(RECORD_SWAP, { input: swapInput(vin) }, AULTON_PARTNER))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(RECORD_SWAP, { input: swapInput(vin, { stationId: AULTON_STATION }) }, CATL_PARTNER))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(RECORD_SWAP, { input: swapInput(vin) }, as.customer('anyone')))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(RECORD_SWAP, { input: swapInput(vin) }, as.analyst()))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(RECORD_SWAP, { input: swapInput(vin) }, null))).toBe('UNAUTHENTICATED');
    ok(await g.gql(RECORD_SWAP, { input: swapInput(vin, { stationId: AULTON_STATION }) }, AULTON_PARTNER));
  });

  test('bad input is refused, naming the field', async () => {
    const vin = await deliveredVehicle(freshUser('swapbad'), false);
    const cases: Array<[Record<string, unknown>, string, string | undefined]> = [
      [{ stateOfChargeBefore: -1 }, 'BAD_USER_INPUT', 'stateOfChargeBefore'],
      [{ stateOfChargeAfter: 101 }, 'BAD_USER_INPUT', 'stateOfChargeAfter'],
      [{ swappedAt: new Date(Date.now() + 3_600_000).toISOString() }, 'BAD_USER_INPUT', 'swappedAt'],
      [{ swappedAt: new Date(Date.now() - 31 * 86_400_000).toISOString() }, 'BAD_USER_INPUT', 'swappedAt'],
      [{ vin: 'WVWZZZ1JZ3W38655I' }, 'BAD_USER_INPUT', 'vin'], // contains I
      [{ stationId: '../../etc' }, 'BAD_USER_INPUT', 'stationId'],
      [{ stationId: 'stn-s999999' }, 'NOT_FOUND', undefined],
      [{ vin: testVin() }, 'NOT_FOUND', undefined],
      [{ stationId: CLOSED_STATION }, 'CONFLICT', undefined],
    ];
    for (const [over, code, field] of cases) {
      const r = await g.gql(RECORD_SWAP, { input: swapInput(vin, over) }, CATL_PARTNER);
      expect([over, codeOf(r), r.errors?.[0].extensions?.field]).toEqual([over, code, field]);
    }
    // Wrong types never reach the resolver.
    for (const over of [{ stateOfChargeBefore: 12.5 }, { stateOfChargeBefore: '12' }, { swappedAt: 'yesterday' }, { swappedAt: 1730000000 }]) {
      const r = await g.gql(RECORD_SWAP, { input: swapInput(vin, over) }, CATL_PARTNER);
      expect(r.errors?.length).toBeGreaterThan(0);
      expect(r.data?.recordSwap ?? null).toBeNull();
    }
    const count = await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM energy.swap_sessions WHERE vin = $1`, [vin]);
    expect(count[0].n).toBe('0');
  });
});

// ---------------------------------------------------------------------------------------------------
// Charging

describe('recordCharging', () => {
  test("a charging network's partner records a session for its own network", async () => {
    const owner = freshUser('charger');
    const vin = await deliveredVehicle(owner, false);
    const s = ok(await g.gql(RECORD_CHARGING, { input: chargingInput(vin) }, GRID_PARTNER)).recordCharging;
    expect(s).toMatchObject({ userId: owner, networkOrg: 'state-grid', energyWh: 32500, fee: { amount: '48.75' }, vehicle: { vin } });
    const free = ok(await g.gql(RECORD_CHARGING, { input: chargingInput(vin, { fee: '0' }) }, GRID_PARTNER)).recordCharging;
    expect(free.fee.amount).toBe('0.00');
    const byAdmin = ok(await g.gql(RECORD_CHARGING, { input: chargingInput(vin, { chargerId: TELD_CHARGER }) }, as.admin())).recordCharging;
    expect(byAdmin.networkOrg).toBe('teld');
  });

  test("refuses customers, anonymous callers, and partners recording on another network's charger", async () => {
    const vin = await deliveredVehicle(freshUser('chargeauth'), false);
    expect(codeOf(await g.gql(RECORD_CHARGING, { input: chargingInput(vin) }, as.customer('someone')))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(RECORD_CHARGING, { input: chargingInput(vin) }, null))).toBe('UNAUTHENTICATED');
    expect(codeOf(await g.gql(RECORD_CHARGING, { input: chargingInput(vin, { chargerId: TELD_CHARGER }) }, GRID_PARTNER))).toBe('FORBIDDEN');
    const badId = await g.gql(RECORD_CHARGING, { input: chargingInput(vin, { chargerId: 'x y' }) }, as.admin());
    expect([codeOf(badId), badId.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'chargerId']);
  });

  test('bad amounts, energy and times are refused, naming the field', async () => {
    const vin = await deliveredVehicle(freshUser('chargebad'), false);
    const cases: Array<[Record<string, unknown>, string | undefined]> = [
      [{ fee: '-1.00' }, 'fee'],
      [{ fee: '10000.01' }, 'fee'],
      // Refused by the Decimal scalar, which names the whole argument path.
      [{ fee: '1.005' }, 'input.fee'], // more than two fraction digits
      [{ fee: 12.5 }, 'input.fee'], // a float
      [{ fee: '1e3' }, 'input.fee'],
      [{ energyWh: 0 }, 'energyWh'],
      [{ energyWh: 200_001 }, 'energyWh'],
      [{ energyWh: -5 }, 'energyWh'],
      [{ endedAt: minutesAgo(60) }, 'endedAt'], // before it started
      [{ startedAt: minutesAgo(60 * 30), endedAt: minutesAgo(1) }, 'endedAt'], // 30 hours
      [{ endedAt: new Date(Date.now() + 3_600_000).toISOString() }, 'endedAt'],
      [{ startedAt: new Date(Date.now() - 40 * 86_400_000).toISOString() }, 'startedAt'],
      [{ vin: 'TOO-SHORT' }, 'vin'],
    ];
    for (const [over, field] of cases) {
      const r = await g.gql(RECORD_CHARGING, { input: chargingInput(vin, over) }, GRID_PARTNER);
      expect([over, codeOf(r), r.errors?.[0].extensions?.field]).toEqual([over, 'BAD_USER_INPUT', field]);
    }
    // An integer that is not an Int never reaches the resolver.
    const float = await g.gql(RECORD_CHARGING, { input: chargingInput(vin, { energyWh: 1500.5 }) }, GRID_PARTNER);
    expect(float.errors?.length).toBeGreaterThan(0);
    expect(codeOf(await g.gql(RECORD_CHARGING, { input: chargingInput(testVin()) }, GRID_PARTNER))).toBe('NOT_FOUND');
    const count = await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM energy.charging_sessions WHERE vin = $1`, [vin]);
    expect(count[0].n).toBe('0');
  });
});

// ---------------------------------------------------------------------------------------------------
// Reading history, and who may

describe('reading energy history', () => {
  let owner: string;
  let vin: string;
  let swapId: string;
  let chargingId: string;

  beforeAll(async () => {
    owner = freshUser('reader');
    vin = await deliveredVehicle(owner, false);
    for (const swappedAt of await freshTimes(3)) {
      swapId = ok(await g.gql(RECORD_SWAP, { input: swapInput(vin, { swappedAt }) }, CATL_PARTNER)).recordSwap.id;
    }
    chargingId = ok(await g.gql(RECORD_CHARGING, { input: chargingInput(vin) }, GRID_PARTNER)).recordCharging.id;
  });

  test('the owner reads their swaps and charging, by user and by vehicle, newest first, page by page', async () => {
    const q = `query($v: String!, $after: String) {
      me {
        swapSessions(first: 2, after: $after) { edges { node { id swappedAt station { name } vehicle { vin } } } pageInfo { hasNextPage endCursor } }
        chargingSessions { edges { node { id energyWh } } }
      }
      vehicle(vin: $v) { swapSessions(first: 10) { edges { node { id } } } chargingSessions { edges { node { id fee { amount } } } } }
    }`;
    const first = ok(await g.gql(q, { v: vin }, as.customer(owner)));
    const page1 = first.me.swapSessions;
    expect(page1.edges).toHaveLength(2);
    expect(page1.edges[0].node.id).toBe(swapId);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page1.edges[0].node.swappedAt > page1.edges[1].node.swappedAt).toBe(true);
    const second = ok(await g.gql(q, { v: vin, after: page1.pageInfo.endCursor }, as.customer(owner)));
    expect(second.me.swapSessions.edges).toHaveLength(1);
    expect(second.me.swapSessions.pageInfo.hasNextPage).toBe(false);
    expect(first.me.chargingSessions.edges.map((e: any) => e.node.id)).toEqual([chargingId]);
    expect(first.vehicle.swapSessions.edges).toHaveLength(3);
    expect(first.vehicle.chargingSessions.edges[0].node).toEqual({ id: chargingId, fee: { amount: '48.75' } });
  });

  test("energy itself refuses another customer's history (FORBIDDEN, not empty), whoever routes the request", async () => {
    // Through the gateway orders already refuses `user(id:)` to customers; asking energy directly, with
    // an identity signed as the gateway signs it, proves energy enforces its own rule.
    const history = (field: string, id: string) => `{ _entities(representations: [{ __typename: "User", id: "${id}" }]) { ... on User { ${field} { edges { cursor } } } } }`;
    const vehicleHistory = (field: string, ownerId: string) =>
      `{ _entities(representations: [{ __typename: "Vehicle", vin: "${vin}", internalOwnerId: "${ownerId}" }]) { ... on Vehicle { ${field} { __typename } } } }`;
    const stranger = as.customer(freshUser('stranger'));
    for (const field of ['swapSessions', 'chargingSessions', 'batterySubscriptions']) {
      const r = await direct(history(field, owner), {}, stranger);
      expect([field, codeOf(r)]).toEqual([field, 'FORBIDDEN']);
      expect((await direct(history(field, owner), {}, CATL_PARTNER)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(codeOf(await direct(history(field, owner), {}, as.customer(owner)))).toBe('OK');
    }
    for (const field of ['swapSessions', 'chargingSessions', 'batterySubscription']) {
      expect([field, codeOf(await direct(vehicleHistory(field, owner), {}, stranger))]).toEqual([field, 'FORBIDDEN']);
      expect([field, codeOf(await direct(vehicleHistory(field, owner), {}, as.customer(owner)))]).toEqual([field, 'OK']);
    }
    // The swap and charging records themselves, as the spending union resolves them.
    const swapRef = `{ _entities(representations: [{ __typename: "SwapSession", id: "${swapId}" }]) { ... on SwapSession { id } } }`;
    const chargingRef = `{ _entities(representations: [{ __typename: "ChargingSession", id: "${chargingId}" }]) { ... on ChargingSession { id } } }`;
    // Someone else's record is NOT_FOUND, as if it did not exist.
    expect(codeOf(await direct(swapRef, {}, stranger))).toBe('NOT_FOUND');
    expect(codeOf(await direct(swapRef, {}, AULTON_PARTNER))).toBe('NOT_FOUND');
    expect(codeOf(await direct(swapRef, {}, CATL_PARTNER))).toBe('OK'); // the station's operator
    expect(codeOf(await direct(chargingRef, {}, stranger))).toBe('NOT_FOUND');
    expect(codeOf(await direct(chargingRef, {}, CATL_PARTNER))).toBe('NOT_FOUND');
    expect(codeOf(await direct(chargingRef, {}, GRID_PARTNER))).toBe('OK'); // the charging network
    // Without the gateway's signed identity the caller is told to sign in, as everywhere else.
    expect(codeOf(await direct(swapRef, {}, null))).toBe('UNAUTHENTICATED');
    expect(codeOf(await direct(chargingRef, {}, null))).toBe('UNAUTHENTICATED');
    // Through the gateway: anonymous callers are refused, analysts read everyone's history.
    expect(codeOf(await g.gql(`query($id: ID!) { user(id: $id) { swapSessions { edges { cursor } } } }`, { id: owner }, null))).toBe('UNAUTHENTICATED');
    expect(ok(await g.gql(`query($id: ID!) { user(id: $id) { swapSessions { edges { cursor } } } }`, { id: pseudonym(owner) }, as.analyst())).user.swapSessions.edges).toHaveLength(3);
  });

  test('an analyst sees every user id energy returns as the pseudonym, and no charging location; the owner sees both', async () => {
    const rentalOwner = freshUser('private-driver');
    const rentalVin = await deliveredVehicle(rentalOwner, true);
    ok(await g.gql(SUBSCRIBE, { input: { vin: rentalVin, planId: 'bplan-lite' } }, as.customer(rentalOwner)));
    for (const swappedAt of await freshTimes(5)) ok(await g.gql(RECORD_SWAP, { input: swapInput(rentalVin, { swappedAt }) }, CATL_PARTNER));
    ok(await g.gql(RECORD_CHARGING, { input: chargingInput(rentalVin) }, GRID_PARTNER));
    const fields = `
      batterySubscriptions { edges { node { userId } } }
      swapSessions(first: 10) { edges { node { userId } } }
      chargingSessions { edges { node { userId location charger { id } } } }
      spending { lines(first: 50) { edges { node { category description
        paidFor { ... on SwapSession { userId } ... on ChargingSession { userId location } ... on BatterySubscription { userId } } } } } }`;
    const vehicleFields = `vehicle(vin: $v) { batterySubscription { userId } swapSessions { edges { node { userId } } } chargingSessions { edges { node { userId location } } } }`;
    const ENERGY_CATEGORIES = ['BATTERY_SWAP', 'CHARGING', 'BATTERY_SUBSCRIPTION'];
    /** Every user id and location energy answered, and the charging lines' descriptions. */
    const collect = (root: any, vehicle: any) => {
      const ids = [
        ...root.batterySubscriptions.edges.map((e: any) => e.node.userId),
        ...root.swapSessions.edges.map((e: any) => e.node.userId),
        ...root.chargingSessions.edges.map((e: any) => e.node.userId),
        ...root.spending.lines.edges.filter((e: any) => ENERGY_CATEGORIES.includes(e.node.category)).map((e: any) => e.node.paidFor.userId),
        vehicle.batterySubscription.userId,
        ...vehicle.swapSessions.edges.map((e: any) => e.node.userId),
        ...vehicle.chargingSessions.edges.map((e: any) => e.node.userId),
      ];
      const locations = [
        ...root.chargingSessions.edges.map((e: any) => e.node.location),
        ...root.spending.lines.edges.filter((e: any) => e.node.category === 'CHARGING').map((e: any) => e.node.paidFor.location),
        ...vehicle.chargingSessions.edges.map((e: any) => e.node.location),
      ];
      const chargingLines = root.spending.lines.edges.filter((e: any) => e.node.category === 'CHARGING').map((e: any) => e.node.description);
      return { ids, locations, chargingLines };
    };

    const seen = ok(await g.gql(`query($u: ID!, $v: String!) { user(id: $u) { ${fields} } ${vehicleFields} }`, { u: pseudonym(rentalOwner), v: rentalVin }, as.analyst()));
    const analyst = collect(seen.user, seen.vehicle);
    // One subscription, 5 swaps, 1 charging session, paid lines for a swap, the charging and the plan, by user and by vehicle.
    expect(analyst.ids.length).toBeGreaterThanOrEqual(1 + 5 + 1 + 3 + 1 + 5 + 1);
    expect(new Set(analyst.ids)).toEqual(new Set([pseudonym(rentalOwner)]));
    expect(analyst.ids[0]).toMatch(/^anon-[0-9a-f]{20}$/);
    expect(JSON.stringify(seen)).not.toContain(rentalOwner);
    expect(analyst.locations).toEqual([null, null, null]);
    expect(analyst.chargingLines).toEqual(['Charging session']);
    expect(JSON.stringify(seen)).not.toContain('State Grid');
    expect(seen.user.chargingSessions.edges[0].node.charger).toBeNull();

    const mine = ok(await g.gql(`query($v: String!) { me { ${fields} } ${vehicleFields} }`, { v: rentalVin }, as.customer(rentalOwner)));
    const owner = collect(mine.me, mine.vehicle);
    expect(owner.ids.length).toBe(analyst.ids.length);
    expect(new Set(owner.ids)).toEqual(new Set([rentalOwner]));
    expect(owner.locations).toEqual([GRID_CHARGER_NAME, GRID_CHARGER_NAME, GRID_CHARGER_NAME]);
    expect(owner.chargingLines).toEqual([`Charging at ${GRID_CHARGER_NAME}`]);
    expect(mine.me.chargingSessions.edges[0].node.charger).toEqual({ id: GRID_CHARGER });
    // Admins see the person, as do the partners who recorded the events (they bill them).
    const admin = ok(await g.gql(`query($u: ID!, $v: String!) { user(id: $u) { ${fields} } ${vehicleFields} }`, { u: rentalOwner, v: rentalVin }, as.admin()));
    expect(new Set(collect(admin.user, admin.vehicle).ids)).toEqual(new Set([rentalOwner]));
  });

  test("a station's operator lists the swaps at its station; other organisations and customers may not", async () => {
    const q = `query($s: ID!) { stationSwaps(stationId: $s, first: 100) { edges { node { id userId fee { amount } } } } }`;
    const mine = ok(await g.gql(q, { s: CATL_STATION }, CATL_PARTNER)).stationSwaps.edges.map((e: any) => e.node.id);
    expect(mine).toContain(swapId);
    expect(codeOf(await g.gql(q, { s: CATL_STATION }, AULTON_PARTNER))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(q, { s: CATL_STATION }, as.customer(owner)))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(q, { s: CATL_STATION }, null))).toBe('UNAUTHENTICATED');
    expect(codeOf(await g.gql(q, { s: 'stn-s999999' }, CATL_PARTNER))).toBe('NOT_FOUND');
    expect(ok(await g.gql(q, { s: CATL_STATION }, as.admin())).stationSwaps.edges.length).toBeGreaterThanOrEqual(mine.length);
  });

  test('nested lists are batched: more rows cost no more SQL statements', async () => {
    // Distinct stations and vehicles on every row, so a per-request cache cannot hide one lookup per row.
    const batcher = freshUser('batcher');
    const stations = ['stn-s000001', 'stn-s000002', 'stn-s000003', 'stn-s000004', 'stn-s000005'];
    const vins: string[] = [];
    for (let i = 0; i < stations.length; i++) vins.push(await deliveredVehicle(batcher, false));
    const times = await freshTimes(stations.length);
    for (let i = 0; i < stations.length; i++) ok(await g.gql(RECORD_SWAP, { input: swapInput(vins[i], { stationId: stations[i], swappedAt: times[i] }) }, CATL_PARTNER));
    for (const v of vins) ok(await g.gql(RECORD_CHARGING, { input: chargingInput(v) }, GRID_PARTNER));
    const q = (n: number) => `{ me {
      swapSessions(first: ${n}) { edges { node { id fee { amount } station { id name operatorOrg } vehicle { vin } } } }
      chargingSessions(first: ${n}) { edges { node { id vehicle { vin } } } } } }`;
    const run = async (n: number) => {
      const before = g.db.statementCount;
      const me = ok(await g.gql(q(n), {}, as.customer(batcher))).me;
      return { statements: g.db.statementCount - before, me };
    };
    const one = await run(1);
    const all = await run(stations.length);
    const swaps = all.me.swapSessions.edges.map((e: any) => e.node);
    // Newest first: the last swap recorded comes first.
    expect(swaps.map((s: any) => s.station.id)).toEqual([...stations].reverse());
    expect(swaps.map((s: any) => s.vehicle.vin)).toEqual([...vins].reverse());
    expect(swaps.every((s: any) => s.station.operatorOrg === CATL && s.station.name)).toBe(true);
    expect(new Set(all.me.chargingSessions.edges.map((e: any) => e.node.vehicle.vin))).toEqual(new Set(vins));
    expect(one.me.swapSessions.edges).toHaveLength(1);
    expect(one.statements).toBeGreaterThan(0);
    expect(all.statements).toBe(one.statements);
  });
});

// ---------------------------------------------------------------------------------------------------
// Identity and spending

describe('identity', () => {
  test('a forged identity sent straight to the energy subgraph is UNAUTHENTICATED', async () => {
    const request = JSON.stringify({ query: `mutation { chargeSubscriptionMonth(subscriptionId: "bsub-x", period: "2026-01") { id } }` });
    const forged = await tokenSignedByAnotherKey('energy', { sub: 'admin-1', role: 'admin' }, request);
    const res = await fetch(g.subgraphUrl('energy'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: forged },
      body: request,
    });
    const body = (await res.json()) as GqlResult;
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.data ?? null).toBeNull();
  });

  test('a direct call nobody signed is refused with 401 UNAUTHENTICATED', async () => {
    const res = await fetch(g.subgraphUrl('energy'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { chargeSubscriptionMonth(subscriptionId: "bsub-x", period: "2026-01") { id } }` }),
    });
    const body = (await res.json()) as GqlResult;
    expect(res.status).toBe(401);
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.data ?? null).toBeNull();
  });

  test('an anonymous caller signed by the gateway reaches the subgraph, and its mutations are UNAUTHENTICATED', async () => {
    const r = await direct(`mutation { chargeSubscriptionMonth(subscriptionId: "bsub-x", period: "2026-01") { id } }`, {}, null);
    expect([r.status, codeOf(r)]).toEqual([200, 'UNAUTHENTICATED']);
  });
});

describe('spending contribution', () => {
  test("the user's spending report counts exactly the fees paid: swaps, charging and the plan, and no free events", async () => {
    const owner = freshUser('spender');
    const vin = await deliveredVehicle(owner, true);
    const sub = ok(await g.gql(SUBSCRIBE, { input: { vin, planId: 'bplan-lite' } }, as.customer(owner))).subscribeBatteryPlan;
    const swaps = [];
    for (const swappedAt of await freshTimes(5)) swaps.push(ok(await g.gql(RECORD_SWAP, { input: swapInput(vin, { swappedAt }) }, CATL_PARTNER)).recordSwap);
    const paidSwap = swaps[4];
    expect(paidSwap.fee.amount).toBe('69.00');
    const charging = ok(await g.gql(RECORD_CHARGING, { input: chargingInput(vin, { fee: '37.40' }) }, GRID_PARTNER)).recordCharging;
    ok(await g.gql(RECORD_CHARGING, { input: chargingInput(vin, { fee: '0.00' }) }, GRID_PARTNER));

    const r = ok(
      await g.gql(
        `{ me { spending {
            byCategory { category total { amount } }
            lines(first: 50) { edges { node { id category description amount { amount }
              paidFor { __typename ... on SwapSession { id fee { amount } station { name } } ... on ChargingSession { id location }
                        ... on BatterySubscription { id plan { name } } } } } } } } }`,
        {},
        as.customer(owner),
      ),
    );
    const byCategory = Object.fromEntries(r.me.spending.byCategory.map((c: any) => [c.category, c.total.amount]));
    expect(byCategory.BATTERY_SWAP).toBe('69.00');
    expect(byCategory.CHARGING).toBe('37.40');
    expect(byCategory.BATTERY_SUBSCRIPTION).toBe('399.00');

    const energyLines = r.me.spending.lines.edges.map((e: any) => e.node).filter((l: any) => l.id.startsWith('energy:'));
    expect(energyLines).toHaveLength(3);
    const swapLine = energyLines.find((l: any) => l.category === 'BATTERY_SWAP');
    expect(swapLine).toMatchObject({
      description: 'Battery swap at Choco-Swap Tianhe Sports Centre',
      amount: { amount: '69.00' },
      paidFor: { __typename: 'SwapSession', id: paidSwap.id, fee: { amount: '69.00' }, station: { name: 'Choco-Swap Tianhe Sports Centre' } },
    });
    expect(energyLines.find((l: any) => l.category === 'CHARGING').paidFor).toEqual({ __typename: 'ChargingSession', id: charging.id, location: GRID_CHARGER_NAME });
    const planLine = energyLines.find((l: any) => l.category === 'BATTERY_SUBSCRIPTION');
    expect(planLine.description).toBe(`Battery plan Swap Lite, ${periodOf(new Date())}`);
    expect(planLine.paidFor).toEqual({ __typename: 'BatterySubscription', id: sub.id, plan: { name: 'Swap Lite' } });
  });

  test("energy's share of another user's report is refused to a customer", async () => {
    const owner = freshUser('private');
    const vin = await deliveredVehicle(owner, false);
    ok(await g.gql(RECORD_SWAP, { input: swapInput(vin) }, CATL_PARTNER));
    const report = `{ _entities(representations: [{ __typename: "SpendingReport", userId: "${owner}", period: "all" }]) { ... on SpendingReport { userId } } }`;
    expect(codeOf(await direct(report, {}, as.customer(freshUser('nosy'))))).toBe('FORBIDDEN');
    expect(codeOf(await direct(report, {}, as.customer(owner)))).toBe('OK');
  });
});
