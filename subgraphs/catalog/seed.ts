/**
 * The catalog seed: a fixed catalog with readable, stable ids (documented, used by examples and the
 * orders seed) and generated preferences from about 30% of users, deterministic from `world.rng`.
 *
 * The fixed catalog follows the article's launch: the GAC Aion UT battery-swap version (guide prices
 * 69,800–101,800 yuan, CATL battery swap, battery-rental variants) with the four delivery packages,
 * plus one model of another manufacturer so partner scoping has something to scope.
 */
import { DEMO_USER, addDays, type SeedStage, type SeedTrim, type Rng } from '../kit/seed';
import { seedId } from '../kit/ids';
import { bulkInsert } from '../kit/bulk';
import type { BatteryOption } from './data/models';
import type { AccessoryCategory, PackageCode } from './data/options';

/** Whole yuan (every catalog price is one) to fen, exactly: `BigInt` throws on a fraction instead of rounding it away. */
const yuan = (y: number): bigint => BigInt(y) * 100n;

export const SEED_MODELS = [
  {
    id: 'model-aion-ut',
    name: 'Aion UT',
    manufacturerOrg: 'gac-aion',
    segment: 'A-class hatchback',
    description:
      'A compact electric hatchback for the mass market, co-created with JD users: battery-swap versions on the CATL swap network, with the battery bought or rented.',
  },
  {
    id: 'model-nammi-01',
    name: 'Nammi 01',
    manufacturerOrg: 'dongfeng-nammi',
    segment: 'A0-class hatchback',
    description: 'A small electric city hatchback with a fixed battery, charged at home or at public chargers.',
  },
] as const;

interface SeedTrimRow {
  id: string;
  modelId: string;
  name: string;
  guidePrice: number;
  rangeKm: number;
  batteryKwh: string;
  batteryOption: BatteryOption;
  swapCapable: boolean;
  rentalMonthly: number | null;
  available: boolean;
}

export const SEED_TRIMS: readonly SeedTrimRow[] = [
  { id: 'trim-ut-330', modelId: 'model-aion-ut', name: '330 Standard', guidePrice: 69_800, rangeKm: 330, batteryKwh: '37.90', batteryOption: 'OWNED', swapCapable: false, rentalMonthly: null, available: true },
  { id: 'trim-ut-420', modelId: 'model-aion-ut', name: '420 Comfort', guidePrice: 79_800, rangeKm: 420, batteryKwh: '44.12', batteryOption: 'OWNED', swapCapable: false, rentalMonthly: null, available: true },
  { id: 'trim-ut-swap-420', modelId: 'model-aion-ut', name: '420 Swap', guidePrice: 86_800, rangeKm: 420, batteryKwh: '44.12', batteryOption: 'OWNED', swapCapable: true, rentalMonthly: null, available: true },
  { id: 'trim-ut-swap-420-rental', modelId: 'model-aion-ut', name: '420 Swap, battery rental', guidePrice: 69_800, rangeKm: 420, batteryKwh: '44.12', batteryOption: 'RENTAL', swapCapable: true, rentalMonthly: 399, available: true },
  { id: 'trim-ut-swap-500', modelId: 'model-aion-ut', name: '500 Swap Flagship', guidePrice: 101_800, rangeKm: 500, batteryKwh: '53.60', batteryOption: 'OWNED', swapCapable: true, rentalMonthly: null, available: true },
  { id: 'trim-ut-swap-500-rental', modelId: 'model-aion-ut', name: '500 Swap Flagship, battery rental', guidePrice: 79_800, rangeKm: 500, batteryKwh: '53.60', batteryOption: 'RENTAL', swapCapable: true, rentalMonthly: 499, available: true },
  { id: 'trim-nammi-330', modelId: 'model-nammi-01', name: '330 Vitality', guidePrice: 75_900, rangeKm: 330, batteryKwh: '31.45', batteryOption: 'OWNED', swapCapable: false, rentalMonthly: null, available: true },
  // Discontinued: still resolvable (old orders point at it) but no longer quotable.
  { id: 'trim-nammi-430-launch', modelId: 'model-nammi-01', name: '430 Launch Edition', guidePrice: 89_900, rangeKm: 430, batteryKwh: '42.30', batteryOption: 'OWNED', swapCapable: false, rentalMonthly: null, available: false },
];

export const SEED_COLOURS = [
  { id: 'colour-polar-white', name: 'Polar White', hex: '#F4F5F0', surcharge: 0 },
  { id: 'colour-starry-black', name: 'Starry Black', hex: '#1C1D21', surcharge: 0 },
  { id: 'colour-mist-grey', name: 'Mist Grey', hex: '#9EA3A8', surcharge: 0 },
  { id: 'colour-lake-blue', name: 'Lake Blue', hex: '#3A78B5', surcharge: 1_500 },
  { id: 'colour-sunrise-orange', name: 'Sunrise Orange', hex: '#F28C28', surcharge: 2_000 },
  { id: 'colour-mint-green', name: 'Mint Green', hex: '#9FD8C2', surcharge: 2_000 },
] as const;

/**
 * The four packages. `maintenance` is what "six years of scheduled maintenance" entitles to: that many
 * scheduled services (MAINTENANCE visits at any store of the network offering maintenance) within that
 * many years of delivery, each settled with the store by the platform up to `allowance` yuan (the owner
 * pays what a service bills beyond it). `fittedItems` is what a partner
 * store fits after delivery (recorded as the vehicle's fitting).
 */
export const SEED_PACKAGES: ReadonlyArray<{
  id: string;
  code: PackageCode;
  name: string;
  description: string;
  price: number;
  includes: string[];
  maintenance: { services: number; years: number; allowance: number } | null;
  fittedItems: string[];
}> = [
  {
    id: 'pkg-standard',
    code: 'STANDARD',
    name: 'Standard',
    description: 'The car exactly as the trim describes it.',
    price: 0,
    includes: ['The car as specified by the trim', "Manufacturer's warranty"],
    maintenance: null,
    fittedItems: [],
  },
  {
    id: 'pkg-custom-car-cover',
    code: 'CUSTOM_CAR_COVER',
    name: 'Custom car cover',
    description: 'The car delivered with a made-to-measure outdoor cover.',
    price: 1_299,
    includes: ['Made-to-measure outdoor car cover', 'Storage bag', 'Fitted at delivery'],
    maintenance: null,
    fittedItems: ['Made-to-measure outdoor car cover', 'Storage bag'],
  },
  {
    id: 'pkg-accessory-assembly',
    code: 'ACCESSORY_ASSEMBLY',
    name: 'Car accessory assembly',
    description: 'The car delivered with the accessories most owners buy in the first month, already fitted.',
    price: 2_999,
    includes: ['All-weather floor mats', 'Front and rear dash camera', 'Boot organiser', 'Phone holder', 'Fitted at delivery'],
    maintenance: null,
    fittedItems: ['All-weather floor mats', 'Front and rear dash camera', 'Boot organiser', 'Phone holder'],
  },
  {
    id: 'pkg-maintenance-enhanced',
    code: 'MAINTENANCE_ENHANCED',
    name: 'Maintenance-enhanced',
    description: 'Six years of scheduled maintenance at partner stores, paid up front at a package price.',
    price: 3_999,
    includes: ['6 scheduled services over 6 years at partner stores', 'Tyre rotation and cabin filter at every service', 'Priority appointment booking', 'Roadside assistance for 6 years'],
    maintenance: { services: 6, years: 6, allowance: 800 },
    fittedItems: [],
  },
];

export const SEED_ACCESSORIES: ReadonlyArray<{ id: string; name: string; category: AccessoryCategory; price: number }> = [
  { id: 'acc-roof-rack', name: 'Roof rack', category: 'EXTERIOR', price: 899 },
  { id: 'acc-mud-flaps', name: 'Mud flaps (set of 4)', category: 'EXTERIOR', price: 199 },
  { id: 'acc-alloy-wheels-16', name: '16-inch alloy wheels (set of 4)', category: 'EXTERIOR', price: 3_600 },
  { id: 'acc-floor-mats', name: 'All-weather floor mats', category: 'INTERIOR', price: 399 },
  { id: 'acc-boot-organiser', name: 'Boot organiser', category: 'INTERIOR', price: 159 },
  { id: 'acc-seat-covers', name: 'Seat covers', category: 'INTERIOR', price: 699 },
  { id: 'acc-wallbox-7kw', name: '7 kW home wallbox, installed', category: 'CHARGING', price: 2_999 },
  { id: 'acc-portable-charger', name: 'Portable charging cable', category: 'CHARGING', price: 1_299 },
  { id: 'acc-v2l-adapter', name: 'Vehicle-to-load discharge adapter', category: 'CHARGING', price: 499 },
  { id: 'acc-child-seat', name: 'ISOFIX child seat', category: 'SAFETY', price: 1_599 },
  { id: 'acc-emergency-kit', name: 'Roadside emergency kit', category: 'SAFETY', price: 189 },
  { id: 'acc-dashcam', name: 'Front and rear dash camera', category: 'ELECTRONICS', price: 799 },
  { id: 'acc-hud', name: 'Head-up display', category: 'ELECTRONICS', price: 1_199 },
  { id: 'acc-window-film', name: 'Window film (full car)', category: 'CARE', price: 1_980 },
  { id: 'acc-paint-protection', name: 'Paint protection film (front)', category: 'CARE', price: 2_680 },
];

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

export const seedCatalog: SeedStage = async (db, world) => {
  const { rng, now } = world;
  const prefRows: unknown[][] = [];
  let prefN = 0;
  const addPreference = (userId: string, p: { modelId: string; colourId: string | null; minRangeKm: number | null; batteryOption: BatteryOption | null; priceFen: bigint; features: string[] }, createdAt: Date, updatedAt: Date) => {
    prefRows.push([seedId('pref', ++prefN), userId, p.modelId, p.colourId, p.minRangeKm, p.batteryOption, p.priceFen, p.features, createdAt, updatedAt]);
  };

  for (const userId of world.users) {
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

  await db.tx(async (q) => {
    await bulkInsert(
      q,
      'catalog.vehicle_models',
      [['id', 'text'], ['name', 'text'], ['manufacturer_org', 'text'], ['segment', 'text'], ['description', 'text'], ['created_at', 'timestamptz']],
      SEED_MODELS.map((m) => [m.id, m.name, m.manufacturerOrg, m.segment, m.description, addDays(now, -400)]),
    );
    await bulkInsert(
      q,
      'catalog.trims',
      [
        ['id', 'text'], ['model_id', 'text'], ['name', 'text'], ['guide_price_fen', 'bigint'], ['range_km', 'integer'], ['battery_kwh', 'numeric'],
        ['battery_option', 'text'], ['swap_capable', 'boolean'], ['battery_rental_monthly_fen', 'bigint'], ['available', 'boolean'], ['sort_order', 'integer'],
      ],
      SEED_TRIMS.map((t, i) => [t.id, t.modelId, t.name, yuan(t.guidePrice), t.rangeKm, t.batteryKwh, t.batteryOption, t.swapCapable, t.rentalMonthly === null ? null : yuan(t.rentalMonthly), t.available, i * 10]),
    );
    await bulkInsert(
      q,
      'catalog.colours',
      [['id', 'text'], ['name', 'text'], ['hex', 'text'], ['surcharge_fen', 'bigint'], ['sort_order', 'integer']],
      SEED_COLOURS.map((c, i) => [c.id, c.name, c.hex, yuan(c.surcharge), i * 10]),
    );
    await bulkInsert(
      q,
      'catalog.packages',
      [
        ['id', 'text'], ['code', 'text'], ['name', 'text'], ['description', 'text'], ['price_fen', 'bigint'], ['includes', 'text[]'], ['sort_order', 'integer'],
        ['maintenance_services', 'integer'], ['maintenance_years', 'integer'], ['maintenance_allowance_fen', 'bigint'], ['fitted_items', 'text[]'],
      ],
      SEED_PACKAGES.map((p, i) => [p.id, p.code, p.name, p.description, yuan(p.price), p.includes, i * 10, p.maintenance?.services ?? 0, p.maintenance?.years ?? 0, yuan(p.maintenance?.allowance ?? 0), p.fittedItems]),
    );
    await bulkInsert(
      q,
      'catalog.accessories',
      [['id', 'text'], ['name', 'text'], ['category', 'text'], ['price_fen', 'bigint']],
      SEED_ACCESSORIES.map((a) => [a.id, a.name, a.category, yuan(a.price)]),
    );
    await bulkInsert(
      q,
      'catalog.preferences',
      [
        ['id', 'text'], ['user_id', 'text'], ['model_id', 'text'], ['colour_id', 'text'], ['min_range_km', 'integer'], ['battery_option', 'text'],
        ['price_expectation_fen', 'bigint'], ['features', 'text[]'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
      ],
      prefRows,
    );
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
  }));
  const standard = SEED_PACKAGES.find((p) => p.code === 'STANDARD');
  if (!standard) throw new Error('the seeded catalog has no STANDARD package, which every quote defaults to');
  world.catalog = {
    trims,
    standardPackageId: standard.id,
    colours: SEED_COLOURS.map((c) => ({ id: c.id, name: c.name, surchargeFen: yuan(c.surcharge) })),
    packages: SEED_PACKAGES.map((p) => ({
      id: p.id,
      code: p.code,
      name: p.name,
      priceFen: yuan(p.price),
      maintenanceServices: p.maintenance?.services ?? 0,
      maintenanceYears: p.maintenance?.years ?? 0,
      maintenanceAllowanceFen: yuan(p.maintenance?.allowance ?? 0),
      fittedItems: p.fittedItems,
    })),
    accessories: SEED_ACCESSORIES.map((a) => ({ id: a.id, name: a.name, priceFen: yuan(a.price) })),
  };
};
