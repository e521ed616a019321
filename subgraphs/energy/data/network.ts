/** The energy network's SQL: swap stations (`energy.swap_stations`) and chargers (`energy.chargers`). */
import type { Queryable } from '../../../platform/db';
import type { SortAfter } from '../../kit/parent-pages';
import type { Raw } from './rows';

export interface StationRow {
  id: string;
  name: string;
  city: string;
  address: string;
  operatorOrg: string;
  active: boolean;
  bays: number;
}

export interface ChargerRow {
  id: string;
  networkOrg: string;
  name: string;
  city: string;
  address: string;
}

const STATION_COLS = 'x.id, x.name, x.city, x.address, x.operator_org, x.active, x.bays';
function toStation(r: Raw): StationRow {
  return {
    id: String(r.id),
    name: String(r.name),
    city: String(r.city),
    address: String(r.address),
    operatorOrg: String(r.operator_org),
    active: Boolean(r.active),
    bays: Number(r.bays),
  };
}

const CHARGER_COLS = 'x.id, x.network_org, x.name, x.city, x.address';
function toCharger(r: Raw): ChargerRow {
  return { id: String(r.id), networkOrg: String(r.network_org), name: String(r.name), city: String(r.city), address: String(r.address) };
}

export async function stationsByIds(q: Queryable, ids: readonly string[]): Promise<StationRow[]> {
  return (await q.query<Raw>(`SELECT ${STATION_COLS} FROM energy.swap_stations x WHERE x.id = ANY($1::text[])`, [ids])).map(toStation);
}

export async function chargersByIds(q: Queryable, ids: readonly string[]): Promise<ChargerRow[]> {
  return (await q.query<Raw>(`SELECT ${CHARGER_COLS} FROM energy.chargers x WHERE x.id = ANY($1::text[])`, [ids])).map(toCharger);
}

/** Stations ordered by name, then id; optionally within one city. */
export async function listStations(q: Queryable, city: string | null, after: SortAfter | null, limit: number): Promise<StationRow[]> {
  const rows = await q.query<Raw>(
    `SELECT ${STATION_COLS} FROM energy.swap_stations x
      WHERE ($1::text IS NULL OR x.city = $1::text)
        AND ($2::text IS NULL OR (x.name, x.id) > ($2::text, $3::text))
      ORDER BY x.name, x.id
      LIMIT $4`,
    [city, after ? String(after[0]) : null, after ? after[1] : '', limit],
  );
  return rows.map(toStation);
}

/** Chargers ordered by name, then id; optionally of one network. */
export async function listChargers(q: Queryable, networkOrg: string | null, after: SortAfter | null, limit: number): Promise<ChargerRow[]> {
  const rows = await q.query<Raw>(
    `SELECT ${CHARGER_COLS} FROM energy.chargers x
      WHERE ($1::text IS NULL OR x.network_org = $1::text)
        AND ($2::text IS NULL OR (x.name, x.id) > ($2::text, $3::text))
      ORDER BY x.name, x.id
      LIMIT $4`,
    [networkOrg, after ? String(after[0]) : null, after ? after[1] : '', limit],
  );
  return rows.map(toCharger);
}
