/**
 * The orders seed: 10,000 users in a handful of statements, the demo user's whole purchase story, orders priced
 * and recorded exactly as `placeOrder` records them (price lines, trim name, request fingerprint),
 * consistent money, every timestamp before the seed's "now", and the same world for the same random seed.
 */
import { startTestGraph, as, type TestGraph } from '../../testing/harness';
import type { Db, TxQueryable } from '../../platform/db';
import { DEMO_USER, Rng, SEED_NOW, SeedWorld, seedUsers, type SeedFact } from '../kit/seed';
import { CATALOG, ORDERS_FACTS } from './seed-facts';
import { runSeedStages } from '../../testing/seed';
import { seedOrders } from './seed';
import { DEPOSIT_FEN } from './rules';
import { formatFen } from '../../platform/money';

const USERS = 10_000;
const emptyWorld = (seed: number, users: string[]) => new SeedWorld({ rng: new Rng(seed), users });
/** What the orders stage published. */
const published = (w: SeedWorld) => ({ orders: w.read(ORDERS_FACTS.orders), vehicles: w.read(ORDERS_FACTS.vehicles) });

let g: TestGraph;
let world: SeedWorld;
let seedStatements: number;
beforeAll(async () => {
  g = await startTestGraph();
  world = emptyWorld(42, seedUsers(USERS));
  await runSeedStages(g.db, world, ['catalog']);
  const before = g.db.statementCount;
  await seedOrders(g.db, world);
  seedStatements = g.db.statementCount - before;
});
afterAll(async () => {
  await g?.stop();
});

test('10,000 users are seeded in a handful of batched statements (speed: npm run bench)', () => {
  expect(seedStatements).toBeLessThan(30);
});

test('most users bought a car; most orders are delivered, some financed, some with a trade-in; the world matches the tables', async () => {
  const { orders, vehicles } = published(world);
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

interface SeededOrderRow {
  id: string;
  user_id: string;
  trim_id: string;
  trim_name: string;
  colour_id: string | null;
  package_id: string;
  accessory_ids: string[];
  total: string;
  financed: string;
  trade_in_id: string | null;
}
const ORDER_COLUMNS = `id, user_id, trim_id, trim_name, colour_id, package_id, accessory_ids, total_fen::text AS total, financed_fen::text AS financed, trade_in_id`;

const QUOTE = `query($t: ID!, $c: ID, $p: ID, $a: [ID!]) { quote(trimId: $t, colourId: $c, packageId: $p, accessoryIds: $a) {
  total { amount } lines { kind refId description amount { amount } } } }`;

test('orders are configured like real ones: some with a paid package, most with a colour, 0 to 3 accessories', async () => {
  const [mix] = await g.db.query<Record<string, string>>(
    `SELECT count(*)::text AS orders,
            count(*) FILTER (WHERE package_id <> $1)::text AS paid_package,
            count(*) FILTER (WHERE colour_id IS NOT NULL)::text AS coloured,
            count(*) FILTER (WHERE cardinality(accessory_ids) = 0)::text AS acc0,
            count(*) FILTER (WHERE cardinality(accessory_ids) = 3)::text AS acc3,
            max(cardinality(accessory_ids))::text AS most,
            count(*) FILTER (WHERE package_id IS NULL)::text AS no_package
       FROM orders.orders`,
    [world.read(CATALOG.standardPackageId)],
  );
  const share = (k: string) => Number(mix[k]) / Number(mix.orders);
  expect(share('paid_package')).toBeGreaterThan(0.3);
  expect(share('paid_package')).toBeLessThan(0.4);
  expect(share('coloured')).toBeGreaterThan(0.8);
  expect(share('coloured')).toBeLessThan(0.9);
  expect(share('acc0')).toBeGreaterThan(0.35);
  expect(share('acc3')).toBeGreaterThan(0.07);
  expect(mix.most).toBe('3');
  // Like a live order, every seeded order names the package it was priced with (STANDARD by default).
  expect(mix.no_package).toBe('0');
  // Every paid package is bought by someone.
  const packages = await g.db.query<{ package_id: string }>(`SELECT DISTINCT package_id FROM orders.orders`);
  expect(packages.map((p) => p.package_id).sort()).toEqual(world.read(CATALOG.packages).map((p) => p.id).sort());
  // ... and only with a trim the catalog offers it with, as a live quote requires.
  const pairs = await g.db.query<{ trim_id: string; package_id: string }>(`SELECT DISTINCT trim_id, package_id FROM orders.orders`);
  const offered = new Map(world.read(CATALOG.trims).map((t) => [t.id, t.packageIds]));
  expect(pairs.filter((p) => !offered.get(p.trim_id)?.includes(p.package_id))).toEqual([]);
});

test("every order's snapshot agrees with itself: lines add up to the total, the trim line names the order, the choices have their lines", async () => {
  const [bad] = await g.db.query<Record<string, string>>(
    `WITH l AS (
       SELECT order_id, sum(amount_fen) AS total,
              count(*) FILTER (WHERE kind = 'TRIM' AND position = 0) AS trim_first,
              max(description) FILTER (WHERE kind = 'TRIM') AS trim_name,
              max(ref_id) FILTER (WHERE kind = 'TRIM') AS trim_id,
              max(ref_id) FILTER (WHERE kind = 'COLOUR') AS colour_id,
              max(ref_id) FILTER (WHERE kind = 'PACKAGE') AS package_id,
              count(*) FILTER (WHERE kind = 'PACKAGE') AS packages,
              coalesce(array_agg(ref_id ORDER BY position) FILTER (WHERE kind = 'ACCESSORY'), '{}') AS accessory_ids,
              max(position) + 1 = count(*) AS dense
         FROM orders.order_price_lines GROUP BY order_id)
     SELECT count(*) FILTER (WHERE l.order_id IS NULL)::text AS without_lines,
            count(*) FILTER (WHERE l.total <> o.total_fen)::text AS wrong_total,
            count(*) FILTER (WHERE l.trim_first <> 1 OR l.trim_id <> o.trim_id OR l.trim_name <> o.trim_name)::text AS wrong_trim,
            count(*) FILTER (WHERE l.colour_id IS DISTINCT FROM o.colour_id)::text AS wrong_colour,
            count(*) FILTER (WHERE l.packages <> 1 OR l.package_id <> o.package_id)::text AS wrong_package,
            count(*) FILTER (WHERE l.accessory_ids <> o.accessory_ids)::text AS wrong_accessories,
            count(*) FILTER (WHERE NOT l.dense)::text AS gaps,
            count(*) FILTER (WHERE o.deposit_fen + o.trade_in_credit_fen + o.financed_fen + o.balance_due_fen <> o.total_fen)::text AS unbalanced
       FROM orders.orders o LEFT JOIN l ON l.order_id = o.id`,
  );
  expect(bad).toEqual({ without_lines: '0', wrong_total: '0', wrong_trim: '0', wrong_colour: '0', wrong_package: '0', wrong_accessories: '0', gaps: '0', unbalanced: '0' });
  // The world hands the same totals on to finance.
  const totals = new Map((await g.db.query<{ id: string; total: string }>(`SELECT id, total_fen::text AS total FROM orders.orders`)).map((r) => [r.id, r.total]));
  for (const o of world.read(ORDERS_FACTS.orders)) expect(totals.get(o.id)).toBe(o.totalFen.toString());
});

test("seeded price lines are exactly what the catalog's live quote gives for the same configuration", async () => {
  // A sample covering every shape: with and without a colour, each package, 0 to 3 accessories.
  const sample = await g.db.query<SeededOrderRow>(
    `SELECT DISTINCT ON (colour_id IS NULL, package_id, cardinality(accessory_ids)) ${ORDER_COLUMNS}
       FROM orders.orders ORDER BY colour_id IS NULL, package_id, cardinality(accessory_ids), id`,
  );
  expect(sample.length).toBeGreaterThanOrEqual(2 * 4 * 4 - 2);
  const stored = await g.db.query<{ order_id: string; kind: string; ref_id: string; description: string; amount: string }>(
    `SELECT order_id, kind, ref_id, description, amount_fen AS amount FROM orders.order_price_lines WHERE order_id = ANY($1) ORDER BY order_id, position`,
    [sample.map((o) => o.id)],
  );
  for (const o of sample) {
    const r = await g.gql(QUOTE, { t: o.trim_id, c: o.colour_id, p: o.package_id, a: o.accessory_ids });
    expect(r.errors).toBeUndefined();
    const lines = stored.filter((l) => l.order_id === o.id).map((l) => ({ kind: l.kind, refId: l.ref_id, description: l.description, amount: { amount: formatFen(BigInt(l.amount)) } }));
    expect([o.id, lines]).toEqual([o.id, r.data.quote.lines]);
    expect(formatFen(BigInt(o.total))).toBe(r.data.quote.total.amount);
  }
});

test('a seeded order answers a replay of its own request as a live order does (same request fingerprint)', async () => {
  const sample = await g.db.query<SeededOrderRow>(
    `(SELECT ${ORDER_COLUMNS} FROM orders.orders WHERE user_id = $1)
     UNION ALL (SELECT ${ORDER_COLUMNS} FROM orders.orders WHERE package_id = $2 AND colour_id IS NULL AND cardinality(accessory_ids) = 0 ORDER BY id LIMIT 1)
     UNION ALL (SELECT ${ORDER_COLUMNS} FROM orders.orders WHERE package_id <> $2 AND cardinality(accessory_ids) >= 2 AND trade_in_id IS NOT NULL ORDER BY id LIMIT 1)`,
    [DEMO_USER, world.read(CATALOG.standardPackageId)],
  );
  expect(sample).toHaveLength(3);
  const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id totalPrice { amount } } }`;
  for (const o of sample) {
    const input = {
      trimId: o.trim_id,
      colourId: o.colour_id,
      // Left out when it is the STANDARD package, as a buyer who never chose one would.
      packageId: o.package_id === world.read(CATALOG.standardPackageId) ? null : o.package_id,
      // The same set in another order is the same request.
      accessoryIds: [...o.accessory_ids].reverse(),
      financedAmount: formatFen(BigInt(o.financed)),
      tradeInId: o.trade_in_id,
      idempotencyKey: `seed-${o.id}`,
    };
    const r = await g.gql(PLACE, { input }, as.customer(o.user_id));
    expect(r.errors).toBeUndefined();
    expect(r.data.placeOrder).toEqual({ id: o.id, totalPrice: { amount: formatFen(BigInt(o.total)) } });
    // A different configuration under the same key is refused, as for a live order.
    const other = await g.gql(PLACE, { input: { ...input, accessoryIds: [] , colourId: null, packageId: null, financedAmount: '0.00', tradeInId: null } }, as.customer(o.user_id));
    if (o.accessory_ids.length || o.colour_id || o.package_id !== world.read(CATALOG.standardPackageId) || o.financed !== '0' || o.trade_in_id) {
      expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    }
  }
});

test("the demo user's car was test-driven, traded in against, financed, paid and delivered", async () => {
  const demoOrder = world.read(ORDERS_FACTS.orders).find((o) => o.userId === DEMO_USER)!;
  expect(demoOrder).toBeDefined();
  expect(demoOrder.financedFen).toBeGreaterThan(0n);
  expect(demoOrder.deliveredAt).not.toBeNull();
  expect(world.read(ORDERS_FACTS.vehicles).find((v) => v.ownerId === DEMO_USER)?.vin).toBe(demoOrder.vin);
  const me = await g.gql(
    `{ me { orders { edges { node { status tradeIn { status } financedAmount { amount } deposit { amount } balance { amount } tradeInCredit { amount } } } }
      testDrives { edges { node { status } } } vehicles { edges { node { vin } } }
      spending { total { amount } byCategory { category total { amount } } } } }`,
    {},
    as.customer(DEMO_USER),
  );
  expect(me.errors).toBeUndefined();
  const order = me.data.me.orders.edges[0].node;
  expect(order).toMatchObject({ status: 'DELIVERED', tradeIn: { status: 'CREDITED' } });
  // A configured car: a surcharged colour, a paid package and two accessories, each a price line.
  const lines = await g.gql(
    `{ me { orders { edges { node { totalPrice { amount } priceLines { kind description amount { amount } } } } } spending { lines(first: 50) { edges { node { description } } } } } }`,
    {},
    as.customer(DEMO_USER),
  );
  expect(lines.errors).toBeUndefined();
  const priced = lines.data.me.orders.edges[0].node;
  const trim = world.read(CATALOG.trims).find((t) => t.id === world.read(ORDERS_FACTS.vehicles).find((v) => v.ownerId === DEMO_USER)!.trimId)!;
  expect(priced.priceLines.map((l: any) => l.kind)).toEqual(['TRIM', 'COLOUR', 'PACKAGE', 'ACCESSORY', 'ACCESSORY']);
  expect(priced.priceLines[0].description).toBe(`${trim.modelName} ${trim.name}`);
  expect(priced.priceLines[1].amount.amount).not.toBe('0.00');
  expect(priced.priceLines[2].amount.amount).not.toBe('0.00');
  expect(priced.totalPrice.amount).toBe(formatFen(demoOrder.totalFen));
  expect(demoOrder.totalFen).toBeGreaterThan(trim.guidePriceFen);
  // Spending lines name the car as live orders do: "<model name> <trim name>".
  expect(lines.data.me.spending.lines.edges.map((e: any) => e.node.description)).toContain(`Deposit for ${trim.modelName} ${trim.name}`);
  expect(me.data.me.testDrives.edges).toHaveLength(1);
  expect(me.data.me.vehicles.edges[0].node.vin).toBe(demoOrder.vin);
  // Only the orders stage ran: the demo user's spending is the cash paid for the car.
  const cash = (a: string, b: string) => (BigInt(a.replace('.', '')) + BigInt(b.replace('.', ''))).toString();
  expect(me.data.me.spending.total.amount.replace('.', '')).toBe(cash(order.deposit.amount, order.balance.amount));
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
    listen: async () => async () => undefined,
    close: async () => undefined,
  };
  const run = async () => {
    const w = emptyWorld(7, seedUsers(300));
    for (const fact of Object.values(CATALOG) as Array<SeedFact<unknown>>) w.publish(fact, world.read(fact));
    await seedOrders(sink, w);
    return published(w);
  };
  expect(await run()).toEqual(await run());
});
