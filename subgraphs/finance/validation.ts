/** Input checks of finance's queries and mutations: each refusal is BAD_USER_INPUT naming the argument. */
import { badInput } from '../../platform/errors';
import { isPlausibleId } from '../kit/ids';
import { readPageArgs, type PageArgs } from '../kit/pagination';
import { ALLOWED_TERMS_MONTHS, MAX_ANNUAL_RATE_BPS } from './schedule';
import type { TimeKey } from './data/keyset';

/** VINs: 17 characters from 0-9 and A-Z without I, O and Q. */
const VIN_RE = /^[A-HJ-NPR-Z0-9]{17}$/;

/** Organisation ids as tokens carry them, e.g. `pingan-insurance`. */
const ORG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

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

export function checkInsurerOrg(value: string): string {
  if (!ORG_RE.test(value)) throw badInput('`insurerOrg` must be an organisation id such as "pingan-insurance"', 'insurerOrg');
  return value;
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

