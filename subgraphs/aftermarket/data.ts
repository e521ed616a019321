/**
 * All SQL of the aftermarket subgraph. Every statement is schema-qualified (`aftermarket.`), every
 * list is read for many parents at once (`= ANY($1)`), and every state change is a conditional
 * UPDATE so two concurrent requests cannot both succeed.
 */
import { bulkInsert } from '../kit/bulk';
import type { Queryable } from '../kit/db';
import { fenFromDb } from '../../platform/money';

export const STORE_KINDS = ['MAINTENANCE', 'COOPERATIVE', 'MODIFICATION', 'FILM'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];
export const SERVICE_TYPES = ['MAINTENANCE', 'REPAIR', 'TYRES', 'FILM', 'MODIFICATION', 'WARRANTY_REPAIR'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
export type AppointmentStatus = 'BOOKED' | 'COMPLETED' | 'CANCELLED';
export type InvoiceLineKind = 'PART' | 'LABOUR';
export type WarrantyClaimStatus = 'SUBMITTED' | 'APPROVED' | 'REJECTED';

export interface Store {
  id: string;
  name: string;
  kind: StoreKind;
  city: string;
  address: string;
  org: string;
  services: ServiceType[];
}

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

export interface Invoice {
  id: string;
  appointmentId: string;
  storeId: string;
  vin: string;
  userId: string;
  issuedAt: Date;
  warrantyCoveredFen: bigint;
  /** What the platform pays the store for lines covered by the vehicle's prepaid maintenance package. */
  platformSettledFen: bigint;
  ownerPaidFen: bigint;
  lineCount: number;
  /** Which of the vehicle's prepaid maintenance services this invoice used (1 = first); null when none. */
  packageServiceNo: number | null;
}

export interface InvoiceLine {
  invoiceId: string;
  position: number;
  kind: InvoiceLineKind;
  description: string;
  quantity: number;
  unitPriceFen: bigint;
  amountFen: bigint;
  warrantyCovered: boolean;
  /**
   * Reached by the vehicle's prepaid maintenance package while its allowance lasted (coveredBy:
   * MAINTENANCE_PACKAGE); `packageSettledFen` of it is settled by the platform, the rest by the owner.
   */
  packageCovered: boolean;
  /** The part of the line the platform settles: 0 ≤ it ≤ amountFen, and 0 unless packageCovered. */
  packageSettledFen: bigint;
}

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

export interface WarrantyClaim {
  id: string;
  invoiceId: string;
  linePosition: number;
  vin: string;
  /** The claimed line's description. */
  description: string;
  amountFen: bigint;
  status: WarrantyClaimStatus;
  submittedAt: Date;
  decidedAt: Date | null;
}

/** A keyset position in a list ordered by (time DESC, id DESC). */
export interface TimeKey {
  at: Date;
  id: string;
}

/** A keyset position in the store listing, ordered by (name, id). */
export interface NameKey {
  name: string;
  id: string;
}

// ---------------------------------------------------------------------------------------------
// Row mapping
// ---------------------------------------------------------------------------------------------

const STORE_COLUMNS = `id, name, kind, city, address, org, services`;
const APPOINTMENT_COLUMNS = `id, store_id, vin, user_id, service_type, scheduled_at, status, note, created_at, completed_at, cancelled_at`;
const INVOICE_COLUMNS = `id, appointment_id, store_id, vin, user_id, issued_at, warranty_covered_fen::text AS warranty_covered_fen, platform_settled_fen::text AS platform_settled_fen, owner_paid_fen::text AS owner_paid_fen, line_count, package_service_no`;
const LINE_COLUMNS = `invoice_id, position, kind, description, quantity, unit_price_fen::text AS unit_price_fen, amount_fen::text AS amount_fen, warranty_covered, package_covered, package_settled_fen::text AS package_settled_fen`;
const FITTING_COLUMNS = `id, vin, package_id, store_id, items, fitted_at, recorded_by`;
const CLAIM_COLUMNS = `c.id, c.invoice_id, c.line_position, c.vin, l.description, c.amount_fen::text AS amount_fen, c.status, c.submitted_at, c.decided_at`;

type Row = Record<string, unknown>;
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

function toStore(r: Row): Store {
  return {
    id: String(r.id),
    name: String(r.name),
    kind: r.kind as StoreKind,
    city: String(r.city),
    address: String(r.address),
    org: String(r.org),
    services: r.services as ServiceType[],
  };
}

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

function toInvoice(r: Row): Invoice {
  return {
    id: String(r.id),
    appointmentId: String(r.appointment_id),
    storeId: String(r.store_id),
    vin: String(r.vin),
    userId: String(r.user_id),
    issuedAt: date(r.issued_at),
    warrantyCoveredFen: fenFromDb(r.warranty_covered_fen),
    platformSettledFen: fenFromDb(r.platform_settled_fen),
    ownerPaidFen: fenFromDb(r.owner_paid_fen),
    lineCount: Number(r.line_count),
    packageServiceNo: r.package_service_no === null || r.package_service_no === undefined ? null : Number(r.package_service_no),
  };
}

function toLine(r: Row): InvoiceLine {
  return {
    invoiceId: String(r.invoice_id),
    position: Number(r.position),
    kind: r.kind as InvoiceLineKind,
    description: String(r.description),
    quantity: Number(r.quantity),
    unitPriceFen: fenFromDb(r.unit_price_fen),
    amountFen: fenFromDb(r.amount_fen),
    warrantyCovered: Boolean(r.warranty_covered),
    packageCovered: Boolean(r.package_covered),
    packageSettledFen: fenFromDb(r.package_settled_fen),
  };
}

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

function toClaim(r: Row): WarrantyClaim {
  return {
    id: String(r.id),
    invoiceId: String(r.invoice_id),
    linePosition: Number(r.line_position),
    vin: String(r.vin),
    description: String(r.description),
    amountFen: fenFromDb(r.amount_fen),
    status: r.status as WarrantyClaimStatus,
    submittedAt: date(r.submitted_at),
    decidedAt: dateOrNull(r.decided_at),
  };
}

/** Groups rows by a key, keeping their order. */
function groupBy<T>(rows: T[], keyOf: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = out.get(key);
    if (list) list.push(row);
    else out.set(key, [row]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------------------------

export async function storesByIds(q: Queryable, ids: readonly string[]): Promise<Map<string, Store>> {
  const rows = await q.query<Row>(`SELECT ${STORE_COLUMNS} FROM aftermarket.stores WHERE id = ANY($1::text[])`, [ids]);
  return new Map(rows.map((r) => [String(r.id), toStore(r)]));
}

/** Up to `limit` stores after `after` in (name, id) order, optionally of one city (case-insensitive) and kind. */
export async function listStores(q: Queryable, filter: { city: string | null; kind: StoreKind | null }, after: NameKey | null, limit: number): Promise<Store[]> {
  const rows = await q.query<Row>(
    `SELECT ${STORE_COLUMNS} FROM aftermarket.stores
      WHERE ($1::text IS NULL OR lower(city) = lower($1::text))
        AND ($2::text IS NULL OR kind = $2::text)
        AND ($3::text IS NULL OR (name COLLATE "C", id COLLATE "C") > ($3::text COLLATE "C", $4::text COLLATE "C"))
      ORDER BY name COLLATE "C", id COLLATE "C"
      LIMIT $5`,
    [filter.city, filter.kind, after?.name ?? null, after?.id ?? null, limit],
  );
  return rows.map(toStore);
}

// ---------------------------------------------------------------------------------------------
// Appointments
// ---------------------------------------------------------------------------------------------

export async function appointmentsByIds(q: Queryable, ids: readonly string[]): Promise<Map<string, Appointment>> {
  const rows = await q.query<Row>(`SELECT ${APPOINTMENT_COLUMNS} FROM aftermarket.appointments WHERE id = ANY($1::text[])`, [ids]);
  return new Map(rows.map((r) => [String(r.id), toAppointment(r)]));
}

/**
 * For each user, up to `limit` appointments after `after`, latest scheduled first — one statement for
 * all users (a window per user), so a page of users costs the same as one.
 */
export async function appointmentPagesByUsers(q: Queryable, userIds: readonly string[], after: TimeKey | null, limit: number): Promise<Map<string, Appointment[]>> {
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
  return groupBy(rows.map(toAppointment), (a) => a.userId);
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

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  return e?.code === '23505' && (e.constraint === constraint || String(e.message ?? '').includes(constraint));
}

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

// ---------------------------------------------------------------------------------------------
// Invoices, lines and warranty claims
// ---------------------------------------------------------------------------------------------

export async function invoicesByIds(q: Queryable, ids: readonly string[]): Promise<Map<string, Invoice>> {
  const rows = await q.query<Row>(`SELECT ${INVOICE_COLUMNS} FROM aftermarket.invoices WHERE id = ANY($1::text[])`, [ids]);
  return new Map(rows.map((r) => [String(r.id), toInvoice(r)]));
}

export async function invoicesByAppointmentIds(q: Queryable, appointmentIds: readonly string[]): Promise<Map<string, Invoice>> {
  const rows = await q.query<Row>(`SELECT ${INVOICE_COLUMNS} FROM aftermarket.invoices WHERE appointment_id = ANY($1::text[])`, [appointmentIds]);
  return new Map(rows.map((r) => [String(r.appointment_id), toInvoice(r)]));
}

/** Whose invoices a page lists: one user's, or one vehicle's. */
export type InvoiceParent = 'user_id' | 'vin';

/** For each parent (user or VIN), up to `limit` invoices after `after`, latest first — one statement for all parents. */
export async function invoicePagesByParents(q: Queryable, parent: InvoiceParent, parentIds: readonly string[], after: TimeKey | null, limit: number): Promise<Map<string, Invoice[]>> {
  const column = parent === 'vin' ? 'vin' : 'user_id';
  const rows = await q.query<Row>(
    `SELECT ${INVOICE_COLUMNS} FROM (
        SELECT i.*, row_number() OVER (PARTITION BY i.${column} ORDER BY i.issued_at DESC, i.id COLLATE "C" DESC) AS rn
          FROM aftermarket.invoices i
         WHERE i.${column} = ANY($1::text[])
           AND ($2::timestamptz IS NULL OR (i.issued_at, i.id COLLATE "C") < ($2::timestamptz, $3::text COLLATE "C"))
      ) t
      WHERE rn <= $4
      ORDER BY ${column}, rn`,
    [parentIds, after?.at ?? null, after?.id ?? null, limit],
  );
  return groupBy(rows.map(toInvoice), (i) => (parent === 'vin' ? i.vin : i.userId));
}

export async function linesByInvoiceIds(q: Queryable, invoiceIds: readonly string[]): Promise<Map<string, InvoiceLine[]>> {
  const rows = await q.query<Row>(`SELECT ${LINE_COLUMNS} FROM aftermarket.invoice_lines WHERE invoice_id = ANY($1::text[]) ORDER BY invoice_id, position`, [invoiceIds]);
  return groupBy(rows.map(toLine), (l) => l.invoiceId);
}

export async function claimsByIds(q: Queryable, ids: readonly string[]): Promise<Map<string, WarrantyClaim>> {
  const rows = await q.query<Row>(
    `SELECT ${CLAIM_COLUMNS} FROM aftermarket.warranty_claims c
       JOIN aftermarket.invoice_lines l ON l.invoice_id = c.invoice_id AND l.position = c.line_position
      WHERE c.id = ANY($1::text[])`,
    [ids],
  );
  return new Map(rows.map((r) => [String(r.id), toClaim(r)]));
}

export async function claimsByInvoiceIds(q: Queryable, invoiceIds: readonly string[]): Promise<Map<string, WarrantyClaim[]>> {
  const rows = await q.query<Row>(
    `SELECT ${CLAIM_COLUMNS} FROM aftermarket.warranty_claims c
       JOIN aftermarket.invoice_lines l ON l.invoice_id = c.invoice_id AND l.position = c.line_position
      WHERE c.invoice_id = ANY($1::text[])
      ORDER BY c.invoice_id, c.line_position`,
    [invoiceIds],
  );
  return groupBy(rows.map(toClaim), (c) => c.invoiceId);
}

/**
 * Serialises the prepaid-service redemptions of one vehicle until the transaction ends, then answers how
 * many of its prepaid services invoices have used. Two concurrent invoices of one car cannot both take
 * its last service (the unique index on (vin, package_service_no) would refuse the second anyway).
 */
export async function lockAndCountPackageServices(q: Queryable, vin: string): Promise<number> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`aftermarket-package-services-${vin}`]);
  const [row] = await q.query<{ n: string }>(`SELECT count(*)::text AS n FROM aftermarket.invoices WHERE vin = $1 AND package_service_no IS NOT NULL`, [vin]);
  return Number(row.n);
}

/** For each VIN, how many prepaid maintenance services its invoices have used (0 when none). */
export async function packageServicesUsedByVins(q: Queryable, vins: readonly string[]): Promise<Map<string, number>> {
  const rows = await q.query<{ vin: string; n: string }>(
    `SELECT vin, count(*)::text AS n FROM aftermarket.invoices WHERE vin = ANY($1::text[]) AND package_service_no IS NOT NULL GROUP BY vin`,
    [vins],
  );
  return new Map(rows.map((r) => [r.vin, Number(r.n)]));
}

/** For each VIN, its package fittings, oldest first. */
export async function fittingsByVins(q: Queryable, vins: readonly string[]): Promise<Map<string, PackageFitting[]>> {
  const rows = await q.query<Row>(`SELECT ${FITTING_COLUMNS} FROM aftermarket.package_fittings WHERE vin = ANY($1::text[]) ORDER BY vin, fitted_at, id`, [vins]);
  return groupBy(rows.map(toFitting), (f) => f.vin);
}

/** Thrown by `insertFittingRows` when the vehicle's package is already fitted. */
export class AlreadyFittedError extends Error {}

/** Records fittings (one per vehicle); AlreadyFittedError when a vehicle already has one. */
export async function insertFittingRows(q: Queryable, rows: PackageFitting[]): Promise<void> {
  try {
    await bulkInsert(
      q,
      'aftermarket.package_fittings',
      [['id', 'text'], ['vin', 'text'], ['package_id', 'text'], ['store_id', 'text'], ['items', 'text[]'], ['fitted_at', 'timestamptz'], ['recorded_by', 'text']],
      rows.map((f) => [f.id, f.vin, f.packageId, f.storeId, f.items, f.fittedAt, f.recordedBy]),
    );
  } catch (err) {
    if (isUniqueViolation(err, 'package_fittings_vin_key')) throw new AlreadyFittedError();
    throw err;
  }
}

/** A complete invoice to write: the invoice, its lines and one claim per covered line. */
export interface NewInvoice {
  invoice: Invoice;
  lines: InvoiceLine[];
  claims: Array<Omit<WarrantyClaim, 'description'>>;
}

/** Thrown by `insertInvoice` when the appointment already has an invoice. */
export class AlreadyInvoicedError extends Error {}

/** Writes an invoice with its lines and claims: three statements, whatever the number of lines. Call inside a transaction. */
export async function insertInvoice(q: Queryable, n: NewInvoice): Promise<void> {
  try {
    await insertInvoiceRows(q, [n.invoice]);
  } catch (err) {
    if (isUniqueViolation(err, 'invoices_appointment_id_key')) throw new AlreadyInvoicedError();
    throw err;
  }
  await insertLineRows(q, n.lines);
  await insertClaimRows(q, n.claims);
}

// ---------------------------------------------------------------------------------------------
// Bulk writes (the invoice path above and the seed): the kit's bulkInsert, one statement per table per chunk.
// ---------------------------------------------------------------------------------------------

export async function insertStoreRows(q: Queryable, stores: Store[]): Promise<void> {
  await bulkInsert(
    q,
    'aftermarket.stores',
    [['id', 'text'], ['name', 'text'], ['kind', 'text'], ['city', 'text'], ['address', 'text'], ['org', 'text'], ['services', 'text[]']],
    stores.map((s) => [s.id, s.name, s.kind, s.city, s.address, s.org, s.services]),
  );
}

export async function insertAppointmentRows(q: Queryable, rows: Appointment[]): Promise<void> {
  await bulkInsert(
    q,
    'aftermarket.appointments',
    [['id', 'text'], ['store_id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['service_type', 'text'], ['scheduled_at', 'timestamptz'], ['status', 'text'], ['note', 'text'], ['created_at', 'timestamptz'], ['completed_at', 'timestamptz'], ['cancelled_at', 'timestamptz']],
    rows.map((a) => [a.id, a.storeId, a.vin, a.userId, a.serviceType, a.scheduledAt, a.status, a.note, a.createdAt, a.completedAt, a.cancelledAt]),
  );
}

export async function insertInvoiceRows(q: Queryable, rows: Invoice[]): Promise<void> {
  await bulkInsert(
    q,
    'aftermarket.invoices',
    [
      ['id', 'text'], ['appointment_id', 'text'], ['store_id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['issued_at', 'timestamptz'],
      ['warranty_covered_fen', 'bigint'], ['platform_settled_fen', 'bigint'], ['owner_paid_fen', 'bigint'], ['line_count', 'integer'], ['package_service_no', 'integer'],
    ],
    rows.map((i) => [i.id, i.appointmentId, i.storeId, i.vin, i.userId, i.issuedAt, i.warrantyCoveredFen, i.platformSettledFen, i.ownerPaidFen, i.lineCount, i.packageServiceNo]),
  );
}

export async function insertLineRows(q: Queryable, rows: InvoiceLine[]): Promise<void> {
  await bulkInsert(
    q,
    'aftermarket.invoice_lines',
    [['invoice_id', 'text'], ['position', 'integer'], ['kind', 'text'], ['description', 'text'], ['quantity', 'integer'], ['unit_price_fen', 'bigint'], ['amount_fen', 'bigint'], ['warranty_covered', 'boolean'], ['package_covered', 'boolean'], ['package_settled_fen', 'bigint']],
    rows.map((l) => [l.invoiceId, l.position, l.kind, l.description, l.quantity, l.unitPriceFen, l.amountFen, l.warrantyCovered, l.packageCovered, l.packageSettledFen]),
  );
}

export async function insertClaimRows(q: Queryable, rows: Array<Omit<WarrantyClaim, 'description'>>): Promise<void> {
  await bulkInsert(
    q,
    'aftermarket.warranty_claims',
    [['id', 'text'], ['invoice_id', 'text'], ['line_position', 'integer'], ['vin', 'text'], ['amount_fen', 'bigint'], ['status', 'text'], ['submitted_at', 'timestamptz'], ['decided_at', 'timestamptz']],
    rows.map((c) => [c.id, c.invoiceId, c.linePosition, c.vin, c.amountFen, c.status, c.submittedAt, c.decidedAt]),
  );
}
