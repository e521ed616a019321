/**
 * The SQL of co-creation: users' stated preferences (`catalog.preferences`, one per user and model) and
 * the demand view aggregated from them.
 */
import type { Queryable } from '../../../platform/db';
import { groupBy } from '../../kit/loaders';
import type { TimeKey } from '../../kit/pagination';
import { fenFromDb } from '../../../platform/money';
import type { BatteryOption } from './models';

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
 * first — one statement however many users (a window per user); one list per user, in their order.
 */
export async function preferencesOfUsers(
  q: Queryable,
  userIds: readonly string[],
  after: TimeKey | null,
  limit: number,
): Promise<PreferenceRecord[][]> {
  const rows = await q.query<PreferenceRow>(
    `SELECT ${PREFERENCE_COLUMNS} FROM (
       SELECT p.*, row_number() OVER (PARTITION BY p.user_id ORDER BY p.created_at DESC, p.id COLLATE "C" DESC) AS rn
         FROM catalog.preferences p
        WHERE p.user_id = ANY($1::text[])
          AND ($2::timestamptz IS NULL OR (p.created_at, p.id COLLATE "C") < ($2::timestamptz, $3::text COLLATE "C"))
     ) ranked
     WHERE rn <= $4
     ORDER BY user_id, created_at DESC, id COLLATE "C" DESC`,
    [userIds, after?.at ?? null, after?.id ?? null, limit],
  );
  return groupBy(userIds, rows.map(toPreference), (p) => p.userId);
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
