/** Package fittings' SQL (`aftermarket.package_fittings`): what a partner store fitted to a vehicle for its delivery package. */
import { insertAll, type BulkTableSpec } from '../../kit/bulk';
import type { Queryable } from '../../../platform/db';
import { date, isUniqueViolation, type Row } from './rows';

/** What a partner store fitted to a vehicle for its delivery package. */
export interface PackageFitting {
  id: string;
  vin: string;
  packageId: string;
  storeId: string;
  items: string[];
  fittedAt: Date;
  recordedBy: string;
}

const FITTING_COLUMNS = `id, vin, package_id, store_id, items, fitted_at, recorded_by`;

function toFitting(r: Row): PackageFitting {
  return {
    id: String(r.id),
    vin: String(r.vin),
    packageId: String(r.package_id),
    storeId: String(r.store_id),
    items: r.items as string[],
    fittedAt: date(r.fitted_at),
    recordedBy: String(r.recorded_by),
  };
}

/** The package fittings of the given VINs, each VIN's oldest first. */
export async function fittingsByVins(q: Queryable, vins: readonly string[]): Promise<PackageFitting[]> {
  const rows = await q.query<Row>(`SELECT ${FITTING_COLUMNS} FROM aftermarket.package_fittings WHERE vin = ANY($1::text[]) ORDER BY vin, fitted_at, id`, [vins]);
  return rows.map(toFitting);
}

/** Thrown by `insertFittingRows` when the vehicle's package is already fitted. */
export class AlreadyFittedError extends Error {}

/** The package fittings table for the bulk writers (its owner trigger fills user_id from the fitting's appointment). */
export const FITTINGS_TABLE: BulkTableSpec<PackageFitting> = {
  name: 'aftermarket.package_fittings',
  columns: [['id', 'text'], ['vin', 'text'], ['package_id', 'text'], ['store_id', 'text'], ['items', 'text[]'], ['fitted_at', 'timestamptz'], ['recorded_by', 'text']],
  row: (f) => [f.id, f.vin, f.packageId, f.storeId, f.items, f.fittedAt, f.recordedBy],
};

/** Records fittings (one per vehicle); AlreadyFittedError when a vehicle already has one. */
export async function insertFittingRows(q: Queryable, rows: PackageFitting[]): Promise<void> {
  try {
    await insertAll(q, FITTINGS_TABLE, rows);
  } catch (err) {
    if (isUniqueViolation(err, 'package_fittings_vin_key')) throw new AlreadyFittedError();
    throw err;
  }
}
