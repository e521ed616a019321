/** Charging sessions' SQL (`energy.charging_sessions`): lookups, per-parent pages, the insert. */
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';
import { pagesByParent, type SortAfter } from '../../kit/parent-pages';
import { date, type Raw } from './rows';

export interface ChargingRow {
  id: string;
  vin: string;
  userId: string;
  /** The charger it was recorded on; null for sessions recorded before chargers existed. */
  chargerId: string | null;
  networkOrg: string;
  location: string;
  startedAt: Date;
  endedAt: Date;
  energyWh: number;
  feeFen: bigint;
}

const CHARGING_COLS = 'x.id, x.vin, x.user_id, x.charger_id, x.network_org, x.location, x.started_at, x.ended_at, x.energy_wh, x.fee_fen';
function toCharging(r: Raw): ChargingRow {
  return {
    id: String(r.id),
    vin: String(r.vin),
    userId: String(r.user_id),
    chargerId: r.charger_id === null || r.charger_id === undefined ? null : String(r.charger_id),
    networkOrg: String(r.network_org),
    location: String(r.location),
    startedAt: date(r.started_at),
    endedAt: date(r.ended_at),
    energyWh: Number(r.energy_wh),
    feeFen: fenFromDb(r.fee_fen),
  };
}

export async function chargingByIds(q: Queryable, ids: readonly string[]): Promise<ChargingRow[]> {
  return (await q.query<Raw>(`SELECT ${CHARGING_COLS} FROM energy.charging_sessions x WHERE x.id = ANY($1::text[])`, [ids])).map(toCharging);
}

const CHARGING_PAGE = { table: 'energy.charging_sessions', cols: CHARGING_COLS, sortCol: 'x.started_at', sortType: 'timestamptz', map: toCharging } as const;

/** Charging sessions of each (vin, owner). */
export const chargingPagesByVehicleOwner = (q: Queryable, parents: readonly (readonly [string, string])[], after: SortAfter | null, limit: number) =>
  pagesByParent(q, { ...CHARGING_PAGE, parentCols: ['x.user_id', 'x.vin'] }, parents.map(([vin, owner]) => [owner, vin]), after, limit);

/** Charging sessions of each user. */
export const chargingPagesByUser = (q: Queryable, userIds: readonly string[], after: SortAfter | null, limit: number) =>
  pagesByParent(q, { ...CHARGING_PAGE, parentCols: ['x.user_id'] }, userIds, after, limit);

export async function insertCharging(q: Queryable, c: ChargingRow & { recordedBy: string }): Promise<ChargingRow> {
  const rows = await q.query<Raw>(
    `INSERT INTO energy.charging_sessions AS x
       (id, vin, user_id, charger_id, network_org, location, started_at, ended_at, energy_wh, fee_fen, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING ${CHARGING_COLS}`,
    [c.id, c.vin, c.userId, c.chargerId, c.networkOrg, c.location, c.startedAt, c.endedAt, c.energyWh, c.feeFen.toString(), c.recordedBy],
  );
  return toCharging(rows[0]);
}
