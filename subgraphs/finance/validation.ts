/** Input checks and access rules shared by finance's queries and mutations. */
import { requireIdentity } from '../kit/auth';
import { badInput, forbidden } from '../../platform/errors';
import type { Identity } from '../../platform/identity';
import { isPlausibleId } from '../kit/ids';
import { readPageArgs, type PageArgs } from '../kit/pagination';
import { ALLOWED_TERMS_MONTHS, MAX_ANNUAL_RATE_BPS } from './schedule';
import type { TimeKey } from './data';

/** VINs: 17 characters from 0-9 and A-Z without I, O and Q. */
const VIN_RE = /^[A-HJ-NPR-Z0-9]{17}$/;

/**
 * Requires a signed-in customer. Loans, payments and policies are a person's own contracts: an admin,
 * partner, analyst or another subgraph cannot open or pay them on someone's behalf.
 */
export function requireCustomer(identity: Identity | null, action: string): Identity {
  const who = requireIdentity(identity);
  if (who.role !== 'customer') throw forbidden(`only customers can ${action}; your token has the role ${who.role}`);
  return who;
}

/** Refuses an id that can never match a row (too long, unprintable), naming the field. */
export function checkId(value: string, field: string, what: string): string {
  if (!isPlausibleId(value)) throw badInput(`\`${field}\` is not a valid ${what} id`, field);
  return value;
}

export function checkVin(value: string, field = 'vin'): string {
  const vin = value.toUpperCase();
  if (!VIN_RE.test(vin)) throw badInput(`\`${field}\` must be a 17-character VIN (digits and A-Z without I, O and Q)`, field);
  return vin;
}

export function checkTermMonths(value: number): number {
  if (!(ALLOWED_TERMS_MONTHS as readonly number[]).includes(value)) {
    throw badInput(`\`termMonths\` must be one of ${ALLOWED_TERMS_MONTHS.join(', ')}; got ${value}`, 'termMonths');
  }
  return value;
}

export function checkAnnualRateBps(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_ANNUAL_RATE_BPS) {
    throw badInput(`\`annualRateBps\` must be from 0 to ${MAX_ANNUAL_RATE_BPS} basis points (0% to 36%); got ${value}`, 'annualRateBps');
  }
  return value;
}

/** Reads `first`/`after` for a list ordered by (time DESC, id DESC). */
export function readTimePage(args: PageArgs): { limit: number; after: TimeKey | null } {
  const { limit, after } = readPageArgs(args);
  if (!after) return { limit, after: null };
  const [at, id] = after;
  const date = typeof at === 'string' ? new Date(at) : null;
  if (after.length !== 2 || !date || Number.isNaN(date.getTime()) || typeof id !== 'string') throw badInput('`after` is not a cursor returned by this field', 'after');
  return { limit, after: { at: date, id } };
}

/** Reads `first`/`after` for a list ordered by id. */
export function readIdPage(args: PageArgs): { limit: number; afterId: string | null } {
  const { limit, after } = readPageArgs(args);
  if (!after) return { limit, afterId: null };
  if (after.length !== 1 || typeof after[0] !== 'string') throw badInput('`after` is not a cursor returned by this field', 'after');
  return { limit, afterId: after[0] };
}

