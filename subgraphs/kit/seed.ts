/**
 * Deterministic demo data. The seed runs subgraph by subgraph (catalog → orders → finance,
 * aftermarket, energy); each stage writes only its own subgraph's tables and hands the next stages
 * what they need to know (ids, prices, owners) through the `SeedWorld`.
 */
import type { Db } from './db';

/** A small, fast, deterministic PRNG (mulberry32). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

import { DEMO_USER } from '../../platform/demo';
export { DEMO_USER };

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

/**
 * The catalog as later stages need it to price and describe purchases exactly as the live quote
 * does: ids, names (the quote's line descriptions use them) and prices.
 */
export interface SeedCatalog {
  /** The trims on sale (discontinued ones are left out: nobody can order them). */
  trims: SeedTrim[];
  /** The STANDARD package's id; null only before the catalog stage ran. */
  standardPackageId: string | null;
  colours: SeedColour[];
  /** Every package, the standard one included. */
  packages: SeedPackage[];
  accessories: SeedAccessory[];
}

export interface SeedOrder {
  id: string;
  userId: string;
  trimId: string;
  totalFen: bigint;
  depositFen: bigint;
  /** Principal to be financed by a loan/lease in finance (0 when paid in cash). */
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

/** What each stage learned, for the stages after it. */
export interface SeedWorld {
  rng: Rng;
  /** Every seeded user id; `DEMO_USER` first. */
  users: string[];
  /** "Today" for the seed: all generated activity happens before it. */
  now: Date;
  catalog: SeedCatalog;
  orders: { orders: SeedOrder[]; vehicles: SeedVehicle[] };
}

/** The catalog part of a world before the catalog stage has run. */
export function emptySeedCatalog(): SeedCatalog {
  return { trims: [], standardPackageId: null, colours: [], packages: [], accessories: [] };
}

/** A subgraph's seed stage: writes its own tables, may add to the world for later stages. */
export type SeedStage = (db: Db, world: SeedWorld) => Promise<void>;

/** The seed's fixed clock, so a re-seed produces identical data. */
export const SEED_NOW = new Date('2026-11-01T00:00:00.000Z');

export function seedUsers(count: number): string[] {
  const users = [DEMO_USER];
  for (let i = 1; i < count; i++) users.push(`user-${String(i).padStart(6, '0')}`);
  return users;
}

/** The same moment `years` calendar years later (UTC); 29 February falls on 1 March in a common year. */
export function addYears(d: Date, years: number): Date {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

/** Adds `days` (fractional allowed) to a date, truncated to whole milliseconds. */
export function addDays(d: Date, days: number): Date {
  return new Date(Math.round(d.getTime() + days * 86_400_000));
}
