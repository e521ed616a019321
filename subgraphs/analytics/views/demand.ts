/**
 * Revealed preference: what was actually ordered of a model (`VehicleModel.ordered`), from the store's
 * copy of orders — one statement for every model a request asks about. A manufacturer's partner reads
 * only its own models, as for the catalog's stated-preference `demand`.
 */
import DataLoader from 'dataloader';
import type { Db } from '../../../platform/db';
import { forbidden } from '../../../platform/errors';
import type { Identity } from '../../../platform/identity';
import { fenFromDb, money } from '../../../platform/money';
import { requireIdentity } from '../../kit/auth';
import { storeAsOf } from '../store';
import { averageFen } from './vehicles';

interface Row {
  model_id: string;
  dim: 'trim' | 'colour' | 'battery' | 'range' | 'price';
  value: string | null;
  orders: number;
  min_fen: string | null;
  max_fen: string | null;
  sum_fen: string | null;
}

/** Partners of the model's manufacturer, analysts, admins (no service reads it). */
export function requireOrderedReader(identity: Identity | null, model: { id: string; manufacturerOrg: string }): void {
  const who = requireIdentity(identity);
  if (who.role === 'analyst' || who.role === 'admin' || (who.role === 'partner' && who.org === model.manufacturerOrg)) return;
  throw forbidden(`what was ordered of ${model.id} is for partners of ${model.manufacturerOrg}, analysts and admins`);
}

/** Per request: each model's ordered demand, all models asked for in one statement. */
export function createDemandLoader(db: Db) {
  return new DataLoader<string, ReturnType<typeof shape>>(async (modelIds) => {
    const [asOf, rows] = await Promise.all([
      storeAsOf(db),
      db.query<Row>(
        `WITH o AS (
           SELECT t.model_id, o.trim_id, o.colour_id, o.battery_rental, t.range_km, o.total_fen
             FROM analytics.orders o JOIN analytics.trims t ON t.trim_id = o.trim_id
            WHERE t.model_id = ANY($1::text[]) AND o.status <> 'CANCELLED')
         SELECT model_id, 'trim' AS dim, trim_id AS value, count(*)::int AS orders, NULL AS min_fen, NULL AS max_fen, NULL AS sum_fen FROM o GROUP BY 1, 3
         UNION ALL SELECT model_id, 'colour', colour_id, count(*)::int, NULL, NULL, NULL FROM o GROUP BY 1, 3
         UNION ALL SELECT model_id, 'battery', CASE WHEN battery_rental THEN 'RENTAL' ELSE 'OWNED' END, count(*)::int, NULL, NULL, NULL FROM o GROUP BY 1, 3
         UNION ALL SELECT model_id, 'range', range_km::text, count(*)::int, NULL, NULL, NULL FROM o GROUP BY 1, 3
         UNION ALL SELECT model_id, 'price', NULL, count(*)::int, min(total_fen)::text, max(total_fen)::text, sum(total_fen)::text FROM o GROUP BY 1`,
        [[...modelIds]],
      ),
    ]);
    return modelIds.map((id) => shape(asOf, rows.filter((r) => r.model_id === id)));
  });
}

const mostFirst = <T extends { orders: number }>(key: (x: T) => string) => (a: T, b: T) => b.orders - a.orders || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

function shape(asOf: Date | null, rows: Row[]) {
  const of = (dim: Row['dim']) => rows.filter((r) => r.dim === dim);
  const price = of('price')[0];
  return {
    asOf,
    orders: price?.orders ?? 0,
    byTrim: of('trim').map((r) => ({ trimId: r.value!, orders: r.orders })).sort(mostFirst((x) => x.trimId)),
    byColour: of('colour').map((r) => ({ colourId: r.value, orders: r.orders })).sort(mostFirst((x) => x.colourId ?? '')),
    byBatteryOption: of('battery').map((r) => ({ batteryOption: r.value!, orders: r.orders })).sort(mostFirst((x) => x.batteryOption)),
    byRange: of('range').map((r) => ({ rangeKm: r.value === null ? null : Number(r.value), orders: r.orders })).sort((a, b) => (a.rangeKm ?? -1) - (b.rangeKm ?? -1)),
    price: price
      ? { min: money(fenFromDb(price.min_fen)), max: money(fenFromDb(price.max_fen)), average: money(averageFen(fenFromDb(price.sum_fen), price.orders)) }
      : null,
  };
}
