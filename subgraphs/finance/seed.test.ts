/**
 * The finance seed stage on its own schema (no graph needed), on a synthetic world shaped like the
 * orders seed's output: loans for financed orders with every past-due instalment paid, yearly policies
 * per vehicle, the demo user's guaranteed activity, timestamps before "now", determinism, and speed at
 * 10,000 users.
 */
import { join } from 'node:path';
import { openTestDb } from '../../testing/harness';
import type { Db } from '../../platform/db';
import { migrateSchema } from '../../platform/migrations';
import { seedId } from '../kit/ids';
import { addDays, DEMO_USER, Rng, SEED_NOW, SeedWorld, seedUsers } from '../kit/seed';
import { runSeedStages } from '../../testing/seed';
import { allProducts } from './data/insurance';
import { planFinanceSeed, seedFinance } from './seed';
import { ORDERS, type DeliveredVehicle, type SeededOrder } from './seed-facts';

const USERS = 10_000;

/**
 * A world like the orders seed hands over: about one order per user, 70% financed, 80% delivered;
 * `withoutDemoUser` leaves the demo user out.
 */
function syntheticWorld(userCount: number, seed: number, { withoutDemoUser = false } = {}): SeedWorld {
  const rng = new Rng(seed);
  const users = seedUsers(userCount);
  const orders: SeededOrder[] = [];
  const vehicles: DeliveredVehicle[] = [];
  users.forEach((userId, i) => {
    const isDemo = userId === DEMO_USER;
    const placedAt = isDemo ? new Date('2024-03-10T10:00:00.000Z') : addDays(SEED_NOW, -rng.int(20, 1500));
    const totalFen = BigInt(rng.int(6_980_000, 10_180_000));
    const financed = isDemo || rng.chance(0.7);
    const delivered = isDemo || rng.chance(0.8);
    const deliveredAt = delivered ? addDays(placedAt, 20) : null;
    const vin = delivered ? `LGBH52E05PY${String(i).padStart(6, '0')}` : null;
    if (isDemo && withoutDemoUser) return;
    orders.push({ id: seedId('ord', i + 1), userId, financedFen: financed ? totalFen - 2_000_000n : 0n, placedAt });
    if (vin && deliveredAt && deliveredAt < SEED_NOW) vehicles.push({ vin, ownerId: userId, deliveredAt });
  });
  const world = new SeedWorld({ rng: new Rng(seed + 1), users });
  world.publish(ORDERS.orders, orders);
  world.publish(ORDERS.vehicles, vehicles);
  return world;
}

let db: Db;
let drop: () => Promise<void>;
let world: SeedWorld;
let seedStatements = 0;

beforeAll(async () => {
  ({ db, drop } = await openTestDb());
  await migrateSchema(db, { schema: 'finance', dir: join(__dirname, 'migrations') });
  world = syntheticWorld(USERS, 11);
  const before = db.statementCount;
  await seedFinance(db, world);
  seedStatements = db.statementCount - before;
}, 180_000);

afterAll(async () => {
  await drop?.();
});

test('seeds 10,000 users in a few multi-row statements', () => {
  expect(seedStatements).toBeLessThan(200);
});

test('every financed order placed long enough ago has one loan, for exactly its financed amount', async () => {
  const financed = world.read(ORDERS.orders).filter((o) => o.financedFen > 0n);
  const rows = await db.query<{ order_id: string; principal_fen: string }>(`SELECT order_id, principal_fen FROM finance.loans`);
  const byOrder = new Map(rows.map((r) => [r.order_id, BigInt(r.principal_fen)]));
  expect(rows.length).toBeGreaterThan(financed.length * 0.95);
  for (const o of financed) if (byOrder.has(o.id)) expect(byOrder.get(o.id)).toBe(o.financedFen);
  expect(world.read(ORDERS.orders).filter((o) => o.financedFen === 0n).some((o) => byOrder.has(o.id))).toBe(false);
});

test('schedules add up: per loan, principal parts sum to the principal and each amount is principal + interest', async () => {
  const bad = await db.query(
    `SELECT l.id FROM finance.loans l JOIN finance.instalments i ON i.loan_id = l.id
      GROUP BY l.id, l.principal_fen, l.term_months
     HAVING sum(i.principal_fen) <> l.principal_fen OR count(*) <> l.term_months OR bool_or(i.amount_fen <> i.principal_fen + i.interest_fen)`,
  );
  expect(bad).toEqual([]);
});

test('instalments due before now are paid (on or a few days before the due date), later ones are due, and a fully paid loan is PAID_OFF', async () => {
  const [r] = await db.query<{ wrong_paid: string; wrong_due: string; early: string; wrong_status: string }>(
    `SELECT count(*) FILTER (WHERE i.status = 'PAID' AND (i.due_at >= $1 OR i.paid_at > i.due_at OR i.paid_at < l.opened_at)) AS wrong_paid,
            count(*) FILTER (WHERE i.status = 'DUE' AND i.due_at < $1) AS wrong_due,
            count(*) FILTER (WHERE i.status = 'PAID' AND i.paid_at < i.due_at - interval '4 days') AS early,
            (SELECT count(*) FROM finance.loans x
              WHERE (x.status = 'PAID_OFF') <> NOT EXISTS (SELECT 1 FROM finance.instalments y WHERE y.loan_id = x.id AND y.status = 'DUE')) AS wrong_status
       FROM finance.instalments i JOIN finance.loans l ON l.id = i.loan_id`,
    [SEED_NOW],
  );
  expect(r).toEqual({ wrong_paid: '0', wrong_due: '0', early: '0', wrong_status: '0' });
});

test('every vehicle has compulsory cover for every year since delivery, commercial in about 70% of years, at the product premium', async () => {
  const [r] = await db.query<{ vehicles: string; compulsory_years: string; commercial_share: string; wrong_premium: string }>(
    `SELECT count(DISTINCT p.vin) AS vehicles,
            count(*) FILTER (WHERE pr.kind = 'COMPULSORY') AS compulsory_years,
            round(100.0 * count(*) FILTER (WHERE pr.kind = 'COMMERCIAL') / count(*) FILTER (WHERE pr.kind = 'COMPULSORY'))::text AS commercial_share,
            count(*) FILTER (WHERE p.premium_fen <> pr.annual_premium_fen) AS wrong_premium
       FROM finance.insurance_policies p JOIN finance.insurance_products pr ON pr.id = p.product_id`,
  );
  expect(Number(r.vehicles)).toBe(world.read(ORDERS.vehicles).length);
  const expectedYears = world.read(ORDERS.vehicles).reduce((n, v) => {
    let years = 0;
    for (let y = 0; ; y++) {
      const start = new Date(v.deliveredAt);
      start.setUTCFullYear(start.getUTCFullYear() + y);
      if (start >= SEED_NOW) break;
      years++;
    }
    return n + years;
  }, 0);
  expect(Number(r.compulsory_years)).toBe(expectedYears);
  expect(Number(r.commercial_share)).toBeGreaterThanOrEqual(65);
  expect(Number(r.commercial_share)).toBeLessThanOrEqual(75);
  expect(r.wrong_premium).toBe('0');
});

test('no timestamp is at or after the seed clock, except instalments and cover still to come', async () => {
  const [r] = await db.query<{ n: string }>(
    `SELECT ((SELECT count(*) FROM finance.loans WHERE opened_at >= $1 OR paid_off_at >= $1)
           + (SELECT count(*) FROM finance.instalments WHERE paid_at >= $1)
           + (SELECT count(*) FROM finance.insurance_policies WHERE purchased_at >= $1 OR starts_at >= $1))::text AS n`,
    [SEED_NOW],
  );
  expect(r.n).toBe('0');
});

test(`${DEMO_USER} has a loan with paid instalments and insurance, so every demo screen has finance lines`, async () => {
  const [r] = await db.query<{ paid: string; policies: string }>(
    `SELECT (SELECT count(*) FROM finance.spending_lines WHERE user_id = $1 AND category = 'LOAN_INSTALMENT')::text AS paid,
            (SELECT count(*) FROM finance.spending_lines WHERE user_id = $1 AND category = 'INSURANCE')::text AS policies`,
    [DEMO_USER],
  );
  expect(Number(r.paid)).toBeGreaterThan(12);
  expect(Number(r.policies)).toBeGreaterThan(2);
});

test('the same world gives the same rows (deterministic from world.rng)', async () => {
  const products = await allProducts(db);
  const a = planFinanceSeed(syntheticWorld(300, 5), products);
  const b = planFinanceSeed(syntheticWorld(300, 5), products);
  expect(a).toEqual(b);
  expect(a.loans.length).toBeGreaterThan(0);
});

test('the seed refuses a world whose demo user has nothing to finance, naming what the orders seed must provide', async () => {
  const w = syntheticWorld(3, 9, { withoutDemoUser: true });
  await expect(seedFinance(db, w)).rejects.toThrow(/demo-driver needs a financed order/);
});

describe('after the real catalog and orders stages', () => {
  let chainDb: Db;
  let dropChain: () => Promise<void>;
  let chainWorld: SeedWorld;

  beforeAll(async () => {
    ({ db: chainDb, drop: dropChain } = await openTestDb());
    for (const name of ['catalog', 'orders', 'finance']) await migrateSchema(chainDb, { schema: name, dir: join(__dirname, '..', name, 'migrations') });
    chainWorld = new SeedWorld({ rng: new Rng(20251111), users: seedUsers(500) });
    await runSeedStages(chainDb, chainWorld, ['catalog', 'orders']);
    await seedFinance(chainDb, chainWorld);
  }, 120_000);

  afterAll(async () => {
    await dropChain?.();
  });

  test(`every financed order the orders stage handed over has its loan, every vehicle its cover, and ${DEMO_USER} has paid instalments and policies`, async () => {
    const financed = chainWorld.read(ORDERS.orders).filter((o) => o.financedFen > 0n);
    expect(financed.length).toBeGreaterThan(0);
    const [r] = await chainDb.query<{ loans: string; insured: string; demo_paid: string; demo_policies: string }>(
      `SELECT (SELECT count(*) FROM finance.loans)::text AS loans,
              (SELECT count(DISTINCT vin) FROM finance.insurance_policies)::text AS insured,
              (SELECT count(*) FROM finance.instalments i JOIN finance.loans l ON l.id = i.loan_id WHERE l.user_id = $1 AND i.status = 'PAID')::text AS demo_paid,
              (SELECT count(*) FROM finance.insurance_policies WHERE user_id = $1)::text AS demo_policies`,
      [DEMO_USER],
    );
    // Orders places every seeded order at least 45 days before now, so each financed one has had its contract signed.
    expect(Number(r.loans)).toBe(financed.length);
    expect(Number(r.insured)).toBe(chainWorld.read(ORDERS.vehicles).length);
    expect(Number(r.demo_paid)).toBeGreaterThan(0);
    expect(Number(r.demo_policies)).toBeGreaterThan(0);
  });
});
