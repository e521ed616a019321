/**
 * The seed facts orders reads (the catalog's, declared here with the fields the orders stage uses) and
 * the ones it publishes for the stages after it (its orders and delivered vehicles). A stage that reads
 * orders' facts declares them in its own folder with the fields it uses.
 */
import { seedFact } from '../kit/seed';

/** A trim on sale, as the catalog stage publishes it. */
export interface CatalogTrim {
  id: string;
  /** A trim is shown (and an order's TRIM line written) as `<model name> <trim name>`. */
  modelName: string;
  name: string;
  guidePriceFen: bigint;
  batteryRental: boolean;
  manufacturerOrg: string;
  /** The packages the trim is offered with: an order names one of these. */
  packageIds: readonly string[];
}

export interface CatalogColour {
  id: string;
  name: string;
  surchargeFen: bigint;
}

export interface CatalogPackage {
  id: string;
  name: string;
  priceFen: bigint;
  maintenanceServices: number;
  maintenanceYears: number;
  maintenanceAllowanceFen: bigint;
  fittedItems: string[];
}

export interface CatalogAccessory {
  id: string;
  name: string;
  priceFen: bigint;
}

/** What the orders stage prices orders from: the catalog stage's facts. */
export const CATALOG = {
  trims: seedFact<readonly CatalogTrim[]>('catalog', 'trims'),
  colours: seedFact<readonly CatalogColour[]>('catalog', 'colours'),
  packages: seedFact<readonly CatalogPackage[]>('catalog', 'packages'),
  standardPackageId: seedFact<string>('catalog', 'standardPackageId'),
  accessories: seedFact<readonly CatalogAccessory[]>('catalog', 'accessories'),
};

export interface SeedOrder {
  id: string;
  userId: string;
  trimId: string;
  totalFen: bigint;
  depositFen: bigint;
  /** Principal to be financed by a loan or lease (0 when paid in cash). */
  financedFen: bigint;
  placedAt: Date;
  deliveredAt: Date | null;
  vin: string | null;
}

export interface SeedVehicle {
  vin: string;
  ownerId: string;
  trimId: string;
  batteryRental: boolean;
  deliveredAt: Date;
  /** What its order's package entitles it to, as orders exposes it on the vehicle. */
  packageId: string;
  maintenanceServices: number;
  /** What the platform settles per scheduled service at most (0 when none). */
  maintenanceAllowanceFen: bigint;
  /** Null when the package has no maintenance. */
  maintenanceValidUntil: Date | null;
  fittedItems: string[];
}

/** What the orders stage publishes. */
export const ORDERS_FACTS = {
  /** Every seeded order, delivered or not. */
  orders: seedFact<readonly SeedOrder[]>('orders', 'orders'),
  /** The delivered ones' vehicles. */
  vehicles: seedFact<readonly SeedVehicle[]>('orders', 'vehicles'),
};
