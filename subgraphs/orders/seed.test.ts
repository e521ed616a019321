/**
 * The orders seed: 10,000 users in a few seconds, the demo user's whole purchase story, consistent
 * money, every timestamp before the seed's "now", and the same world for the same random seed.
 */
import { startTestGraph, as, type TestGraph } from '../../gateway/testing';
import type { Db, TxQueryable } from '../kit/db';
import { DEMO_USER, Rng, SEED_NOW, seedUsers, type SeedWorld } from '../kit/seed';
import { SEED_STAGES } from '..';
import { seedOrders } from './seed';
import { DEPOSIT_FEN } from './rules';

const USERS = 10_000;
const emptyWorld = (seed: number, users: string[]): SeedWorld => ({
  rng: new Rng(seed),
  users,
  now: SEED_NOW,
  catalog: { trims: [], colourIds: [], packageIds: [], accessoryIds: [] },
  orders: { orders: [], vehicles: [] },
});

let g: TestGraph;
let world: SeedWorld;
let seedMs: number;
let seedStatements: number;
beforeAll(async () => {
  g = await startTestGraph();
  world = emptyWorld(42, seedUsers(USERS));
  await SEED_STAGES.find(([name]) => name === 'catalog')![1](g.db, world);
  const before = g.db.statementCount;
  const started = Date.now();
  await seedOrders(g.db, world);
  seedMs = Date.now() - started;
  seedStatements = g.db.statementCount - before;
});
afterAll(async () => {
  await g?.stop();
});

test('10,000 users are seeded in a few seconds with a handful of statements', () => {
  // About a second on an idle machine; the bound leaves room for a CI box running other suites.
  expect(seedMs).toBeLessThan(10_000);
  expect(seedStatements).toBeLessThan(30);
});

test('most users bought a car; most orders are delivered, some financed, some with a trade-in; the world matches the tables', async () => {
  const { orders, vehicles } = world.orders;
  expect(orders.length / USERS).toBeGreaterThan(0.85);
  expect(orders.length / USERS).toBeLessThan(0.95);
  expect(vehicles.length / orders.length).toBeGreaterThan(0.75);
  expect(orders.filter((o) => o.financedFen > 0n).length / orders.length).toBeGreaterThan(0.35);
  const [counts] = await g.db.query<Record<string, string>>(`SELECT
      (SELECT count(*) FROM orders.orders) AS orders, (SELECT count(*) FROM orders.vehicles) AS vehicles,
      (SELECT count(*) FROM orders.trade_ins WHERE status = 'CREDITED') AS credited,
      (SELECT count(*) FROM orders.order_status_changes) AS changes`);
  expect(Number(counts.orders)).toBe(orders.length);
  expect(Number(counts.vehicles)).toBe(vehicles.length);
  expect(Number(counts.credited) / orders.length).toBeGreaterThan(0.1);
  expect(Number(counts.credited) / orders.length).toBeLessThan(0.2);
  // PLACED + DEPOSIT_PAID for all, BALANCE_PAID for delivered and half the rest, DELIVERED for delivered.
  expect(Number(counts.changes)).toBeGreaterThan(orders.length * 2 + vehicles.length * 2);
  for (const o of orders) {
    expect(o.depositFen).toBe(o.totalFen < DEPOSIT_FEN ? o.totalFen : DEPOSIT_FEN);
    expect(o.financedFen).toBeLessThanOrEqual(o.totalFen - o.depositFen);
    expect(o.vin === null).toBe(o.deliveredAt === null);
  }
  expect(new Set(vehicles.map((v) => v.vin)).size).toBe(vehicles.length);
});

test("the demo user's car was test-driven, traded in against, financed, paid and delivered", async () => {
  const demoOrder = world.orders.orders.find((o) => o.userId === DEMO_USER)!;
  expect(demoOrder).toBeDefined();
  expect(demoOrder.financedFen).toBeGreaterThan(0n);
  expect(demoOrder.deliveredAt).not.toBeNull();
  expect(world.orders.vehicles.find((v) => v.ownerId === DEMO_USER)?.vin).toBe(demoOrder.vin);
  const me = await g.gql(
    `{ me { orders { edges { node { status tradeIn { status } financedAmount { amount } deposit { amount } balanceDue { amount } tradeInCredit { amount } } } }
      testDrives { edges { node { status } } } vehicles { edges { node { vin } } }
      spending { total { amount } byCategory { category total { amount } } } } }`,
    {},
    as.customer(DEMO_USER),
  );
  expect(me.errors).toBeUndefined();
  const order = me.data.me.orders.edges[0].node;
  expect(order).toMatchObject({ status: 'DELIVERED', tradeIn: { status: 'CREDITED' } });
  expect(me.data.me.testDrives.edges).toHaveLength(1);
  expect(me.data.me.vehicles.edges[0].node.vin).toBe(demoOrder.vin);
  // Only the orders stage ran: the demo user's spending is the cash paid for the car.
  const cash = (a: string, b: string) => (BigInt(a.replace('.', '')) + BigInt(b.replace('.', ''))).toString();
  expect(me.data.me.spending.total.amount.replace('.', '')).toBe(cash(order.deposit.amount, order.balanceDue.amount));
  expect(me.data.me.spending.byCategory.map((c: any) => c.category)).toEqual(['PURCHASE', 'TRADE_IN_CREDIT']);
});

test('every seeded timestamp is before the seed clock', async () => {
  const [latest] = await g.db.query<{ at: Date }>(`SELECT greatest(
      (SELECT max(greatest(placed_at, deposit_paid_at, balance_paid_at, delivered_at)) FROM orders.orders),
      (SELECT max(greatest(requested_at, appraised_at)) FROM orders.trade_ins),
      (SELECT max(greatest(booked_at, scheduled_at)) FROM orders.test_drives),
      (SELECT max(at) FROM orders.order_status_changes)) AS at`);
  expect(new Date(latest.at).getTime()).toBeLessThan(SEED_NOW.getTime());
});

test('the same random seed gives the same orders and vehicles', async () => {
  // A database that accepts and forgets every write: only the world is compared.
  const sink: Db = {
    kind: 'pglite',
    statementCount: 0,
    query: async () => [],
    tx: async <T>(fn: (q: TxQueryable) => Promise<T>) => fn({ query: async () => [], exec: async () => undefined }),
    close: async () => undefined,
  };
  const run = async () => {
    const w = emptyWorld(7, seedUsers(300));
    w.catalog = world.catalog;
    await seedOrders(sink, w);
    return w.orders;
  };
  expect(await run()).toEqual(await run());
});
