/**
 * The energy seed stage on top of the real catalog and orders stages: the demo driver's energy life
 * is there and visible through the gateway, fees follow the same rules as `recordSwap`, and the
 * spending contribution is exactly the fees paid.
 */
import { startTestGraph, as, type TestGraph } from '../../testing/harness';
import { DEMO_USER, Rng, SEED_NOW, seedFact, SeedWorld, seedUsers } from '../kit/seed';
import { ORDERS } from './seed/facts';

/** The catalog's trims, as this test checks which vehicles swap. */
const TRIMS = seedFact<ReadonlyArray<{ id: string; swapCapable: boolean }>>('catalog', 'trims');
import { runSeedStages } from '../../testing/seed';
import { formatFen } from '../../platform/money';
import { periodOf, STANDARD_SWAP_FEE_FEN } from './fees';

let g: TestGraph;
let world: SeedWorld;

beforeAll(async () => {
  g = await startTestGraph();
  world = new SeedWorld({ rng: new Rng(20251111), users: seedUsers(80) });
  await runSeedStages(g.db, world, ['catalog', 'orders', 'energy']);
}, 120_000);

afterAll(async () => {
  await g?.stop();
});

const one = async <T = Record<string, string>>(sql: string, params: unknown[] = []) => (await g.db.query<T>(sql, params))[0];

test('the demo driver has a battery plan charged monthly, swaps and charging, visible through the gateway', async () => {
  const demoVehicle = world.read(ORDERS.vehicles).find((v) => v.ownerId === DEMO_USER)!;
  expect(demoVehicle).toBeDefined();
  const r = await g.gql(
    `{ me {
        vehicles { edges { node { vin batteryRental batterySubscription { status plan { name } charges(first: 100) { edges { node { period } } } }
          swapSessions(first: 5) { edges { node { id } } } chargingSessions(first: 5) { edges { node { id } } } } } }
        swapSessions(first: 1) { edges { node { station { name } } } }
        spending { byCategory { category total { amount } } } } }`,
    {},
    as.customer(DEMO_USER),
  );
  expect(r.errors).toBeUndefined();
  const vehicle = r.data.me.vehicles.edges.find((e: any) => e.node.vin === demoVehicle.vin).node;
  expect(vehicle.swapSessions.edges.length).toBeGreaterThan(0);
  expect(vehicle.chargingSessions.edges.length).toBeGreaterThan(0);
  if (demoVehicle.batteryRental) {
    expect(vehicle.batterySubscription.status).toBe('ACTIVE');
    // One charge per month, from the delivery month to the last month before "now".
    const periods = vehicle.batterySubscription.charges.edges.map((e: any) => e.node.period);
    expect(periods[0]).toBe(periodOf(new Date(SEED_NOW.getTime() - 1)));
    expect(periods[periods.length - 1]).toBe(periodOf(demoVehicle.deliveredAt));
    expect(new Set(periods).size).toBe(periods.length);
  }
  // The report's energy categories equal the fees in energy's tables.
  const byCategory = Object.fromEntries(r.data.me.spending.byCategory.map((c: any) => [c.category, c.total.amount]));
  const fees = await one<{ swaps: string; charging: string; plan: string }>(
    `SELECT (SELECT coalesce(sum(fee_fen), 0)::text FROM energy.swap_sessions WHERE user_id = $1) AS swaps,
            (SELECT coalesce(sum(fee_fen), 0)::text FROM energy.charging_sessions WHERE user_id = $1) AS charging,
            (SELECT coalesce(sum(c.amount_fen), 0)::text FROM energy.subscription_charges c JOIN energy.battery_subscriptions s ON s.id = c.subscription_id WHERE s.user_id = $1) AS plan`,
    [DEMO_USER],
  );
  expect(byCategory.BATTERY_SWAP).toBe(formatFen(BigInt(fees.swaps)));
  expect(byCategory.CHARGING).toBe(formatFen(BigInt(fees.charging)));
  expect(byCategory.BATTERY_SUBSCRIPTION ?? '0.00').toBe(formatFen(BigInt(fees.plan)));
  // Every energy category has money in it for the demo (paid swaps beyond the plan, paid charging).
  expect(BigInt(fees.swaps)).toBeGreaterThan(0n);
  expect(BigInt(fees.charging)).toBeGreaterThan(0n);
  if (demoVehicle.batteryRental) expect(BigInt(fees.plan)).toBeGreaterThan(0n);
});

test('every battery-rental vehicle has one active subscription; owned-battery vehicles none', async () => {
  const rentals = world.read(ORDERS.vehicles).filter((v) => v.batteryRental).map((v) => v.vin);
  const subs = await g.db.query<{ vin: string; status: string }>(`SELECT vin, status FROM energy.battery_subscriptions`);
  expect(subs.map((s) => s.vin).sort()).toEqual([...rentals].sort());
  expect(subs.every((s) => s.status === 'ACTIVE')).toBe(true);
});

test("seeded swaps follow the plan's rules: included swaps first, then the per-swap fee; no plan, the standard fee", async () => {
  // Per subscription and month: never more covered swaps than included, and a paid swap only once all were used.
  const broken = await g.db.query(
    `SELECT s.subscription_id, to_char(s.swapped_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
            count(*) FILTER (WHERE s.covered_by_plan) AS covered, count(*) FILTER (WHERE NOT s.covered_by_plan) AS paid, p.included_swaps_per_month AS included
       FROM energy.swap_sessions s
       JOIN energy.battery_subscriptions b ON b.id = s.subscription_id
       JOIN energy.battery_plans p ON p.id = b.plan_id
      GROUP BY 1, 2, p.included_swaps_per_month
     HAVING count(*) FILTER (WHERE s.covered_by_plan) > p.included_swaps_per_month
         OR (count(*) FILTER (WHERE NOT s.covered_by_plan) > 0 AND count(*) FILTER (WHERE s.covered_by_plan) < p.included_swaps_per_month)`,
  );
  expect(broken).toEqual([]);
  const wrongFee = await one(
    `SELECT count(*)::text AS n FROM energy.swap_sessions s
       LEFT JOIN energy.battery_subscriptions b ON b.id = s.subscription_id
       LEFT JOIN energy.battery_plans p ON p.id = b.plan_id
      WHERE (s.covered_by_plan AND s.fee_fen <> 0)
         OR (NOT s.covered_by_plan AND s.subscription_id IS NOT NULL AND s.fee_fen <> p.per_swap_fee_fen)
         OR (s.subscription_id IS NULL AND s.fee_fen <> 9900)`,
  );
  expect(wrongFee.n).toBe('0');
  const counts = await one(`SELECT count(*) FILTER (WHERE fee_fen > 0 AND subscription_id IS NOT NULL)::text AS over, count(*)::text AS total FROM energy.swap_sessions`);
  expect(Number(counts.total)).toBeGreaterThan(0);
  expect(Number(counts.over)).toBeGreaterThan(0); // some drivers swap more than their plan includes
});

test('owners of a swap-capable car with their own battery swap too, without a plan at the standard fee; cars that cannot swap never do', async () => {
  const trims = new Map(world.read(TRIMS).map((t) => [t.id, t]));
  const ownedSwapping = world.read(ORDERS.vehicles).filter((v) => !v.batteryRental && trims.get(v.trimId)!.swapCapable);
  // Nobody's, the demo driver's included: a seeded swap is one recordSwap would accept.
  const cannotSwap = world.read(ORDERS.vehicles).filter((v) => !trims.get(v.trimId)!.swapCapable);
  expect(ownedSwapping.length).toBeGreaterThan(3);
  expect(cannotSwap.length).toBeGreaterThan(3);
  const perVehicle = await g.db.query<{ vin: string; user_id: string; swaps: string; standard: string }>(
    `SELECT vin, min(user_id) AS user_id, count(*)::text AS swaps,
            count(*) FILTER (WHERE subscription_id IS NULL AND NOT covered_by_plan AND fee_fen = $2)::text AS standard
       FROM energy.swap_sessions WHERE vin = ANY($1) GROUP BY vin`,
    [ownedSwapping.map((v) => v.vin), STANDARD_SWAP_FEE_FEN.toString()],
  );
  // 0 to 3 swaps a month: all but the most recently delivered have swapped.
  expect(perVehicle.length / ownedSwapping.length).toBeGreaterThan(0.6);
  for (const v of perVehicle) expect(v.standard).toBe(v.swaps);
  const none = await one(`SELECT count(*)::text AS n FROM energy.swap_sessions WHERE vin = ANY($1)`, [cannotSwap.map((v) => v.vin)]);
  expect(none.n).toBe('0');

  // Through the gateway the owner sees those swaps, each a 99.00 BATTERY_SWAP line of their spending.
  const busiest = [...perVehicle].sort((a, b) => Number(b.swaps) - Number(a.swaps))[0];
  const r = await g.gql(
    `{ me { swapSessions(first: 100) { edges { node { fee { amount } coveredByPlan vehicle { vin } } } } spending { byCategory { category total { amount } } } } }`,
    {},
    as.customer(busiest.user_id),
  );
  expect(r.errors).toBeUndefined();
  const swaps = r.data.me.swapSessions.edges.map((e: any) => e.node).filter((n: any) => n.vehicle.vin === busiest.vin);
  expect(swaps).toHaveLength(Math.min(100, Number(busiest.swaps)));
  expect(swaps.every((n: any) => n.fee.amount === formatFen(STANDARD_SWAP_FEE_FEN) && !n.coveredByPlan)).toBe(true);
  const swapTotal = r.data.me.spending.byCategory.find((c: any) => c.category === 'BATTERY_SWAP').total.amount;
  const [all] = await g.db.query<{ total: string }>(`SELECT sum(fee_fen)::text AS total FROM energy.swap_sessions WHERE user_id = $1`, [busiest.user_id]);
  expect(swapTotal).toBe(formatFen(BigInt(all.total)));
});

test('the fast load leaves every foreign key and index of the migration in place, and they hold', async () => {
  const indexes = await g.db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'energy' ORDER BY indexname`);
  expect(indexes.map((i) => i.indexname)).toEqual(
    expect.arrayContaining(['swap_sessions_user_idx', 'swap_sessions_station_idx', 'charging_sessions_user_idx', 'subscription_charges_sub_idx', 'battery_subscriptions_one_active_per_vin']),
  );
  const fks = await g.db.query<{ conname: string }>(
    `SELECT conname FROM pg_constraint WHERE connamespace = 'energy'::regnamespace AND contype = 'f' ORDER BY conname`,
  );
  expect(fks.map((f) => f.conname)).toEqual(['battery_subscriptions_plan_id_fkey', 'charging_sessions_charger_id_fkey', 'subscription_charges_subscription_id_fkey', 'swap_sessions_station_id_fkey', 'swap_sessions_subscription_id_fkey']);
  const vin = world.read(ORDERS.vehicles)[0].vin;
  await expect(
    g.db.tx((q) =>
      q.query(
        `INSERT INTO energy.swap_sessions (id, station_id, vin, user_id, swapped_at, fee_fen, covered_by_plan, state_of_charge_before, state_of_charge_after, recorded_by)
         VALUES ('swp-fk-probe', 'stn-nowhere', $1, 'u', $2, 9900, false, 10, 90, 'test')`,
        [vin, SEED_NOW],
      ),
    ),
  ).rejects.toThrow(/foreign key/);
});

test('everything happened before the seed clock, and after the vehicle was delivered', async () => {
  const late = await one(
    `SELECT (SELECT count(*) FROM energy.swap_sessions WHERE swapped_at >= $1)
          + (SELECT count(*) FROM energy.charging_sessions WHERE ended_at >= $1)
          + (SELECT count(*) FROM energy.subscription_charges WHERE charged_at >= $1) AS n`,
    [SEED_NOW],
  );
  expect(Number(late.n)).toBe(0);
  const delivered = new Map(world.read(ORDERS.vehicles).map((v) => [v.vin, v.deliveredAt.getTime()]));
  const firsts = await g.db.query<{ vin: string; first: Date }>(
    `SELECT vin, min(at) AS first FROM (SELECT vin, swapped_at AS at FROM energy.swap_sessions UNION ALL SELECT vin, started_at FROM energy.charging_sessions) e GROUP BY vin`,
  );
  for (const f of firsts) expect(new Date(f.first).getTime()).toBeGreaterThanOrEqual(delivered.get(f.vin)!);
});

test('the spending view holds exactly the events that cost money, once each', async () => {
  const view = await one(`SELECT count(*)::text AS n, coalesce(sum(amount_fen), 0)::text AS total, count(DISTINCT line_id)::text AS ids FROM energy.spending_lines`);
  const paid = await one(
    `SELECT ((SELECT count(*) FROM energy.swap_sessions WHERE fee_fen > 0) + (SELECT count(*) FROM energy.charging_sessions WHERE fee_fen > 0)
             + (SELECT count(*) FROM energy.subscription_charges WHERE amount_fen > 0))::text AS n,
            ((SELECT coalesce(sum(fee_fen), 0) FROM energy.swap_sessions) + (SELECT coalesce(sum(fee_fen), 0) FROM energy.charging_sessions)
             + (SELECT coalesce(sum(amount_fen), 0) FROM energy.subscription_charges))::text AS total`,
  );
  expect(view.n).toBe(paid.n);
  expect(view.ids).toBe(view.n);
  expect(view.total).toBe(paid.total);
});

test("every seeded charging session was charged on one of its network's chargers, whose name is its location", async () => {
  const perNetwork = await g.db.query<{ network_org: string; n: string }>(`SELECT network_org, count(*)::text AS n FROM energy.chargers GROUP BY 1 ORDER BY 1`);
  expect(perNetwork.map((r) => r.network_org)).toEqual(['star-charge', 'state-grid', 'teld']);
  const wrong = await one(
    `SELECT count(*)::text AS n FROM energy.charging_sessions s LEFT JOIN energy.chargers c ON c.id = s.charger_id
      WHERE c.id IS NULL OR c.network_org <> s.network_org OR c.name <> s.location`,
  );
  expect(wrong.n).toBe('0');
  expect(Number((await one(`SELECT count(*)::text AS n FROM energy.charging_sessions`)).n)).toBeGreaterThan(0);
});
