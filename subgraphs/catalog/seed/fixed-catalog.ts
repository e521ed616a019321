/**
 * The fixed catalog the seed writes, with readable, stable ids (documented, used by examples and the
 * orders seed). It follows the article's launch: the GAC Aion UT battery-swap version (guide prices
 * 69,800–101,800 yuan, CATL battery swap, battery-rental variants) with the four delivery packages,
 * plus one model of another manufacturer so partner scoping has something to scope.
 */
import type { BatteryOption } from '../data/models';
import type { AccessoryCategory, PackageCode } from '../data/options';

/** Whole yuan (every catalog price is one) to fen, exactly: `BigInt` throws on a fraction instead of rounding it away. */
export const yuan = (y: number): bigint => BigInt(y) * 100n;

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

/**
 * Packages a trim is not offered with (every other pair is offered). The assembled accessory set is
 * made for the UT: its dash camera mount and boot organiser do not fit the Nammi 01.
 */
const SEED_PACKAGES_NOT_OFFERED: Readonly<Record<string, readonly string[]>> = {
  'trim-nammi-330': ['pkg-accessory-assembly'],
  'trim-nammi-430-launch': ['pkg-accessory-assembly'],
};

/** The ids of the packages `trimId` is offered with, in the packages' display order (STANDARD always). */
export function seedOfferedPackageIds(trimId: string): string[] {
  const notOffered = SEED_PACKAGES_NOT_OFFERED[trimId] ?? [];
  return SEED_PACKAGES.filter((p) => p.code === 'STANDARD' || !notOffered.includes(p.id)).map((p) => p.id);
}

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
