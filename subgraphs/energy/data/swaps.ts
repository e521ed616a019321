/** Battery swaps' SQL (`energy.swap_sessions`): lookups, per-parent pages, the plan's monthly count, the insert. */
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';
import { pagesByParent, type SortAfter } from '../../kit/parent-pages';
import { date, type Raw } from './rows';

export interface SwapRow {
  id: string;
  stationId: string;
  vin: string;
  userId: string;
  swappedAt: Date;
  feeFen: bigint;
  subscriptionId: string | null;
  coveredByPlan: boolean;
  stateOfChargeBefore: number;
  stateOfChargeAfter: number;
}

const SWAP_COLS =
  'x.id, x.station_id, x.vin, x.user_id, x.swapped_at, x.fee_fen, x.subscription_id, x.covered_by_plan, x.state_of_charge_before, x.state_of_charge_after';
function toSwap(r: Raw): SwapRow {
  return {
    id: String(r.id),
    stationId: String(r.station_id),
    vin: String(r.vin),
    userId: String(r.user_id),
    swappedAt: date(r.swapped_at),
    feeFen: fenFromDb(r.fee_fen),
    subscriptionId: r.subscription_id === null || r.subscription_id === undefined ? null : String(r.subscription_id),
    coveredByPlan: Boolean(r.covered_by_plan),
    stateOfChargeBefore: Number(r.state_of_charge_before),
    stateOfChargeAfter: Number(r.state_of_charge_after),
  };
}

export async function swapsByIds(q: Queryable, ids: readonly string[]): Promise<SwapRow[]> {
  return (await q.query<Raw>(`SELECT ${SWAP_COLS} FROM energy.swap_sessions x WHERE x.id = ANY($1::text[])`, [ids])).map(toSwap);
}

const SWAP_PAGE = { table: 'energy.swap_sessions', cols: SWAP_COLS, sortCol: 'x.swapped_at', sortType: 'timestamptz', map: toSwap } as const;

/** Swaps of each (vin, owner): a vehicle's history as paid by its current owner. */
export const swapPagesByVehicleOwner = (q: Queryable, parents: readonly (readonly [string, string])[], after: SortAfter | null, limit: number) =>
  pagesByParent(q, { ...SWAP_PAGE, parentCols: ['x.user_id', 'x.vin'] }, parents.map(([vin, owner]) => [owner, vin]), after, limit);

/** Swaps of each user, across their vehicles. */
export const swapPagesByUser = (q: Queryable, userIds: readonly string[], after: SortAfter | null, limit: number) =>
  pagesByParent(q, { ...SWAP_PAGE, parentCols: ['x.user_id'] }, userIds, after, limit);

/** Swaps recorded at each station. */
export const swapPagesByStation = (q: Queryable, stationIds: readonly string[], after: SortAfter | null, limit: number) =>
  pagesByParent(q, { ...SWAP_PAGE, parentCols: ['x.station_id'] }, stationIds, after, limit);

/** How many of a subscription's included swaps were used in [from, to). */
export async function countCoveredSwaps(q: Queryable, subscription: { id: string; userId: string }, from: Date, to: Date): Promise<number> {
  // user_id is redundant with the subscription but lets the (user_id, swapped_at) index find the month.
  const rows = await q.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM energy.swap_sessions
      WHERE user_id = $2 AND subscription_id = $1 AND covered_by_plan AND swapped_at >= $3 AND swapped_at < $4`,
    [subscription.id, subscription.userId, from, to],
  );
  return Number(rows[0].n);
}

export async function insertSwap(q: Queryable, s: SwapRow & { recordedBy: string }): Promise<SwapRow> {
  const rows = await q.query<Raw>(
    `INSERT INTO energy.swap_sessions AS x
       (id, station_id, vin, user_id, swapped_at, fee_fen, subscription_id, covered_by_plan, state_of_charge_before, state_of_charge_after, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING ${SWAP_COLS}`,
    [s.id, s.stationId, s.vin, s.userId, s.swappedAt, s.feeFen.toString(), s.subscriptionId, s.coveredByPlan, s.stateOfChargeBefore, s.stateOfChargeAfter, s.recordedBy],
  );
  return toSwap(rows[0]);
}
