/**
 * The SQL of what a configuration adds to a trim: colours, packages and accessories (`catalog.colours`,
 * `catalog.packages`, `catalog.accessories`). Money leaves PostgreSQL as text and becomes `bigint` fen here.
 */
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';

export type PackageCode = 'STANDARD' | 'CUSTOM_CAR_COVER' | 'ACCESSORY_ASSEMBLY' | 'MAINTENANCE_ENHANCED';
export const ACCESSORY_CATEGORIES = ['EXTERIOR', 'INTERIOR', 'CHARGING', 'SAFETY', 'ELECTRONICS', 'CARE'] as const;
export type AccessoryCategory = (typeof ACCESSORY_CATEGORIES)[number];

export interface ColourRecord {
  id: string;
  name: string;
  hex: string;
  surchargeFen: bigint;
}

export interface PackageRecord {
  id: string;
  code: PackageCode;
  name: string;
  description: string;
  priceFen: bigint;
  includes: string[];
  /** Scheduled services paid up front (0 when none), usable within `maintenanceYears` of delivery. */
  maintenanceServices: number;
  maintenanceYears: number;
  /** What the platform settles per scheduled service at most (0 when none); the owner pays the rest. */
  maintenanceAllowanceFen: bigint;
  /** What a partner store fits after delivery; empty when nothing. */
  fittedItems: string[];
}

export interface AccessoryRecord {
  id: string;
  name: string;
  category: AccessoryCategory;
  priceFen: bigint;
}

// ---------------------------------------------------------------------------------------------
// Colours, packages, accessories

interface ColourRow {
  id: string;
  name: string;
  hex: string;
  surcharge_fen: string;
}

const toColour = (r: ColourRow): ColourRecord => ({ id: r.id, name: r.name, hex: r.hex, surchargeFen: fenFromDb(r.surcharge_fen) });
const COLOUR_SELECT = `SELECT id, name, hex, surcharge_fen::text AS surcharge_fen FROM catalog.colours`;

export async function coloursByIds(q: Queryable, ids: readonly string[]): Promise<ColourRecord[]> {
  return (await q.query<ColourRow>(`${COLOUR_SELECT} WHERE id = ANY($1::text[])`, [ids])).map(toColour);
}

/** The whole palette (a handful of rows, never grows with users), in display order. */
export async function allColours(q: Queryable): Promise<ColourRecord[]> {
  return (await q.query<ColourRow>(`${COLOUR_SELECT} ORDER BY sort_order, id`)).map(toColour);
}

interface PackageRow {
  id: string;
  code: PackageCode;
  name: string;
  description: string;
  price_fen: string;
  includes: string[];
  maintenance_services: number;
  maintenance_years: number;
  maintenance_allowance_fen: string;
  fitted_items: string[];
}

const toPackage = (r: PackageRow): PackageRecord => ({
  id: r.id,
  code: r.code,
  name: r.name,
  description: r.description,
  priceFen: fenFromDb(r.price_fen),
  includes: r.includes,
  maintenanceServices: Number(r.maintenance_services),
  maintenanceYears: Number(r.maintenance_years),
  maintenanceAllowanceFen: fenFromDb(r.maintenance_allowance_fen),
  fittedItems: r.fitted_items,
});
const PACKAGE_SELECT = `SELECT id, code, name, description, price_fen::text AS price_fen, includes, maintenance_services, maintenance_years, maintenance_allowance_fen::text AS maintenance_allowance_fen, fitted_items FROM catalog.packages`;

export async function packagesByIds(q: Queryable, ids: readonly string[]): Promise<PackageRecord[]> {
  return (await q.query<PackageRow>(`${PACKAGE_SELECT} WHERE id = ANY($1::text[])`, [ids])).map(toPackage);
}

export async function packagesByCodes(q: Queryable, codes: readonly PackageCode[]): Promise<PackageRecord[]> {
  return (await q.query<PackageRow>(`${PACKAGE_SELECT} WHERE code = ANY($1::text[])`, [codes])).map(toPackage);
}

/** The packages each of `trimIds` is offered with (`catalog.trim_packages`), each trim's in display order. */
export async function packagesOfTrims(q: Queryable, trimIds: readonly string[]): Promise<Array<PackageRecord & { trimId: string }>> {
  const rows = await q.query<PackageRow & { trim_id: string }>(
    `SELECT tp.trim_id, p.id, p.code, p.name, p.description, p.price_fen::text AS price_fen, p.includes, p.maintenance_services, p.maintenance_years,
            p.maintenance_allowance_fen::text AS maintenance_allowance_fen, p.fitted_items
       FROM catalog.trim_packages tp JOIN catalog.packages p ON p.id = tp.package_id
      WHERE tp.trim_id = ANY($1::text[])
      ORDER BY tp.trim_id, p.sort_order, p.id`,
    [trimIds],
  );
  return rows.map((r) => ({ ...toPackage(r), trimId: r.trim_id }));
}

/** The four packages in display order. */
export async function allPackages(q: Queryable): Promise<PackageRecord[]> {
  return (await q.query<PackageRow>(`${PACKAGE_SELECT} ORDER BY sort_order, id`)).map(toPackage);
}

interface AccessoryRow {
  id: string;
  name: string;
  category: AccessoryCategory;
  price_fen: string;
}

const toAccessory = (r: AccessoryRow): AccessoryRecord => ({ id: r.id, name: r.name, category: r.category, priceFen: fenFromDb(r.price_fen) });
const ACCESSORY_SELECT = `SELECT id, name, category, price_fen::text AS price_fen FROM catalog.accessories`;

export async function accessoriesByIds(q: Queryable, ids: readonly string[]): Promise<AccessoryRecord[]> {
  return (await q.query<AccessoryRow>(`${ACCESSORY_SELECT} WHERE id = ANY($1::text[])`, [ids])).map(toAccessory);
}

/** Up to `limit` accessories after the `(category, name, id)` key, optionally of one category. */
export async function accessoriesPage(
  q: Queryable,
  category: AccessoryCategory | null,
  after: { category: string; name: string; id: string } | null,
  limit: number,
): Promise<AccessoryRecord[]> {
  const rows = await q.query<AccessoryRow>(
    `${ACCESSORY_SELECT}
      WHERE ($1::text IS NULL OR category = $1::text)
        AND ($2::text IS NULL OR (category COLLATE "C", name COLLATE "C", id COLLATE "C") > ($2::text COLLATE "C", $3::text COLLATE "C", $4::text COLLATE "C"))
      ORDER BY category COLLATE "C", name COLLATE "C", id COLLATE "C"
      LIMIT $5`,
    [category, after?.category ?? null, after?.name ?? null, after?.id ?? null, limit],
  );
  return rows.map(toAccessory);
}
