/**
 * The SQL of what is sold: vehicle models (`catalog.vehicle_models`) and their trims (`catalog.trims`).
 * Lookups take arrays (`= ANY($1)`) so loaders can batch them; money leaves PostgreSQL as text
 * (`::text`) and becomes `bigint` fen here, so it never passes through a JS number.
 */
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';

export type BatteryOption = 'OWNED' | 'RENTAL';

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
