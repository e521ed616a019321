/**
 * Appointments' SQL (`aftermarket.appointments`): lookups, per-user and per-store pages, and the state
 * changes, each a conditional UPDATE so two concurrent requests cannot both succeed.
 */
import { insertAll, type BulkTableSpec } from '../../kit/bulk';
import type { Queryable } from '../../../platform/db';
import { groupBy } from '../../kit/loaders';
import type { TimeKey } from '../../kit/pagination';
import { date, dateOrNull, isUniqueViolation, type Row } from './rows';
import type { ServiceType } from './stores';

export type AppointmentStatus = 'BOOKED' | 'COMPLETED' | 'CANCELLED';

export interface Appointment {
  id: string;
  storeId: string;
  vin: string;
  userId: string;
  serviceType: ServiceType;
  scheduledAt: Date;
  status: AppointmentStatus;
  note: string | null;
  createdAt: Date;
  completedAt: Date | null;
  cancelledAt: Date | null;
}

const APPOINTMENT_COLUMNS = `id, store_id, vin, user_id, service_type, scheduled_at, status, note, created_at, completed_at, cancelled_at`;

function toAppointment(r: Row): Appointment {
  return {
    id: String(r.id),
    storeId: String(r.store_id),
    vin: String(r.vin),
    userId: String(r.user_id),
    serviceType: r.service_type as ServiceType,
    scheduledAt: date(r.scheduled_at),
    status: r.status as AppointmentStatus,
    note: (r.note as string | null) ?? null,
    createdAt: date(r.created_at),
    completedAt: dateOrNull(r.completed_at),
    cancelledAt: dateOrNull(r.cancelled_at),
  };
}

export async function appointmentsByIds(q: Queryable, ids: readonly string[]): Promise<Appointment[]> {
  const rows = await q.query<Row>(`SELECT ${APPOINTMENT_COLUMNS} FROM aftermarket.appointments WHERE id = ANY($1::text[])`, [ids]);
  return rows.map(toAppointment);
}

/**
 * For each user, up to `limit` appointments after `after`, latest scheduled first — one statement for
 * all users (a window per user), so a page of users costs the same as one. One list per user, in their order.
 */
export async function appointmentPagesByUsers(q: Queryable, userIds: readonly string[], after: TimeKey | null, limit: number): Promise<Appointment[][]> {
  const rows = await q.query<Row>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM (
        SELECT a.*, row_number() OVER (PARTITION BY a.user_id ORDER BY a.scheduled_at DESC, a.id COLLATE "C" DESC) AS rn
          FROM aftermarket.appointments a
         WHERE a.user_id = ANY($1::text[])
           AND ($2::timestamptz IS NULL OR (a.scheduled_at, a.id COLLATE "C") < ($2::timestamptz, $3::text COLLATE "C"))
      ) t
      WHERE rn <= $4
      ORDER BY user_id, rn`,
    [userIds, after?.at ?? null, after?.id ?? null, limit],
  );
  return groupBy(userIds, rows.map(toAppointment), (a) => a.userId);
}

/** Up to `limit` of a store's appointments after `after`, latest scheduled first, optionally of one status. */
export async function appointmentsOfStore(q: Queryable, storeId: string, status: AppointmentStatus | null, after: TimeKey | null, limit: number): Promise<Appointment[]> {
  const rows = await q.query<Row>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM aftermarket.appointments
      WHERE store_id = $1
        AND ($2::text IS NULL OR status = $2::text)
        AND ($3::timestamptz IS NULL OR (scheduled_at, id COLLATE "C") < ($3::timestamptz, $4::text COLLATE "C"))
      ORDER BY scheduled_at DESC, id COLLATE "C" DESC
      LIMIT $5`,
    [storeId, status, after?.at ?? null, after?.id ?? null, limit],
  );
  return rows.map(toAppointment);
}

/** Thrown by `insertAppointment` when the vehicle already has a booking at that exact time. */
export class SlotTakenError extends Error {}

export async function insertAppointment(q: Queryable, a: Omit<Appointment, 'status' | 'completedAt' | 'cancelledAt'>): Promise<Appointment> {
  try {
    const rows = await q.query<Row>(
      `INSERT INTO aftermarket.appointments (id, store_id, vin, user_id, service_type, scheduled_at, status, note, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'BOOKED', $7, $8)
       RETURNING ${APPOINTMENT_COLUMNS}`,
      [a.id, a.storeId, a.vin, a.userId, a.serviceType, a.scheduledAt, a.note, a.createdAt],
    );
    return toAppointment(rows[0]);
  } catch (err) {
    if (isUniqueViolation(err, 'appointments_one_booking_per_slot')) throw new SlotTakenError();
    throw err;
  }
}

/** BOOKED → CANCELLED; null when the appointment is not BOOKED (any more). */
export async function cancelBookedAppointment(q: Queryable, id: string, at: Date): Promise<Appointment | null> {
  const rows = await q.query<Row>(
    `UPDATE aftermarket.appointments SET status = 'CANCELLED', cancelled_at = $2
      WHERE id = $1 AND status = 'BOOKED'
      RETURNING ${APPOINTMENT_COLUMNS}`,
    [id, at],
  );
  return rows.length ? toAppointment(rows[0]) : null;
}

/** BOOKED → COMPLETED; null when the appointment is not BOOKED (any more). The row stays locked until the transaction ends. */
export async function completeBookedAppointment(q: Queryable, id: string, at: Date): Promise<Appointment | null> {
  const rows = await q.query<Row>(
    `UPDATE aftermarket.appointments SET status = 'COMPLETED', completed_at = $2
      WHERE id = $1 AND status = 'BOOKED'
      RETURNING ${APPOINTMENT_COLUMNS}`,
    [id, at],
  );
  return rows.length ? toAppointment(rows[0]) : null;
}

/** True when `vin` has a BOOKED or COMPLETED MODIFICATION appointment at `storeId`: the visit a package fitting belongs to. */
export async function hasModificationVisit(q: Queryable, vin: string, storeId: string): Promise<boolean> {
  const rows = await q.query(
    `SELECT 1 FROM aftermarket.appointments WHERE vin = $1 AND store_id = $2 AND service_type = 'MODIFICATION' AND status IN ('BOOKED', 'COMPLETED') LIMIT 1`,
    [vin, storeId],
  );
  return rows.length > 0;
}

export async function appointmentStatus(q: Queryable, id: string): Promise<AppointmentStatus | null> {
  const rows = await q.query<{ status: AppointmentStatus }>(`SELECT status FROM aftermarket.appointments WHERE id = $1`, [id]);
  return rows[0]?.status ?? null;
}

/** The appointments table for the bulk writers. */
export const APPOINTMENTS_TABLE: BulkTableSpec<Appointment> = {
  name: 'aftermarket.appointments',
  columns: [['id', 'text'], ['store_id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['service_type', 'text'], ['scheduled_at', 'timestamptz'], ['status', 'text'], ['note', 'text'], ['created_at', 'timestamptz'], ['completed_at', 'timestamptz'], ['cancelled_at', 'timestamptz']],
  row: (a) => [a.id, a.storeId, a.vin, a.userId, a.serviceType, a.scheduledAt, a.status, a.note, a.createdAt, a.completedAt, a.cancelledAt],
};

export async function insertAppointmentRows(q: Queryable, rows: Appointment[]): Promise<void> {
  await insertAll(q, APPOINTMENTS_TABLE, rows);
}
