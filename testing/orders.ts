/**
 * Shared by the orders tests: the whole graph on a fresh database with the catalog seeded (orders
 * prices through the catalog's `quote`), and the buying steps as one-liners.
 */
import { randomUUID } from 'node:crypto';
import { startTestGraph, as, type TestGraph, type TestGraphOptions } from './harness';
import { ok } from './assertions';
import { testVin } from './fresh-ids';
import { Rng, SeedWorld } from '../subgraphs/kit/seed';
import { CATALOG_FACTS, type SeedAccessory, type SeedColour, type SeedPackage, type SeedTrim } from '../subgraphs/catalog/seed/facts';
import type { Identity } from '../platform/identity';
import { runSeedStages } from './seed';

export interface OrdersTestGraph {
  g: TestGraph;
  world: SeedWorld;
  /** The seeded catalog, as its seed stage published it. */
  catalog: { trims: readonly SeedTrim[]; colours: readonly SeedColour[]; packages: readonly SeedPackage[]; accessories: readonly SeedAccessory[] };
  /** An available trim of `gac-aion` that owns its battery. */
  trim: SeedTrim;
  /** An available battery-rental trim. */
  rentalTrim: SeedTrim;
  /** Its manufacturer, whose partners deliver. */
  org: string;
}

/**
 * Starts the graph (with `opts`, e.g. a shared Redis) and seeds only the catalog (no users), so every
 * test user starts with nothing.
 */
export async function startOrdersGraph(opts: TestGraphOptions = {}): Promise<OrdersTestGraph> {
  const g = await startTestGraph(opts);
  const world = new SeedWorld({ rng: new Rng(20261101), users: [] });
  await runSeedStages(g.db, world, ['catalog']);
  const catalog = {
    trims: world.read(CATALOG_FACTS.trims),
    colours: world.read(CATALOG_FACTS.colours),
    packages: world.read(CATALOG_FACTS.packages),
    accessories: world.read(CATALOG_FACTS.accessories),
  };
  const trim = catalog.trims.find((t) => !t.batteryRental && t.manufacturerOrg === 'gac-aion') ?? catalog.trims[0];
  const rentalTrim = catalog.trims.find((t) => t.batteryRental) ?? trim;
  return { g, world, catalog, trim, rentalTrim, org: trim.manufacturerOrg };
}

export const ORDER_FIELDS = `id userId status totalPrice { amount currency } deposit { amount } tradeInCredit { amount }
  financedAmount { amount } balanceDue { amount } amountPaid { amount } batteryRental manufacturerOrg
  trim { id } colour { id } package { id } accessories { id }
  priceLines { kind refId description amount { amount } }
  tradeIn { id status } vehicle { vin ownerId } placedAt depositPaidAt balancePaidAt deliveredAt cancelledAt
  statusHistory { status at byRole }`;

export const PLACE_ORDER = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER_FIELDS} } }`;
export const PAY_DEPOSIT = `mutation($id: ID!, $amount: Decimal!) { payDeposit(orderId: $id, amount: $amount) { ${ORDER_FIELDS} } }`;
export const PAY_BALANCE = `mutation($id: ID!, $amount: Decimal!) { payBalance(orderId: $id, amount: $amount) { ${ORDER_FIELDS} } }`;
export const DELIVER = `mutation($id: ID!, $vin: String!) { deliverOrder(orderId: $id, vin: $vin) { ${ORDER_FIELDS} } }`;
export const REQUEST_TRADE_IN = `mutation($input: RequestTradeInInput!) { requestTradeIn(input: $input) { id status appraisedValue { amount } } }`;
export const APPRAISE = `mutation($id: ID!, $amount: Decimal!) { appraiseTradeIn(id: $id, amount: $amount) { id status appraisedValue { amount } } }`;

/** Requests a trade-in as `userId` and has an admin appraise it at `amount`; returns its id. */
export async function appraisedTradeIn(g: TestGraph, userId: string, amount: string): Promise<string> {
  const req = ok(await g.gql(REQUEST_TRADE_IN, { input: { description: '2016 VW Golf 1.4T, white', year: 2016, mileageKm: 98000, dealerOrg: 'gac-aion' } }, as.customer(userId)));
  ok(await g.gql(APPRAISE, { id: req.requestTradeIn.id, amount }, as.admin()));
  return req.requestTradeIn.id;
}

/** Places an order as `userId` and returns it. */
export async function placeOrder(g: TestGraph, userId: string, input: Record<string, unknown>): Promise<any> {
  return ok(await g.gql(PLACE_ORDER, { input: { idempotencyKey: randomUUID(), ...input } }, as.customer(userId))).placeOrder;
}

/** Places, pays in full and (optionally) delivers an order; returns the final order. */
export async function buyCar(
  t: OrdersTestGraph,
  userId: string,
  input: Record<string, unknown> = {},
  opts: { deliver?: boolean; partner?: Identity } = {},
): Promise<any> {
  const placed = await placeOrder(t.g, userId, { trimId: t.trim.id, ...input });
  ok(await t.g.gql(PAY_DEPOSIT, { id: placed.id, amount: placed.deposit.amount }, as.customer(userId)));
  let order = ok(await t.g.gql(PAY_BALANCE, { id: placed.id, amount: placed.balanceDue.amount }, as.customer(userId))).payBalance;
  if (opts.deliver !== false) {
    order = ok(await t.g.gql(DELIVER, { id: placed.id, vin: testVin() }, opts.partner ?? as.partner('p-1', placed.manufacturerOrg))).deliverOrder;
  }
  return order;
}
