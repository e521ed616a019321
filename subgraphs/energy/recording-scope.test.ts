/**
 * Who may bill a customer's car for energy, through the gateway: a charging session only by the
 * network operating the charger, a swap only by the station's operator and only for a car that can
 * swap. A refused record writes nothing, so the customer's spending stays what it was.
 */
import { randomUUID } from 'node:crypto';
import { startTestGraph, as, type TestGraph } from '../../testing/harness';
import { codeOf, ok } from '../../testing/assertions';
import { freshUser, testVin } from '../../testing/fresh-ids';
import { Rng, SeedWorld } from '../kit/seed';
import { ORDERS } from './seed/facts';
import type { Identity } from '../../platform/identity';
import { runSeedStages } from '../../testing/seed';
import { seedEnergy } from './seed';

let g: TestGraph;
let world: SeedWorld;

/** The seed's first charger is State Grid's in Guangzhou (see `makeChargers`). */
const GRID_CHARGER = 'chgr-s000001';
const CATL_STATION = 'stn-s000001';

beforeAll(async () => {
  g = await startTestGraph();
  world = new SeedWorld({ rng: new Rng(11), users: [] });
  await runSeedStages(g.db, world, ['catalog']);
  world.publish(ORDERS.vehicles, []); // no vehicles yet: the tests buy their own
  await seedEnergy(g.db, world);
});

afterAll(async () => {
  await g?.stop();
});


/** Buys and delivers a car of `trimId` for a new customer; returns the owner and the VIN. */
async function deliveredCar(trimId: string): Promise<{ owner: string; vin: string }> {
  const owner = freshUser('scope');
  const who = as.customer(owner);
  const placed = ok(await g.gql(`mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id deposit { amount } balanceDue { amount } } }`, { i: { trimId, idempotencyKey: randomUUID() } }, who)).placeOrder;
  ok(await g.gql(`mutation($id: ID!, $a: Decimal!) { payDeposit(orderId: $id, amount: $a) { id } }`, { id: placed.id, a: placed.deposit.amount }, who));
  ok(await g.gql(`mutation($id: ID!, $a: Decimal!) { payBalance(orderId: $id, amount: $a) { id } }`, { id: placed.id, a: placed.balanceDue.amount }, who));
  const vin = testVin();
  ok(await g.gql(`mutation($id: ID!, $vin: String!) { deliverOrder(orderId: $id, vin: $vin) { id } }`, { id: placed.id, vin }, as.admin()));
  return { owner, vin };
}

const RECORD_CHARGING = `mutation($input: RecordChargingInput!) { recordCharging(input: $input) { id userId networkOrg location fee { amount } charger { id networkOrg } } }`;
const RECORD_SWAP = `mutation($input: RecordSwapInput!) { recordSwap(input: $input) { id fee { amount } } }`;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const charging = (vin: string) => ({ vin, chargerId: GRID_CHARGER, startedAt: minutesAgo(50), endedAt: minutesAgo(5), energyWh: 30_000, fee: '10000.00' });
const swap = (vin: string) => ({ stationId: CATL_STATION, vin, swappedAt: new Date(Date.now() - 1000).toISOString(), stateOfChargeBefore: 20, stateOfChargeAfter: 98 });

const spendingTotal = async (owner: string) => ok(await g.gql(`{ me { spending { total { amount } } } }`, {}, as.customer(owner))).me.spending.total.amount as string;
const rows = async (table: string, vin: string) => (await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM energy.${table} WHERE vin = $1`, [vin]))[0].n;

describe("recordCharging on state-grid's charger", () => {
  const outsiders: Array<[string, Identity]> = [
    ['a store chain', as.partner('store-1', 'jd-auto-care')],
    ['a manufacturer', as.partner('maker-1', 'gac-aion')],
    ['a made-up organisation', as.partner('nobody-1', 'totally-real-energy')],
    ['another charging network', as.partner('teld-1', 'teld')],
    ['a swap operator', as.partner('catl-1', 'catl-energy')],
  ];

  test.each(outsiders)("%s is refused (FORBIDDEN) and nothing is written: the customer's spending is unchanged", async (_label, partner) => {
    const { owner, vin } = await deliveredCar('trim-ut-330');
    const before = await spendingTotal(owner);
    const r = await g.gql(RECORD_CHARGING, { input: charging(vin) }, partner);
    expect(codeOf(r)).toBe('FORBIDDEN');
    expect(r.errors![0].message).toMatch(/state-grid/);
    expect(await rows('charging_sessions', vin)).toBe('0');
    expect(await spendingTotal(owner)).toBe(before);
  });

  test("state-grid's partner records it: the network and location are the charger's, and the owner pays the fee", async () => {
    const { owner, vin } = await deliveredCar('trim-ut-330');
    const before = BigInt((await spendingTotal(owner)).replace('.', ''));
    const s = ok(await g.gql(RECORD_CHARGING, { input: { ...charging(vin), fee: '48.75' } }, as.partner('grid-1', 'state-grid'))).recordCharging;
    expect(s).toMatchObject({ userId: owner, networkOrg: 'state-grid', fee: { amount: '48.75' }, charger: { id: GRID_CHARGER, networkOrg: 'state-grid' } });
    expect(s.location).toMatch(/^State Grid /);
    expect(BigInt((await spendingTotal(owner)).replace('.', ''))).toBe(before + 4875n);
  });

  test('an admin records on any charger; an unknown charger or an undelivered VIN is NOT_FOUND', async () => {
    const { vin } = await deliveredCar('trim-ut-330');
    expect(ok(await g.gql(RECORD_CHARGING, { input: { ...charging(vin), fee: '1.00' } }, as.admin())).recordCharging.networkOrg).toBe('state-grid');
    expect(codeOf(await g.gql(RECORD_CHARGING, { input: { ...charging(vin), chargerId: 'chgr-nope' } }, as.partner('grid-1', 'state-grid')))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(RECORD_CHARGING, { input: charging(testVin()) }, as.partner('grid-1', 'state-grid')))).toBe('NOT_FOUND');
  });

  test('chargers are listed publicly with their network; every seeded network has chargers', async () => {
    const r = ok(await g.gql(`{ chargers(first: 100) { edges { node { id networkOrg name city } } } }`));
    const networks = new Set(r.chargers.edges.map((e: any) => e.node.networkOrg));
    expect([...networks].sort()).toEqual(['star-charge', 'state-grid', 'teld']);
    const grid = ok(await g.gql(`{ chargers(networkOrg: "state-grid", first: 100) { edges { node { id networkOrg } } } }`));
    expect(grid.chargers.edges.map((e: any) => e.node.id)).toContain(GRID_CHARGER);
    expect(grid.chargers.edges.every((e: any) => e.node.networkOrg === 'state-grid')).toBe(true);
  });
});

describe('recordSwap', () => {
  test("a car whose trim cannot swap is refused with a clear message, and billed nothing", async () => {
    const { owner, vin } = await deliveredCar('trim-ut-330');
    const before = await spendingTotal(owner);
    const r = await g.gql(RECORD_SWAP, { input: swap(vin) }, as.partner('catl-1', 'catl-energy'));
    expect([codeOf(r), r.errors?.[0].extensions?.field]).toEqual(['BAD_USER_INPUT', 'vin']);
    expect(r.errors![0].message).toMatch(/cannot swap its battery/);
    expect(await rows('swap_sessions', vin)).toBe('0');
    expect(await spendingTotal(owner)).toBe(before);
  });

  test("a swap-capable car that owns its battery is swapped by the station's operator, and by no one else", async () => {
    const { vin } = await deliveredCar('trim-ut-swap-420');
    expect(codeOf(await g.gql(RECORD_SWAP, { input: swap(vin) }, as.partner('aulton-1', 'aulton')))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(RECORD_SWAP, { input: swap(vin) }, as.partner('grid-1', 'state-grid')))).toBe('FORBIDDEN');
    expect(await rows('swap_sessions', vin)).toBe('0');
    expect(ok(await g.gql(RECORD_SWAP, { input: swap(vin) }, as.partner('catl-1', 'catl-energy'))).recordSwap.fee.amount).toBe('99.00');
  });
});
