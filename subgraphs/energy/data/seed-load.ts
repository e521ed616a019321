/**
 * The seed's writes: every energy table loaded in one transaction, the large ones through `bulkLoad`.
 */
import { bulkInsert, type BulkColumns } from '../../kit/bulk';
import type { Queryable } from '../../../platform/db';
import type { ChargerRow, StationRow } from './network';

/**
 * What the seed generated. Stations and chargers are rows; the other tables' rows are value arrays
 * in the column order `loadSeedRows` lists, as the seed builds them.
 */
export interface SeedRows {
  stations: readonly StationRow[];
  chargers: readonly ChargerRow[];
  subscriptions: unknown[][];
  charges: unknown[][];
  swaps: unknown[][];
  chargingSessions: unknown[][];
}

/** Writes the seed's rows into energy's (empty) tables. Call inside the seed's transaction. */
export async function loadSeedRows(q: Queryable, { stations, chargers, subscriptions, charges, swaps, chargingSessions }: SeedRows): Promise<void> {
  await bulkInsert(
    q,
    'energy.swap_stations',
    [
      ['id', 'text'],
      ['name', 'text'],
      ['city', 'text'],
      ['address', 'text'],
      ['operator_org', 'text'],
      ['active', 'boolean'],
      ['bays', 'integer'],
    ],
    stations.map((s) => [s.id, s.name, s.city, s.address, s.operatorOrg, s.active, s.bays]),
  );
  await bulkInsert(
    q,
    'energy.chargers',
    [
      ['id', 'text'],
      ['network_org', 'text'],
      ['name', 'text'],
      ['city', 'text'],
      ['address', 'text'],
    ],
    chargers.map((c) => [c.id, c.networkOrg, c.name, c.city, c.address]),
  );
  await bulkInsert(
    q,
    'energy.battery_subscriptions',
    [
      ['id', 'text'],
      ['vin', 'text'],
      ['user_id', 'text'],
      ['plan_id', 'text'],
      ['status', 'text'],
      ['started_at', 'timestamptz'],
    ],
    subscriptions,
  );
  await bulkLoad(
    q,
    'energy.subscription_charges',
    [
      ['id', 'text'],
      ['subscription_id', 'text'],
      ['period', 'text'],
      ['amount_fen', 'bigint'],
      ['charged_at', 'timestamptz'],
    ],
    charges,
  );
  await bulkLoad(
    q,
    'energy.swap_sessions',
    [
      ['id', 'text'],
      ['station_id', 'text'],
      ['vin', 'text'],
      ['user_id', 'text'],
      ['swapped_at', 'timestamptz'],
      ['fee_fen', 'bigint'],
      ['subscription_id', 'text'],
      ['covered_by_plan', 'boolean'],
      ['state_of_charge_before', 'integer'],
      ['state_of_charge_after', 'integer'],
      ['recorded_by', 'text'],
    ],
    swaps,
  );
  await bulkLoad(
    q,
    'energy.charging_sessions',
    [
      ['id', 'text'],
      ['vin', 'text'],
      ['user_id', 'text'],
      ['charger_id', 'text'],
      ['network_org', 'text'],
      ['location', 'text'],
      ['started_at', 'timestamptz'],
      ['ended_at', 'timestamptz'],
      ['energy_wh', 'integer'],
      ['fee_fen', 'bigint'],
      ['recorded_by', 'text'],
    ],
    chargingSessions,
  );
}

/**
 * Loads the seed's rows into one of energy's (empty) tables the way PostgreSQL's "Populating a
 * Database" advises: the table's foreign keys and the indexes that back no constraint are dropped for
 * the load and re-created from their own definitions afterwards, so each is built or checked once over
 * all rows instead of once per row (about three times faster for the swap and charging sessions).
 * Primary keys and unique constraints stay, so a duplicate still fails the load. Run it inside the
 * seed's transaction: a failure rolls the drops back with the rows.
 */
export async function bulkLoad(q: Queryable, table: string, columns: BulkColumns, rows: readonly unknown[][]): Promise<void> {
  if (!/^energy\.[a-z_]+$/.test(table)) throw new Error(`not an energy table: ${table}`);
  const foreignKeys = await q.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname`,
    [table],
  );
  const indexes = await q.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY 1`,
    [table],
  );
  for (const fk of foreignKeys) await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(fk.name)}`);
  // regclass text is already qualified and quoted as needed.
  for (const index of indexes) await q.query(`DROP INDEX ${index.name.includes('.') ? index.name : `energy.${index.name}`}`);
  await bulkInsert(q, table, columns, rows);
  for (const index of indexes) await q.query(index.def);
  for (const fk of foreignKeys) await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(fk.name)} ${fk.def}`);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
