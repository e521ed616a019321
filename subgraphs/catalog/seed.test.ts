/**
 * The catalog seed stage on its own schema (no graph needed): what it hands the orders seed, the share
 * of users who respond, the demo user's guaranteed preference, timestamps before SEED_NOW, and speed
 * at 10,000 users.
 */
import { join } from 'node:path';
import { openTestDb } from '../../gateway/testing';
import { migrate, type Db } from '../kit/db';
import { DEMO_USER, Rng, SEED_NOW, seedUsers, type SeedWorld } from '../kit/seed';
import { seedCatalog } from './index';

const USERS = 10_000;
let db: Db;
let drop: () => Promise<void>;
let world: SeedWorld;
let seedMs = 0;
let seedStatements = 0;

const emptyWorld = (users: string[]): SeedWorld => ({
  rng: new Rng(7),
  users,
  now: SEED_NOW,
  catalog: { trims: [], colourIds: [], packageIds: [], accessoryIds: [] },
  orders: { orders: [], vehicles: [] },
});

beforeAll(async () => {
  ({ db, drop } = await openTestDb());
  await migrate(db, 'catalog', join(__dirname, 'migrations'));
  world = emptyWorld(seedUsers(USERS));
  const before = db.statementCount;
  const started = Date.now();
  await seedCatalog(db, world);
  seedMs = Date.now() - started;
  seedStatements = db.statementCount - before;
});

afterAll(async () => {
  await drop?.();
});

describe('seedCatalog', () => {
  it('fills world.catalog with the available trims (price, rental flag, manufacturer) and every colour, package and accessory id', async () => {
    const { trims, colourIds, packageIds, accessoryIds } = world.catalog;
    expect(trims.length).toBe(7);
    expect(trims.find((t) => t.id === 'trim-ut-swap-420-rental')).toEqual({
      id: 'trim-ut-swap-420-rental',
      modelId: 'model-aion-ut',
      name: '420 Swap, battery rental',
      guidePriceFen: 6_980_000n,
      batteryRental: true,
      manufacturerOrg: 'gac-aion',
    });
    for (const t of trims.filter((t) => t.modelId === 'model-aion-ut')) {
      expect(t.guidePriceFen >= 6_980_000n && t.guidePriceFen <= 10_180_000n).toBe(true);
    }
    expect(colourIds).toHaveLength(6);
    expect(packageIds).toEqual(['pkg-standard', 'pkg-custom-car-cover', 'pkg-accessory-assembly', 'pkg-maintenance-enhanced']);
    expect(accessoryIds).toHaveLength(15);
    const [counts] = await db.query<{ trims: string; colours: string; accessories: string }>(
      `SELECT (SELECT count(*) FROM catalog.trims)::text AS trims, (SELECT count(*) FROM catalog.colours)::text AS colours,
              (SELECT count(*) FROM catalog.accessories)::text AS accessories`,
    );
    expect(counts).toEqual({ trims: '8', colours: '6', accessories: '15' });
  });

  it('gives about 30% of users a preference, the demo user always, all stated before SEED_NOW', async () => {
    const [row] = await db.query<{ respondents: string; demo: string; latest: Date; bad_updates: string }>(
      `SELECT count(DISTINCT user_id)::text AS respondents,
              count(*) FILTER (WHERE user_id = $1)::text AS demo,
              max(updated_at) AS latest,
              count(*) FILTER (WHERE updated_at < created_at)::text AS bad_updates
         FROM catalog.preferences`,
      [DEMO_USER],
    );
    const share = Number(row.respondents) / USERS;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
    expect(row.demo).toBe('1');
    expect(new Date(row.latest).getTime()).toBeLessThan(SEED_NOW.getTime());
    expect(row.bad_updates).toBe('0');
  });

  it('writes 10,000 users in a handful of batched statements, fast', () => {
    expect(seedStatements).toBeLessThan(20);
    expect(seedMs).toBeLessThan(15_000);
  });

  it('is deterministic: the same rng seed yields the same preferences', async () => {
    const sample = await db.query<{ id: string; user_id: string; price: string; features: string[] }>(
      `SELECT id, user_id, price_expectation_fen::text AS price, features FROM catalog.preferences ORDER BY id LIMIT 50`,
    );
    const again = await openTestDb();
    try {
      await migrate(again.db, 'catalog', join(__dirname, 'migrations'));
      await seedCatalog(again.db, emptyWorld(seedUsers(USERS)));
      const sample2 = await again.db.query(`SELECT id, user_id, price_expectation_fen::text AS price, features FROM catalog.preferences ORDER BY id LIMIT 50`);
      expect(sample2).toEqual(sample);
    } finally {
      await again.drop();
    }
  });
});
