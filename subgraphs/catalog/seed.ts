/**
 * The catalog seed: the fixed catalog (`seed/fixed-catalog.ts`) and generated preferences from about
 * 30% of users, deterministic from `world.rng`; publishes the catalog (`seed/facts.ts`) for the stages
 * after it.
 */
import { DEMO_USER, addDays, type SeedStage, type Rng } from '../kit/seed';
import { seedId } from '../kit/ids';
import type { BulkColumns } from '../kit/bulk';
import type { BulkWriter } from '../kit/bulk-writer';
import type { BatteryOption } from './data/models';
import { SEED_ACCESSORIES, SEED_COLOURS, SEED_MODELS, SEED_PACKAGES, SEED_TRIMS, seedOfferedPackageIds, yuan } from './seed/fixed-catalog';
import { CATALOG_FACTS, type SeedTrim } from './seed/facts';

/** Wished-for features respondents pick from (already normalised, as `statePreference` stores them). */
const FEATURE_POOL = [
  'battery swap',
  'heated seats',
  'wireless phone charging',
  'adaptive cruise control',
  '360 camera',
  'large boot',
  'vehicle-to-load outlet',
  'panoramic sunroof',
  'over-the-air updates',
  'voice assistant',
  'heat pump',
  'rear air vents',
  'child seat anchors',
  'fast charging',
];
const RANGE_CHOICES = [250, 300, 330, 350, 400, 420, 450, 500, 550, 600];
/** Share of users (besides the demo user, who always has one) who state a preference. */
const RESPONDENT_SHARE = 0.3;

/** The demo user's preference, fixed so the README's example shows known values. */
const DEMO_PREFERENCE = {
  modelId: 'model-aion-ut',
  colourId: 'colour-lake-blue',
  minRangeKm: 400,
  batteryOption: 'RENTAL' as BatteryOption,
  priceFen: yuan(75_000),
  features: ['battery swap', 'heated seats', 'wireless phone charging'],
};

/** Each model's band of expected prices, in yuan (respondents cluster around the guide prices). */
const PRICE_BANDS: Record<string, [number, number]> = { 'model-aion-ut': [55_000, 105_000], 'model-nammi-01': [50_000, 90_000] };

function pickFeatures(rng: Rng): string[] {
  const n = rng.int(0, 4);
  const out: string[] = [];
  while (out.length < n) {
    const f = rng.pick(FEATURE_POOL);
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

/** Columns of the preferences table, in the order the seed's rows give them. */
const PREFERENCE_COLUMNS: BulkColumns = [
  ['id', 'text'], ['user_id', 'text'], ['model_id', 'text'], ['colour_id', 'text'], ['min_range_km', 'integer'], ['battery_option', 'text'],
  ['price_expectation_fen', 'bigint'], ['features', 'text[]'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
];

/** Declares the fixed catalog's tables on `writer` (models before the trims that name them) and adds their rows. */
function addFixedCatalog(writer: BulkWriter, now: Date): void {
  const add = (table: string, columns: BulkColumns, rows: unknown[][]) => {
    const t = writer.table(table, columns);
    for (const row of rows) t.add(row);
  };
  add(
    'catalog.vehicle_models',
    [['id', 'text'], ['name', 'text'], ['manufacturer_org', 'text'], ['segment', 'text'], ['description', 'text'], ['created_at', 'timestamptz']],
    SEED_MODELS.map((m) => [m.id, m.name, m.manufacturerOrg, m.segment, m.description, addDays(now, -400)]),
  );
  add(
    'catalog.trims',
    [
      ['id', 'text'], ['model_id', 'text'], ['name', 'text'], ['guide_price_fen', 'bigint'], ['range_km', 'integer'], ['battery_kwh', 'numeric'],
      ['battery_option', 'text'], ['swap_capable', 'boolean'], ['battery_rental_monthly_fen', 'bigint'], ['available', 'boolean'], ['sort_order', 'integer'],
    ],
    SEED_TRIMS.map((t, i) => [t.id, t.modelId, t.name, yuan(t.guidePrice), t.rangeKm, t.batteryKwh, t.batteryOption, t.swapCapable, t.rentalMonthly === null ? null : yuan(t.rentalMonthly), t.available, i * 10]),
  );
  add(
    'catalog.colours',
    [['id', 'text'], ['name', 'text'], ['hex', 'text'], ['surcharge_fen', 'bigint'], ['sort_order', 'integer']],
    SEED_COLOURS.map((c, i) => [c.id, c.name, c.hex, yuan(c.surcharge), i * 10]),
  );
  add(
    'catalog.packages',
    [
      ['id', 'text'], ['code', 'text'], ['name', 'text'], ['description', 'text'], ['price_fen', 'bigint'], ['includes', 'text[]'], ['sort_order', 'integer'],
      ['maintenance_services', 'integer'], ['maintenance_years', 'integer'], ['maintenance_allowance_fen', 'bigint'], ['fitted_items', 'text[]'],
    ],
    SEED_PACKAGES.map((p, i) => [p.id, p.code, p.name, p.description, yuan(p.price), p.includes, i * 10, p.maintenance?.services ?? 0, p.maintenance?.years ?? 0, yuan(p.maintenance?.allowance ?? 0), p.fittedItems]),
  );
  add(
    'catalog.trim_packages',
    [['trim_id', 'text'], ['package_id', 'text']],
    SEED_TRIMS.flatMap((t) => seedOfferedPackageIds(t.id).map((packageId) => [t.id, packageId])),
  );
  add(
    'catalog.accessories',
    [['id', 'text'], ['name', 'text'], ['category', 'text'], ['price_fen', 'bigint']],
    SEED_ACCESSORIES.map((a) => [a.id, a.name, a.category, yuan(a.price)]),
  );
}

export const seedCatalog: SeedStage = async (db, world) => {
  const { rng, now } = world;
  await db.tx(async (q) => {
    const writer = world.writer(q, { stage: 'catalog', units: world.users.length, unit: 'users' });
    addFixedCatalog(writer, now);
    const preferences = writer.table('catalog.preferences', PREFERENCE_COLUMNS);
    let prefN = 0;
    const addPreference = (userId: string, p: { modelId: string; colourId: string | null; minRangeKm: number | null; batteryOption: BatteryOption | null; priceFen: bigint; features: string[] }, createdAt: Date, updatedAt: Date) => {
      preferences.add([seedId('pref', ++prefN), userId, p.modelId, p.colourId, p.minRangeKm, p.batteryOption, p.priceFen, p.features, createdAt, updatedAt]);
    };

    for (const userId of world.users) {
      await writer.tick(); // the previous user is done
      if (userId === DEMO_USER) {
        const at = addDays(now, -45);
        addPreference(userId, DEMO_PREFERENCE, at, at);
        continue;
      }
      if (!rng.chance(RESPONDENT_SHARE)) continue;
      const first = rng.chance(0.85) ? 'model-aion-ut' : 'model-nammi-01';
      const models = rng.chance(0.15) ? [first, first === 'model-aion-ut' ? 'model-nammi-01' : 'model-aion-ut'] : [first];
      for (const modelId of models) {
        const [lo, hi] = PRICE_BANDS[modelId];
        // Whole hundreds of yuan, as people state prices; fen exact.
        const priceFen = BigInt(rng.int(lo / 100, hi / 100)) * 10_000n;
        const createdAt = addDays(now, -rng.int(2, 200) - rng.next());
        // A fifth restate later; never after `now`.
        const updatedAt = rng.chance(0.2) ? addDays(createdAt, rng.next() * ((now.getTime() - createdAt.getTime()) / 86_400_000)) : createdAt;
        addPreference(
          userId,
          {
            modelId,
            colourId: rng.chance(0.85) ? rng.pick(SEED_COLOURS).id : null,
            minRangeKm: rng.chance(0.8) ? rng.pick(RANGE_CHOICES) : null,
            batteryOption: rng.chance(0.7) ? (rng.chance(modelId === 'model-aion-ut' ? 0.45 : 0.1) ? 'RENTAL' : 'OWNED') : null,
            priceFen,
            features: pickFeatures(rng),
          },
          createdAt,
          updatedAt < now ? updatedAt : createdAt,
        );
      }
    }

      await writer.finish();
  });

  // Handed over from the same constants (and the same yuan → fen conversion) as the rows above, so
  // the orders seed prices and describes orders exactly as a live quote of this catalog would.
  const modelOf = new Map<string, (typeof SEED_MODELS)[number]>(SEED_MODELS.map((m) => [m.id, m]));
  const trims: SeedTrim[] = SEED_TRIMS.filter((t) => t.available).map((t) => ({
    id: t.id,
    modelId: t.modelId,
    modelName: modelOf.get(t.modelId)!.name,
    name: t.name,
    guidePriceFen: yuan(t.guidePrice),
    batteryRental: t.batteryOption === 'RENTAL',
    swapCapable: t.swapCapable,
    manufacturerOrg: modelOf.get(t.modelId)!.manufacturerOrg,
    packageIds: seedOfferedPackageIds(t.id),
  }));
  const standard = SEED_PACKAGES.find((p) => p.code === 'STANDARD');
  if (!standard) throw new Error('the seeded catalog has no STANDARD package, which every quote defaults to');
  world.publish(CATALOG_FACTS.trims, trims);
  world.publish(CATALOG_FACTS.standardPackageId, standard.id);
  world.publish(CATALOG_FACTS.colours, SEED_COLOURS.map((c) => ({ id: c.id, name: c.name, surchargeFen: yuan(c.surcharge) })));
  world.publish(
    CATALOG_FACTS.packages,
    SEED_PACKAGES.map((p) => ({
      id: p.id,
      code: p.code,
      name: p.name,
      priceFen: yuan(p.price),
      maintenanceServices: p.maintenance?.services ?? 0,
      maintenanceYears: p.maintenance?.years ?? 0,
      maintenanceAllowanceFen: yuan(p.maintenance?.allowance ?? 0),
      fittedItems: p.fittedItems,
    })),
  );
  world.publish(CATALOG_FACTS.accessories, SEED_ACCESSORIES.map((a) => ({ id: a.id, name: a.name, priceFen: yuan(a.price) })));
};
