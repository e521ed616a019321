/**
 * Input rules of aftermarket's queries and mutations. Each check names the offending field and says
 * what would be accepted, so a client can fix the request without reading the code.
 */
import { badInput } from '../../platform/errors';
import { formatFen } from '../../platform/money';
import type { InvoiceLine, InvoiceLineKind } from './data/invoices';

/** How far ahead a service can be booked. */
export const BOOKING_HORIZON_DAYS = 180;
export const MAX_NOTE_CHARS = 500;
export const MAX_INVOICE_LINES = 50;
export const MAX_QUANTITY = 1000;
/** Largest unit price on an invoice line: 1,000,000.00 yuan. */
export const MAX_UNIT_PRICE_FEN = 100_000_000n;
export const MAX_DESCRIPTION_CHARS = 200;
export const MAX_CITY_CHARS = 100;

const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Length in characters (code points), as PostgreSQL's char_length counts. */
const chars = (s: string) => [...s].length;

/** `scheduledAt` must be after `now` and at most BOOKING_HORIZON_DAYS ahead. */
export function requireBookableTime(at: Date, now: Date, field = 'scheduledAt'): Date {
  if (at.getTime() <= now.getTime()) throw badInput(`\`${field}\` must be in the future (now is ${now.toISOString()})`, field);
  const latest = new Date(now.getTime() + BOOKING_HORIZON_DAYS * 86_400_000);
  if (at.getTime() > latest.getTime()) throw badInput(`\`${field}\` must be at most ${BOOKING_HORIZON_DAYS} days ahead (no later than ${latest.toISOString()})`, field);
  return at;
}

/** A note: trimmed, at most MAX_NOTE_CHARS characters; empty means none. */
export function cleanNote(note: string | null | undefined, field = 'note'): string | null {
  if (note === null || note === undefined) return null;
  const trimmed = note.trim();
  if (chars(trimmed) > MAX_NOTE_CHARS) throw badInput(`\`${field}\` is ${chars(trimmed)} characters; at most ${MAX_NOTE_CHARS} are accepted`, field);
  if (CONTROL_CHARS.test(trimmed)) throw badInput(`\`${field}\` contains control characters`, field);
  return trimmed === '' ? null : trimmed;
}

export function cleanCity(city: string | null | undefined): string | null {
  if (city === null || city === undefined) return null;
  const trimmed = city.trim();
  if (trimmed === '' || chars(trimmed) > MAX_CITY_CHARS) throw badInput(`\`city\` must be 1 to ${MAX_CITY_CHARS} characters`, 'city');
  return trimmed;
}

export interface InvoiceLineArg {
  kind: InvoiceLineKind;
  description: string;
  quantity: number;
  /** Fen, already parsed by the Decimal scalar. */
  unitPrice: bigint;
  warrantyCovered: boolean;
}

/** Checks an invoice's lines and prices them: amount = quantity × unitPrice, exactly, in fen. */
export function priceInvoiceLines(invoiceId: string, lines: readonly InvoiceLineArg[]): InvoiceLine[] {
  if (lines.length < 1 || lines.length > MAX_INVOICE_LINES) {
    throw badInput(`an invoice needs 1 to ${MAX_INVOICE_LINES} lines; ${lines.length} were given`, 'lines');
  }
  return lines.map((line, i) => {
    const at = `lines[${i}]`;
    const description = line.description.trim();
    if (description === '' || chars(description) > MAX_DESCRIPTION_CHARS) {
      throw badInput(`\`${at}.description\` must be 1 to ${MAX_DESCRIPTION_CHARS} characters`, `${at}.description`);
    }
    if (CONTROL_CHARS.test(description)) throw badInput(`\`${at}.description\` contains control characters`, `${at}.description`);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
      throw badInput(`\`${at}.quantity\` must be a whole number from 1 to ${MAX_QUANTITY}`, `${at}.quantity`);
    }
    if (typeof line.unitPrice !== 'bigint' || line.unitPrice < 0n || line.unitPrice > MAX_UNIT_PRICE_FEN) {
      throw badInput(`\`${at}.unitPrice\` must be from 0.00 to ${formatFen(MAX_UNIT_PRICE_FEN)}`, `${at}.unitPrice`);
    }
    return {
      invoiceId,
      position: i + 1,
      kind: line.kind,
      description,
      quantity: line.quantity,
      unitPriceFen: line.unitPrice,
      amountFen: BigInt(line.quantity) * line.unitPrice,
      warrantyCovered: line.warrantyCovered,
      // Decided by issueInvoice from the vehicle's package, never by the store.
      packageCovered: false,
      packageSettledFen: 0n,
    };
  });
}
