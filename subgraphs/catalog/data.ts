/**
 * Every SQL statement of the catalog subgraph. Lookups take arrays (`= ANY($1)`) so loaders can batch
 * them; money leaves PostgreSQL as text (`::text`) and becomes `bigint` fen here, so it never passes
 * through a JS number.
 */
import type { Queryable } from '../kit/db';
import { fenFromDb } from '../../platform/money';

export type BatteryOption = 'OWNED' | 'RENTAL';
export type PackageCode = 'STANDARD' | 'CUSTOM_CAR_COVER' | 'ACCESSORY_ASSEMBLY' | 'MAINTENANCE_ENHANCED';
export const ACCESSORY_CATEGORIES = ['EXTERIOR', 'INTERIOR', 'CHARGING', 'SAFETY', 'ELECTRONICS', 'CARE'] as const;
export type AccessoryCategory = (typeof ACCESSORY_CATEGORIES)[number];

export interface VehicleModelRecord {
  id: string;
  name: string;
  manufacturerOrg: string;
  segment: string;
  description: string;
}

export interface TrimRecord {
  id: string;
  modelId: string;
  /** Denormalised from the model (one join) so a quote needs no second lookup. */
  modelName: string;
  manufacturerOrg: string;
  name: string;
  guidePriceFen: bigint;
  rangeKm: number;
  /** Exact decimal text, e.g. "44.12". */
  batteryKwh: string;
  batteryOption: BatteryOption;
  swapCapable: boolean;
  batteryRentalMonthlyFen: bigint | null;
  available: boolean;
}

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

export interface PreferenceRecord {
  id: string;
  userId: string;
  modelId: string;
  colourId: string | null;
  minRangeKm: number | null;
  batteryOption: BatteryOption | null;
  priceExpectationFen: bigint;
  features: string[];
  createdAt: Date;
  updatedAt: Date;
}

// ---------------------------------------------------------------------------------------------
// Models

const MODEL_COLUMNS = `id, name, manufacturer_org, segment, description`;

interface ModelRow {
  id: string;
  name: string;
  manufacturer_org: string;
  segment: string;
  description: string;
}

function toModel(r: ModelRow): VehicleModelRecord {
  return { id: r.id, name: r.name, manufacturerOrg: r.manufacturer_org, segment: r.segment, description: r.description };
}

export async function modelsByIds(q: Queryable, ids: readonly string[]): Promise<VehicleModelRecord[]> {
  const rows = await q.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM catalog.vehicle_models WHERE id = ANY($1::text[])`, [ids]);
  return rows.map(toModel);
}

/** Up to `limit` models after the `(name, id)` key, ordered by name then id (byte order). */
/** A page of models by name, optionally only one manufacturer organisation's (`manufacturerOrg`). */
export async function modelsPage(
  q: Queryable,
  after: { name: string; id: string } | null,
  limit: number,
  manufacturerOrg: string | null = null,
): Promise<VehicleModelRecord[]> {
  const rows = await q.query<ModelRow>(
    `SELECT ${MODEL_COLUMNS} FROM catalog.vehicle_models
      WHERE ($1::text IS NULL OR (name COLLATE "C", id COLLATE "C") > ($1::text COLLATE "C", $2::text COLLATE "C"))
        AND ($4::text IS NULL OR manufacturer_org = $4)
      ORDER BY name COLLATE "C", id COLLATE "C"
      LIMIT $3`,
    [after?.name ?? null, after?.id ?? null, limit, manufacturerOrg],
  );
  return rows.map(toModel);
}

// ---------------------------------------------------------------------------------------------
// Trims

const TRIM_SELECT = `
  SELECT t.id, t.model_id, m.name AS model_name, m.manufacturer_org, t.name, t.guide_price_fen::text AS guide_price_fen,
         t.range_km, t.battery_kwh::text AS battery_kwh, t.battery_option, t.swap_capable,
         t.battery_rental_monthly_fen::text AS battery_rental_monthly_fen, t.available
    FROM catalog.trims t
    JOIN catalog.vehicle_models m ON m.id = t.model_id`;

interface TrimRow {
  id: string;
  model_id: string;
  model_name: string;
  manufacturer_org: string;
  name: string;
  guide_price_fen: string;
  range_km: number;
  battery_kwh: string;
  battery_option: BatteryOption;
  swap_capable: boolean;
  battery_rental_monthly_fen: string | null;
  available: boolean;
}

function toTrim(r: TrimRow): TrimRecord {
  return {
    id: r.id,
    modelId: r.model_id,
    modelName: r.model_name,
    manufacturerOrg: r.manufacturer_org,
    name: r.name,
    guidePriceFen: fenFromDb(r.guide_price_fen),
    rangeKm: Number(r.range_km),
    batteryKwh: r.battery_kwh,
    batteryOption: r.battery_option,
    swapCapable: r.swap_capable,
    batteryRentalMonthlyFen: r.battery_rental_monthly_fen === null ? null : fenFromDb(r.battery_rental_monthly_fen),
    available: r.available,
  };
}

export async function trimsByIds(q: Queryable, ids: readonly string[]): Promise<TrimRecord[]> {
  const rows = await q.query<TrimRow>(`${TRIM_SELECT} WHERE t.id = ANY($1::text[])`, [ids]);
  return rows.map(toTrim);
}

/** Every trim of the given models, each model's in display order. */
export async function trimsByModelIds(q: Queryable, modelIds: readonly string[]): Promise<TrimRecord[]> {
  const rows = await q.query<TrimRow>(`${TRIM_SELECT} WHERE t.model_id = ANY($1::text[]) ORDER BY t.model_id, t.sort_order, t.id`, [modelIds]);
  return rows.map(toTrim);
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

// ---------------------------------------------------------------------------------------------
// Preferences (co-creation)

const PREFERENCE_COLUMNS = `id, user_id, model_id, colour_id, min_range_km, battery_option,
  price_expectation_fen::text AS price_expectation_fen, features, created_at, updated_at`;

interface PreferenceRow {
  id: string;
  user_id: string;
  model_id: string;
  colour_id: string | null;
  min_range_km: number | null;
  battery_option: BatteryOption | null;
  price_expectation_fen: string;
  features: string[];
  created_at: Date | string;
  updated_at: Date | string;
}

function toPreference(r: PreferenceRow): PreferenceRecord {
  return {
    id: r.id,
    userId: r.user_id,
    modelId: r.model_id,
    colourId: r.colour_id,
    minRangeKm: r.min_range_km === null ? null : Number(r.min_range_km),
    batteryOption: r.battery_option,
    priceExpectationFen: fenFromDb(r.price_expectation_fen),
    features: r.features,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/**
 * For each of several users, their first `limit` preferences after the `(created_at, id)` key, newest
 * first — one statement however many users (a window per user).
 */
export async function preferencesOfUsers(
  q: Queryable,
  userIds: readonly string[],
  after: { createdAt: Date; id: string } | null,
  limit: number,
): Promise<PreferenceRecord[]> {
  const rows = await q.query<PreferenceRow>(
    `SELECT ${PREFERENCE_COLUMNS} FROM (
       SELECT p.*, row_number() OVER (PARTITION BY p.user_id ORDER BY p.created_at DESC, p.id COLLATE "C" DESC) AS rn
         FROM catalog.preferences p
        WHERE p.user_id = ANY($1::text[])
          AND ($2::timestamptz IS NULL OR (p.created_at, p.id COLLATE "C") < ($2::timestamptz, $3::text COLLATE "C"))
     ) ranked
     WHERE rn <= $4
     ORDER BY user_id, created_at DESC, id COLLATE "C" DESC`,
    [userIds, after?.createdAt ?? null, after?.id ?? null, limit],
  );
  return rows.map(toPreference);
}

/** Whether a model and (when given) a colour exist; read inside the preference's transaction. */
export async function findModelAndColour(q: Queryable, modelId: string, colourId: string | null): Promise<{ model: boolean; colour: boolean }> {
  const [row] = await q.query<{ model: boolean; colour: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM catalog.vehicle_models WHERE id = $1) AS model,
            EXISTS (SELECT 1 FROM catalog.colours WHERE id = $2) AS colour`,
    [modelId, colourId],
  );
  return row;
}

export interface PreferenceWrite {
  id: string;
  userId: string;
  modelId: string;
  colourId: string | null;
  minRangeKm: number | null;
  batteryOption: BatteryOption | null;
  priceExpectationFen: bigint;
  features: string[];
  at: Date;
}

/**
 * Inserts the user's preference for the model, or replaces their earlier one (keeping its id and
 * `created_at`). One statement, so two concurrent statements by the same user cannot both insert.
 */
export async function upsertPreference(q: Queryable, p: PreferenceWrite): Promise<PreferenceRecord> {
  const [row] = await q.query<PreferenceRow>(
    `INSERT INTO catalog.preferences (id, user_id, model_id, colour_id, min_range_km, battery_option, price_expectation_fen, features, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, $8::text[], $9, $9)
     ON CONFLICT (user_id, model_id) DO UPDATE
        SET colour_id = EXCLUDED.colour_id,
            min_range_km = EXCLUDED.min_range_km,
            battery_option = EXCLUDED.battery_option,
            price_expectation_fen = EXCLUDED.price_expectation_fen,
            features = EXCLUDED.features,
            updated_at = EXCLUDED.updated_at
     RETURNING ${PREFERENCE_COLUMNS}`,
    [p.id, p.userId, p.modelId, p.colourId, p.minRangeKm, p.batteryOption, p.priceExpectationFen.toString(), p.features, p.at],
  );
  return toPreference(row);
}

/** How many respondents gave one value of an attribute. */
export interface ValueCount<K> {
  key: K;
  n: number;
}

export interface DemandSummary {
  respondents: number;
  /** Null when there are no respondents. */
  price: { minFen: bigint; medianFen: bigint; maxFen: bigint } | null;
  byColour: ValueCount<string>[];
  byBatteryOption: ValueCount<BatteryOption>[];
  /** Respondents per exact `min_range_km` value; bucketed by the caller. */
  byMinRangeKm: ValueCount<number>[];
  /** The most wished-for features, at most `featureLimit`. */
  topFeatures: ValueCount<string>[];
}

/**
 * The whole demand aggregate of one model in one statement, so every number comes from the same
 * snapshot (respondents and the breakdowns cannot disagree). `percentile_disc(0.5)` is the lower
 * median: the first value whose cumulative share reaches one half.
 */
export async function demandSummary(q: Queryable, modelId: string, featureLimit: number): Promise<DemandSummary> {
  const [row] = await q.query<{
    respondents: number;
    price_min: string | null;
    price_median: string | null;
    price_max: string | null;
    by_colour: ValueCount<string>[];
    by_battery: ValueCount<BatteryOption>[];
    by_range: ValueCount<number>[];
    top_features: ValueCount<string>[];
  }>(
    `WITH p AS MATERIALIZED (
       SELECT colour_id, battery_option, min_range_km, price_expectation_fen, features
         FROM catalog.preferences WHERE model_id = $1
     )
     SELECT
       (SELECT count(*) FROM p)::int AS respondents,
       (SELECT min(price_expectation_fen) FROM p)::text AS price_min,
       (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY price_expectation_fen) FROM p)::text AS price_median,
       (SELECT max(price_expectation_fen) FROM p)::text AS price_max,
       (SELECT coalesce(json_agg(json_build_object('key', colour_id, 'n', n) ORDER BY n DESC, colour_id COLLATE "C"), '[]'::json)
          FROM (SELECT colour_id, count(*)::int AS n FROM p WHERE colour_id IS NOT NULL GROUP BY colour_id) c) AS by_colour,
       (SELECT coalesce(json_agg(json_build_object('key', battery_option, 'n', n) ORDER BY n DESC, battery_option COLLATE "C"), '[]'::json)
          FROM (SELECT battery_option, count(*)::int AS n FROM p WHERE battery_option IS NOT NULL GROUP BY battery_option) b) AS by_battery,
       (SELECT coalesce(json_agg(json_build_object('key', min_range_km, 'n', n) ORDER BY min_range_km), '[]'::json)
          FROM (SELECT min_range_km, count(*)::int AS n FROM p WHERE min_range_km IS NOT NULL GROUP BY min_range_km) r) AS by_range,
       (SELECT coalesce(json_agg(json_build_object('key', feature, 'n', n) ORDER BY n DESC, feature COLLATE "C"), '[]'::json)
          FROM (SELECT feature, count(*)::int AS n FROM p, unnest(p.features) AS feature
                 GROUP BY feature ORDER BY n DESC, feature COLLATE "C" LIMIT $2) f) AS top_features`,
    [modelId, featureLimit],
  );
  return {
    respondents: Number(row.respondents),
    price:
      row.price_min === null || row.price_median === null || row.price_max === null
        ? null
        : { minFen: fenFromDb(row.price_min), medianFen: fenFromDb(row.price_median), maxFen: fenFromDb(row.price_max) },
    byColour: row.by_colour,
    byBatteryOption: row.by_battery,
    byMinRangeKm: row.by_range,
    topFeatures: row.top_features,
  };
}
