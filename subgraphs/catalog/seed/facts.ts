/**
 * What the catalog stage hands to the stages after it: the catalog as they need it to price and describe
 * purchases exactly as the live quote does (ids, names the quote's line descriptions use, prices). A stage
 * that reads one of these declares it in its own folder with the fields it uses.
 */
import { seedFact } from '../../kit/seed';

export interface SeedTrim {
  id: string;
  modelId: string;
  /** The model's name: a trim is shown (and an order's TRIM line written) as `<model name> <trim name>`. */
  modelName: string;
  name: string;
  guidePriceFen: bigint;
  /** Battery-rental (BaaS) variant: lower price, battery paid monthly. */
  batteryRental: boolean;
  /** Its battery can be swapped at stations: every rental trim, and some owned-battery ones (paying per swap). */
  swapCapable: boolean;
  manufacturerOrg: string;
  /** The packages it is offered with (STANDARD included): an order of it names one of these. */
  packageIds: readonly string[];
}

/** A paint colour and what it adds to the price (0 for the standard colours). */
export interface SeedColour {
  id: string;
  name: string;
  surchargeFen: bigint;
}

/** A delivery package; the STANDARD one is free and is what a quote uses when none is chosen. */
export interface SeedPackage {
  id: string;
  code: string;
  name: string;
  priceFen: bigint;
  /** Scheduled services paid up front, usable within `maintenanceYears` of delivery (0 and 0: none). */
  maintenanceServices: number;
  maintenanceYears: number;
  /** What the platform settles per scheduled service at most (0 when none); the owner pays the rest. */
  maintenanceAllowanceFen: bigint;
  /** What a partner store fits after delivery; empty when nothing is fitted. */
  fittedItems: string[];
}

export interface SeedAccessory {
  id: string;
  name: string;
  priceFen: bigint;
}

export const CATALOG_FACTS = {
  /** The trims on sale (discontinued ones are left out: nobody can order them). */
  trims: seedFact<readonly SeedTrim[]>('catalog', 'trims'),
  colours: seedFact<readonly SeedColour[]>('catalog', 'colours'),
  /** Every package, the standard one included. */
  packages: seedFact<readonly SeedPackage[]>('catalog', 'packages'),
  /** The STANDARD package's id (one of `packages`). */
  standardPackageId: seedFact<string>('catalog', 'standardPackageId'),
  accessories: seedFact<readonly SeedAccessory[]>('catalog', 'accessories'),
};
