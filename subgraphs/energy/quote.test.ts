/**
 * Energy's part of the cost-of-ownership quote through the gateway, on a real database: the quote's
 * energy is priced at exactly what `recordSwap` charges a car in the quote's city (without a plan, and
 * on a plan past its included swaps), charging at the city's published price, the cheapest plan chosen
 * when none is named, and every refusal naming its field. Cars are bought through orders as a customer would.
 */
import { startOrdersGraph, buyCar, type OrdersTestGraph } from '../../testing/orders';
import { as, type GqlResult } from '../../testing/harness';
import { codeOf, ok } from '../../testing/assertions';
import { freshUser } from '../../testing/fresh-ids';
import { ORDERS } from './seed/facts';
import { seedEnergy } from './seed';
import { parseDecimalToFen } from '../../platform/money';
import type { Identity } from '../../platform/identity';
import { encodeQuoteSpec } from '../kit/ownership-quote';

let t: OrdersTestGraph;

/** Seeded stations: the first is CATL's in Guangzhou; the 15th CATL's in Beijing (see `makeStations`). */
const GUANGZHOU_STATION = 'stn-s000001';
const BEIJING_STATION = 'stn-s000015';
const CATL_PARTNER = as.partner('swap-operator-1', 'catl-energy');
/** 80 % of the 420 km range: one swap's worth of driving, so 12 × 336 km a year is one swap a month. */
const KM_PER_SWAP_420 = 336;

beforeAll(async () => {
  t = await startOrdersGraph();
  t.world.publish(ORDERS.vehicles, []);
  await seedEnergy(t.g.db, t.world);
});

afterAll(async () => {
  await t?.g.stop();
});

interface QuoteCost {
  option: number;
  month: number;
  category: string;
  description: string;
  amount: string;
}

/** Calls subgraph `name` directly, signed as the gateway would sign an anonymous caller's fetch. */
async function direct(name: string, query: string, variables: Record<string, unknown>, identity: Identity | null = null): Promise<GqlResult> {
  const body = JSON.stringify({ query, variables });
  const res = await fetch(t.g.subgraphUrl(name), { method: 'POST', headers: await t.g.subgraphHeaders(name, identity, body), body });
  return (await res.json()) as GqlResult;
}

const option = (trimId: string, over: Record<string, unknown> = {}) => ({ trimId, financing: { kind: 'CASH' }, ...over });
const quoteInput = (options: unknown[], over: Record<string, unknown> = {}) => ({ years: 1, annualDistanceKm: 12 * KM_PER_SWAP_420, city: 'Guangzhou', options, ...over });

const QUOTE = `query($i: OwnershipQuoteInput!) {
  ownershipQuote(input: $i) { options { option costs { month category description amount { amount } } } }
}`;
const ENERGY_CATEGORIES = new Set(['BATTERY_RENTAL', 'ENERGY']);

/** Energy's costs of a quote, as the gateway answers `ownershipQuote` (merged by the quote subgraph with every other part). */
async function energyCosts(input: Record<string, unknown>): Promise<{ costs: QuoteCost[]; result: GqlResult }> {
  const result = await t.g.gql(QUOTE, { i: input });
  if (result.errors) return { costs: [], result };
  const costs = result.data.ownershipQuote.options.flatMap((o: any) =>
    o.costs.filter((c: any) => ENERGY_CATEGORIES.has(c.category)).map((c: any) => ({ option: o.option, month: c.month, category: c.category, description: c.description, amount: c.amount.amount })),
  );
  return { costs, result };
}

const monthOne = (costs: QuoteCost[], category: string, opt = 1) => costs.find((c) => c.option === opt && c.month === 1 && c.category === category)!;

/** `count` increasing swap times a few milliseconds before now, after anything recorded so far. */
async function freshTimes(count: number): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 30));
  const base = Date.now();
  return Array.from({ length: count }, (_, i) => new Date(base - (count - i) * 2).toISOString());
}

async function recordSwap(vin: string, stationId: string, swappedAt: string): Promise<{ fee: string; coveredByPlan: boolean }> {
  const input = { stationId, vin, swappedAt, stateOfChargeBefore: 20, stateOfChargeAfter: 98 };
  const r = ok(await t.g.gql(`mutation($input: RecordSwapInput!) { recordSwap(input: $input) { fee { amount } coveredByPlan } }`, { input }, CATL_PARTNER)).recordSwap;
  return { fee: r.fee.amount, coveredByPlan: r.coveredByPlan };
}

describe("its energy cost uses the same prices a recorded swap would be charged", () => {
  test('a car without a plan: the quote prices each swap at what recordSwap charges at a station in that city', async () => {
    const owner = freshUser('qswap');
    const order = await buyCar(t, owner, { trimId: 'trim-ut-swap-420' });
    for (const [city, station] of [
      ['Guangzhou', GUANGZHOU_STATION],
      ['Beijing', BEIJING_STATION],
    ]) {
      const s = ok(await t.g.gql(`query($id: ID!) { station(id: $id) { city } }`, { id: station })).station;
      expect(s.city).toBe(city);
      const { costs } = await energyCosts(quoteInput([option('trim-ut-swap-420')], { city }));
      const energy = monthOne(costs, 'ENERGY');
      expect(energy.description).toMatch(/^1 battery swap a month .* at the pay-as-you-go fee of 99\.00 each$/);
      const [at] = await freshTimes(1);
      const swap = await recordSwap(order.vehicle.vin, station, at);
      expect(swap).toEqual({ fee: energy.amount, coveredByPlan: false });
    }
  });

  test('a car on a plan past its included swaps: the quote prices the swaps beyond them at what recordSwap charges', async () => {
    const owner = freshUser('qplan');
    const order = await buyCar(t, owner, { trimId: 'trim-ut-swap-420-rental' });
    const vin = order.vehicle.vin;
    // Six swaps a month on Swap Lite: four included, two at its per-swap fee.
    const { costs } = await energyCosts(quoteInput([option('trim-ut-swap-420-rental', { batteryPlanId: 'bplan-lite' })], { annualDistanceKm: 6 * 12 * KM_PER_SWAP_420 }));
    const rental = monthOne(costs, 'BATTERY_RENTAL');
    const energy = monthOne(costs, 'ENERGY');
    expect(energy.description).toMatch(/^6 battery swaps a month .*: 4 included in Swap Lite, 2 at 69\.00 each$/);

    const sub = ok(
      await t.g.gql(`mutation($input: SubscribeBatteryPlanInput!) { subscribeBatteryPlan(input: $input) { charges { edges { node { amount { amount } } } } } }`, { input: { vin, planId: 'bplan-lite' } }, as.customer(owner)),
    ).subscribeBatteryPlan;
    expect(sub.charges.edges[0].node.amount.amount).toBe(rental.amount);

    const swaps = [];
    for (const at of await freshTimes(6)) swaps.push(await recordSwap(vin, GUANGZHOU_STATION, at));
    expect(swaps.map((s) => s.coveredByPlan)).toEqual([true, true, true, true, false, false]);
    const charged = swaps.reduce((sum, s) => sum + parseDecimalToFen(s.fee), 0n);
    expect(charged).toBe(parseDecimalToFen(energy.amount));
    expect(swaps[5].fee).toBe('69.00');
  });
});

describe('the rest of energy in a quote', () => {
  test('a car that cannot swap charges at the price cityEnergyPrices publishes for the city, rounded once a month', async () => {
    const prices = ok(await t.g.gql(`{ energyPrices(city: "Beijing") { city chargingPricePerKwh { amount } standardSwapFee { amount } } }`)).energyPrices;
    expect(prices).toEqual({ city: 'Beijing', chargingPricePerKwh: { amount: '1.60' }, standardSwapFee: { amount: '99.00' } });
    const { costs } = await energyCosts(quoteInput([option('trim-ut-420')], { city: 'Beijing', annualDistanceKm: 12_000, years: 2 }));
    expect(costs).toHaveLength(24);
    // 1,000 km × 44.12 kWh / 420 km = 105.047… kWh a month, × 1.60 = 168.076… → 168.08.
    expect(new Set(costs.map((c) => `${c.category} ${c.amount} ${c.description}`))).toEqual(
      new Set(['ENERGY 168.08 Charging 105.05 kWh a month (1,000 km a month at 44.12 kWh per 420 km) at 1.60 per kWh in Beijing']),
    );
    expect(costs.map((c) => c.month)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });

  test('a rental car without a plan named rents on the plan that costs least for its swaps', async () => {
    const at = async (swaps: number) => (await energyCosts(quoteInput([option('trim-ut-swap-420-rental')], { annualDistanceKm: swaps * 12 * KM_PER_SWAP_420 }))).costs;
    const five = await at(5); // Lite: 399.00 + 69.00 = 468.00, under Standard's 499.00
    expect(monthOne(five, 'BATTERY_RENTAL')).toMatchObject({ amount: '399.00', description: expect.stringMatching(/^Battery plan Swap Lite/) });
    expect(monthOne(five, 'ENERGY').amount).toBe('69.00');
    const six = await at(6); // Lite would be 537.00; Standard 499.00 with 8 included
    expect(monthOne(six, 'BATTERY_RENTAL')).toMatchObject({ amount: '499.00', description: expect.stringMatching(/^Battery plan Swap Standard/) });
    expect(monthOne(six, 'ENERGY').amount).toBe('0.00');
  });

  test('every city the network has a station or charger in has prices, and the swap fee is the same in each', async () => {
    const r = ok(await t.g.gql(`{ cityEnergyPrices { city standardSwapFee { amount } } stations(first: 100) { edges { node { city } } } chargers(first: 100) { edges { node { city } } } }`));
    const priced = r.cityEnergyPrices.map((p: any) => p.city);
    for (const e of [...r.stations.edges, ...r.chargers.edges]) expect(priced).toContain(e.node.city);
    expect(new Set(r.cityEnergyPrices.map((p: any) => p.standardSwapFee.amount))).toEqual(new Set(['99.00']));
  });

  test('an unknown city is BAD_USER_INPUT on input.city, naming the cities with prices', async () => {
    const { result } = await energyCosts(quoteInput([option('trim-ut-420')], { city: 'Atlantis' }));
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions).toMatchObject({ field: 'input.city' });
    expect(result.errors![0].message).toMatch(/"Atlantis".*Beijing, Chengdu, Guangzhou/);
  });

  test('a plan for a car that owns its battery, or a plan that does not exist, is BAD_USER_INPUT naming the option', async () => {
    const owned = (await energyCosts(quoteInput([option('trim-ut-420'), option('trim-ut-swap-420', { batteryPlanId: 'bplan-lite' })]))).result;
    expect(codeOf(owned)).toBe('BAD_USER_INPUT');
    expect(owned.errors![0].extensions).toMatchObject({ field: 'input.options[1].batteryPlanId' });
    expect(owned.errors![0].message).toMatch(/owns its battery/);
    // Energy refuses it too when a representation names one (a client can send any key): as subscribeBatteryPlan does.
    const spec = encodeQuoteSpec({ v: 1, years: 1, annualDistanceKm: 1000, city: 'Guangzhou', options: [{ label: 'Option 1', trimId: 'trim-ut-swap-420', colourId: null, packageId: null, accessoryIds: [], batteryPlanId: 'bplan-lite', financing: { kind: 'CASH' } }] });
    const facts = JSON.stringify([{ option: 1, totalPriceFen: '8680000', modelId: 'model-aion-ut', trimId: 'trim-ut-swap-420', batteryOption: 'OWNED', swapCapable: true, rangeKm: 420, batteryKwh: '44.12', maintenancePlan: null }]);
    const crafted = await direct('energy', `query($r: [_Any!]!) { _entities(representations: $r) { ... on OwnershipQuote { energyQuoteCosts { amount } } } }`, { r: [{ __typename: 'OwnershipQuote', spec, facts }] });
    expect(codeOf(crafted)).toBe('BAD_USER_INPUT');
    expect(crafted.errors![0].extensions).toMatchObject({ field: 'input.options[0].batteryPlanId' });
    expect(crafted.errors![0].message).toMatch(/owns its battery/);
    const unknown = (await energyCosts(quoteInput([option('trim-ut-swap-420-rental', { batteryPlanId: 'bplan-gold' })]))).result;
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0].extensions).toMatchObject({ field: 'input.options[0].batteryPlanId' });
    expect(unknown.errors![0].message).toMatch(/bplan-gold.*bplan-lite/);
  });
});
