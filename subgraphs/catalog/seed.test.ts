/**
 * The catalog seed stage on its own schema (no graph needed): what it hands the orders seed, the share
 * of users who respond, the demo user's guaranteed preference, timestamps before SEED_NOW, and speed
 * at 10,000 users.
 */
import { join } from 'node:path';
import { openTestDb } from '../../testing/harness';
import type { Db } from '../../platform/db';
import { migrateSchema } from '../../platform/migrations';
import { DEMO_USER, Rng, SEED_NOW, SeedWorld, seedUsers } from '../kit/seed';
import { seedCatalog } from './seed';
import { CATALOG_FACTS } from './seed/facts';

const USERS = 10_000;
let db: Db;
let drop: () => Promise<void>;
let world: SeedWorld;
let seedStatements = 0;

const emptyWorld = (users: string[]) => new SeedWorld({ rng: new Rng(7), users });

/** Everything the stage published for the stages after it. */
const published = (w: SeedWorld) => ({
  trims: w.read(CATALOG_FACTS.trims),
  colours: w.read(CATALOG_FACTS.colours),
  packages: w.read(CATALOG_FACTS.packages),
  standardPackageId: w.read(CATALOG_FACTS.standardPackageId),
  accessories: w.read(CATALOG_FACTS.accessories),
});

beforeAll(async () => {
  ({ db, drop } = await openTestDb());
  await migrateSchema(db, { schema: 'catalog', dir: join(__dirname, 'migrations') });
  world = emptyWorld(seedUsers(USERS));
  const before = db.statementCount;
  await seedCatalog(db, world);
  seedStatements = db.statementCount - before;
});

afterAll(async () => {
  await drop?.();
});

describe('seedCatalog', () => {
  it('publishes the available trims (model name, price, rental and swap flags, manufacturer)', async () => {
    const { trims } = published(world);
    expect(trims.length).toBe(7);
    expect(trims.find((t) => t.id === 'trim-ut-swap-420-rental')).toEqual({
      id: 'trim-ut-swap-420-rental',
      modelId: 'model-aion-ut',
      modelName: 'Aion UT',
      name: '420 Swap, battery rental',
      guidePriceFen: 6_980_000n,
      batteryRental: true,
      swapCapable: true,
      manufacturerOrg: 'gac-aion',
      packageIds: ['pkg-standard', 'pkg-custom-car-cover', 'pkg-accessory-assembly', 'pkg-maintenance-enhanced'],
    });
    for (const t of trims.filter((t) => t.modelId === 'model-aion-ut')) {
      expect(t.guidePriceFen >= 6_980_000n && t.guidePriceFen <= 10_180_000n).toBe(true);
    }
    // Owned-battery swap versions exist (they pay per swap), and every rental trim swaps.
    expect(trims.filter((t) => t.swapCapable && !t.batteryRental).map((t) => t.id)).toEqual(['trim-ut-swap-420', 'trim-ut-swap-500']);
    expect(trims.filter((t) => t.batteryRental).every((t) => t.swapCapable)).toBe(true);
    // The same values as the rows written: what a quote reads is what the orders seed prices with.
    const rows = await db.query<{ id: string; model_id: string; model_name: string; name: string; price: string; rental: boolean; swap: boolean; org: string; packages: string[] }>(
      `SELECT t.id, t.model_id, m.name AS model_name, t.name, t.guide_price_fen::text AS price, t.battery_option = 'RENTAL' AS rental, t.swap_capable AS swap,
              m.manufacturer_org AS org,
              (SELECT array_agg(p.id ORDER BY p.sort_order, p.id) FROM catalog.trim_packages tp JOIN catalog.packages p ON p.id = tp.package_id WHERE tp.trim_id = t.id) AS packages
         FROM catalog.trims t JOIN catalog.vehicle_models m ON m.id = t.model_id WHERE t.available ORDER BY t.sort_order`,
    );
    expect(trims).toEqual(
      rows.map((r) => ({
        id: r.id, modelId: r.model_id, modelName: r.model_name, name: r.name, guidePriceFen: BigInt(r.price), batteryRental: r.rental, swapCapable: r.swap, manufacturerOrg: r.org,
        packageIds: r.packages,
      })),
    );
    // Every trim is offered with the STANDARD package; the Nammi is not offered with the UT's accessory assembly.
    expect(trims.every((t) => t.packageIds.includes('pkg-standard'))).toBe(true);
    expect(trims.find((t) => t.id === 'trim-nammi-330')?.packageIds).not.toContain('pkg-accessory-assembly');
    const [counts] = await db.query<{ trims: string }>(`SELECT count(*)::text AS trims FROM catalog.trims`);
    expect(counts.trims).toBe('8'); // the discontinued trim is written but not handed on
  });

  it('hands on every colour, package and accessory with the name and price written, and the STANDARD package', async () => {
    const { colours, packages, accessories, standardPackageId } = published(world);
    const dbColours = await db.query<{ id: string; name: string; fen: string }>(`SELECT id, name, surcharge_fen::text AS fen FROM catalog.colours ORDER BY sort_order`);
    expect(colours).toEqual(dbColours.map((c) => ({ id: c.id, name: c.name, surchargeFen: BigInt(c.fen) })));
    expect(colours.find((c) => c.id === 'colour-lake-blue')).toEqual({ id: 'colour-lake-blue', name: 'Lake Blue', surchargeFen: 150_000n });
    const dbPackages = await db.query<{ id: string; code: string; name: string; fen: string; services: number; years: number; allowance: string; fitted: string[] }>(
      `SELECT id, code, name, price_fen::text AS fen, maintenance_services AS services, maintenance_years AS years, maintenance_allowance_fen::text AS allowance, fitted_items AS fitted FROM catalog.packages ORDER BY sort_order`,
    );
    expect(packages).toEqual(
      dbPackages.map((p) => ({ id: p.id, code: p.code, name: p.name, priceFen: BigInt(p.fen), maintenanceServices: p.services, maintenanceYears: p.years, maintenanceAllowanceFen: BigInt(p.allowance), fittedItems: p.fitted })),
    );
    expect(packages.map((p) => p.code)).toEqual(['STANDARD', 'CUSTOM_CAR_COVER', 'ACCESSORY_ASSEMBLY', 'MAINTENANCE_ENHANCED']);
    expect(standardPackageId).toBe(dbPackages.find((p) => p.code === 'STANDARD')!.id);
    expect(packages.find((p) => p.id === standardPackageId)!.priceFen).toBe(0n);
    const dbAccessories = await db.query<{ id: string; name: string; fen: string }>(`SELECT id, name, price_fen::text AS fen FROM catalog.accessories`);
    expect([...accessories].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      dbAccessories.map((a) => ({ id: a.id, name: a.name, priceFen: BigInt(a.fen) })).sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(accessories).toHaveLength(15);
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

  it('writes 10,000 users in a handful of batched statements', () => {
    expect(seedStatements).toBeLessThan(20);
  });

  it('is deterministic: the same rng seed yields the same preferences', async () => {
    const sample = await db.query<{ id: string; user_id: string; price: string; features: string[] }>(
      `SELECT id, user_id, price_expectation_fen::text AS price, features FROM catalog.preferences ORDER BY id LIMIT 50`,
    );
    const again = await openTestDb();
    try {
      await migrateSchema(again.db, { schema: 'catalog', dir: join(__dirname, 'migrations') });
      await seedCatalog(again.db, emptyWorld(seedUsers(USERS)));
      const sample2 = await again.db.query(`SELECT id, user_id, price_expectation_fen::text AS price, features FROM catalog.preferences ORDER BY id LIMIT 50`);
      expect(sample2).toEqual(sample);
    } finally {
      await again.drop();
    }
  });
});
