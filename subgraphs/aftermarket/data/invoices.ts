/**
 * Invoices' SQL: `aftermarket.invoices` with their lines and warranty claims (one aggregate, written
 * together), and the count of prepaid maintenance services a vehicle's invoices have used.
 */
import { insertAll, type BulkTableSpec } from '../../kit/bulk';
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';
import { groupBy } from '../../kit/loaders';
import type { TimeKey } from '../../kit/pagination';
import { date, dateOrNull, isUniqueViolation, type Row } from './rows';

export type InvoiceLineKind = 'PART' | 'LABOUR';
export type WarrantyClaimStatus = 'SUBMITTED' | 'APPROVED' | 'REJECTED';

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

const INVOICE_COLUMNS = `id, appointment_id, store_id, vin, user_id, issued_at, warranty_covered_fen::text AS warranty_covered_fen, platform_settled_fen::text AS platform_settled_fen, owner_paid_fen::text AS owner_paid_fen, line_count, package_service_no`;
const LINE_COLUMNS = `invoice_id, position, kind, description, quantity, unit_price_fen::text AS unit_price_fen, amount_fen::text AS amount_fen, warranty_covered, package_covered, package_settled_fen::text AS package_settled_fen`;
const CLAIM_COLUMNS = `c.id, c.invoice_id, c.line_position, c.vin, l.description, c.amount_fen::text AS amount_fen, c.status, c.submitted_at, c.decided_at`;

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

export async function invoicesByIds(q: Queryable, ids: readonly string[]): Promise<Invoice[]> {
  const rows = await q.query<Row>(`SELECT ${INVOICE_COLUMNS} FROM aftermarket.invoices WHERE id = ANY($1::text[])`, [ids]);
  return rows.map(toInvoice);
}

export async function invoicesByAppointmentIds(q: Queryable, appointmentIds: readonly string[]): Promise<Invoice[]> {
  const rows = await q.query<Row>(`SELECT ${INVOICE_COLUMNS} FROM aftermarket.invoices WHERE appointment_id = ANY($1::text[])`, [appointmentIds]);
  return rows.map(toInvoice);
}

/** Whose invoices a page lists: one user's, or one vehicle's. */
export type InvoiceParent = 'user_id' | 'vin';

/** For each parent (user or VIN), up to `limit` invoices after `after`, latest first — one statement for all parents, one list per parent in their order. */
export async function invoicePagesByParents(q: Queryable, parent: InvoiceParent, parentIds: readonly string[], after: TimeKey | null, limit: number): Promise<Invoice[][]> {
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
  return groupBy(parentIds, rows.map(toInvoice), (i) => (parent === 'vin' ? i.vin : i.userId));
}

export async function linesByInvoiceIds(q: Queryable, invoiceIds: readonly string[]): Promise<InvoiceLine[]> {
  const rows = await q.query<Row>(`SELECT ${LINE_COLUMNS} FROM aftermarket.invoice_lines WHERE invoice_id = ANY($1::text[]) ORDER BY invoice_id, position`, [invoiceIds]);
  return rows.map(toLine);
}

export async function claimsByIds(q: Queryable, ids: readonly string[]): Promise<WarrantyClaim[]> {
  const rows = await q.query<Row>(
    `SELECT ${CLAIM_COLUMNS} FROM aftermarket.warranty_claims c
       JOIN aftermarket.invoice_lines l ON l.invoice_id = c.invoice_id AND l.position = c.line_position
      WHERE c.id = ANY($1::text[])`,
    [ids],
  );
  return rows.map(toClaim);
}

export async function claimsByInvoiceIds(q: Queryable, invoiceIds: readonly string[]): Promise<WarrantyClaim[]> {
  const rows = await q.query<Row>(
    `SELECT ${CLAIM_COLUMNS} FROM aftermarket.warranty_claims c
       JOIN aftermarket.invoice_lines l ON l.invoice_id = c.invoice_id AND l.position = c.line_position
      WHERE c.invoice_id = ANY($1::text[])
      ORDER BY c.invoice_id, c.line_position`,
    [invoiceIds],
  );
  return rows.map(toClaim);
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

/** How many prepaid maintenance services the invoices of each VIN have used (a VIN with none has no row). */
export async function packageServicesUsedByVins(q: Queryable, vins: readonly string[]): Promise<Array<{ vin: string; used: number }>> {
  const rows = await q.query<{ vin: string; n: string }>(
    `SELECT vin, count(*)::text AS n FROM aftermarket.invoices WHERE vin = ANY($1::text[]) AND package_service_no IS NOT NULL GROUP BY vin`,
    [vins],
  );
  return rows.map((r) => ({ vin: r.vin, used: Number(r.n) }));
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

/** The invoices table for the bulk writers. */
export const INVOICES_TABLE: BulkTableSpec<Invoice> = {
  name: 'aftermarket.invoices',
  columns: [
    ['id', 'text'], ['appointment_id', 'text'], ['store_id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['issued_at', 'timestamptz'],
    ['warranty_covered_fen', 'bigint'], ['platform_settled_fen', 'bigint'], ['owner_paid_fen', 'bigint'], ['line_count', 'integer'], ['package_service_no', 'integer'],
  ],
  row: (i) => [i.id, i.appointmentId, i.storeId, i.vin, i.userId, i.issuedAt, i.warrantyCoveredFen, i.platformSettledFen, i.ownerPaidFen, i.lineCount, i.packageServiceNo],
};

/** The invoice lines table for the bulk writers. */
export const INVOICE_LINES_TABLE: BulkTableSpec<InvoiceLine> = {
  name: 'aftermarket.invoice_lines',
  columns: [['invoice_id', 'text'], ['position', 'integer'], ['kind', 'text'], ['description', 'text'], ['quantity', 'integer'], ['unit_price_fen', 'bigint'], ['amount_fen', 'bigint'], ['warranty_covered', 'boolean'], ['package_covered', 'boolean'], ['package_settled_fen', 'bigint']],
  row: (l) => [l.invoiceId, l.position, l.kind, l.description, l.quantity, l.unitPriceFen, l.amountFen, l.warrantyCovered, l.packageCovered, l.packageSettledFen],
};

/** The warranty claims table for the bulk writers (its owner trigger fills user_id from the invoice). */
export const WARRANTY_CLAIMS_TABLE: BulkTableSpec<Omit<WarrantyClaim, 'description'>> = {
  name: 'aftermarket.warranty_claims',
  columns: [['id', 'text'], ['invoice_id', 'text'], ['line_position', 'integer'], ['vin', 'text'], ['amount_fen', 'bigint'], ['status', 'text'], ['submitted_at', 'timestamptz'], ['decided_at', 'timestamptz']],
  row: (c) => [c.id, c.invoiceId, c.linePosition, c.vin, c.amountFen, c.status, c.submittedAt, c.decidedAt],
};

export async function insertInvoiceRows(q: Queryable, rows: Invoice[]): Promise<void> {
  await insertAll(q, INVOICES_TABLE, rows);
}

export async function insertLineRows(q: Queryable, rows: InvoiceLine[]): Promise<void> {
  await insertAll(q, INVOICE_LINES_TABLE, rows);
}

export async function insertClaimRows(q: Queryable, rows: Array<Omit<WarrantyClaim, 'description'>>): Promise<void> {
  await insertAll(q, WARRANTY_CLAIMS_TABLE, rows);
}
