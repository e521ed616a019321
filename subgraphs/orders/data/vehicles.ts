/** The SQL of vehicles (`orders.vehicles`): registered when an order is delivered, one row per VIN. */
import type { Queryable } from '../../../platform/db';
import { date, type Row } from './rows';
import type { TimeKey } from '../../kit/pagination';
import { pagesByParent, type ParentPageSpec } from '../../kit/parent-pages';

export interface Vehicle {
  vin: string;
  orderId: string;
  ownerId: string;
  trimId: string;
  batteryRental: boolean;
  manufacturerOrg: string;
  deliveredAt: Date;
}

function toVehicle(r: Row): Vehicle {
  return {
    vin: r.vin as string,
    orderId: r.order_id as string,
    ownerId: r.owner_id as string,
    trimId: r.trim_id as string,
    batteryRental: r.battery_rental as boolean,
    manufacturerOrg: r.manufacturer_org as string,
    deliveredAt: date(r.delivered_at),
  };
}

export async function vehiclesByVins(q: Queryable, vins: readonly string[]): Promise<Vehicle[]> {
  const rows = await q.query(`SELECT * FROM orders.vehicles WHERE vin = ANY($1::text[])`, [vins]);
  return rows.map(toVehicle);
}

export async function vehiclesByOrderIds(q: Queryable, orderIds: readonly string[]): Promise<Vehicle[]> {
  const rows = await q.query(`SELECT * FROM orders.vehicles WHERE order_id = ANY($1::text[])`, [orderIds]);
  return rows.map(toVehicle);
}

const VEHICLE_LIST: ParentPageSpec<Vehicle> = { table: 'orders.vehicles', cols: 'x.*', parentCols: ['x.owner_id'], sortCol: 'x.delivered_at', sortType: 'timestamptz', idCol: 'x.vin', map: toVehicle };
export const vehiclePages = (q: Queryable, userIds: readonly string[], after: TimeKey | null, limit: number) => pagesByParent(q, VEHICLE_LIST, userIds, after, limit);

/** Registers a delivered vehicle; null when the VIN is already registered. */
export async function insertVehicle(q: Queryable, v: Vehicle): Promise<Vehicle | null> {
  const [row] = await q.query(
    `INSERT INTO orders.vehicles (vin, order_id, owner_id, trim_id, battery_rental, manufacturer_org, delivered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (vin) DO NOTHING RETURNING *`,
    [v.vin, v.orderId, v.ownerId, v.trimId, v.batteryRental, v.manufacturerOrg, v.deliveredAt],
  );
  return row ? toVehicle(row) : null;
}
