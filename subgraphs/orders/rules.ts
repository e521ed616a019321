/**
 * The buying rules, free of I/O: the fixed deposit, how an order's price splits into deposit, trade-in
 * credit, financed amount and balance, and the shapes a client's VIN, idempotency key and test-drive
 * time must have. Resolvers and the seed both price orders through here, so they cannot disagree.
 */
import { badInput } from '../../platform/errors';
import { formatFen } from '../../platform/money';

/** The deposit every order pays first: 5,000.00 yuan (or the whole price when that is smaller). */
export const DEPOSIT_FEN = 500_000n;

/** A test drive is booked at most this many days ahead. */
export const TEST_DRIVE_HORIZON_DAYS = 90;

/** Largest appraisal accepted: 10,000,000.00 yuan; anything above is a typo, not a used car. */
export const MAX_APPRAISAL_FEN = 1_000_000_000n;

/** Most accessories on one order (the catalog's quote refuses more as well). */
export const MAX_ACCESSORIES = 20;

/** The deposit of an order of `totalFen`. */
export function depositFor(totalFen: bigint): bigint {
  return totalFen < DEPOSIT_FEN ? totalFen : DEPOSIT_FEN;
}

/** How an order's price is paid; the four parts always add up to the total. */
export interface PriceSplit {
  totalFen: bigint;
  depositFen: bigint;
  tradeInCreditFen: bigint;
  financedFen: bigint;
  balanceDueFen: bigint;
}

/**
 * Splits `totalFen` into deposit, trade-in credit, financed amount and balance due; refuses a split
 * whose balance would be negative, naming what the buyer can change.
 */
export function splitPrice(totalFen: bigint, tradeInCreditFen: bigint, financedFen: bigint): PriceSplit {
  const depositFen = depositFor(totalFen);
  const financeable = totalFen - depositFen - tradeInCreditFen;
  if (financeable < 0n) {
    throw badInput(
      `the trade-in credit of ${formatFen(tradeInCreditFen)} is more than the ${formatFen(totalFen - depositFen)} left after the deposit of ${formatFen(depositFen)}; order without this trade-in or choose a larger configuration`,
      'tradeInId',
    );
  }
  if (financedFen > financeable) {
    throw badInput(
      `financedAmount ${formatFen(financedFen)} is more than the ${formatFen(financeable)} left to pay after the deposit${tradeInCreditFen > 0n ? ' and the trade-in credit' : ''}; finance at most ${formatFen(financeable)}`,
      'financedAmount',
    );
  }
  return { totalFen, depositFen, tradeInCreditFen, financedFen, balanceDueFen: financeable - financedFen };
}

const VIN_RE = /^[A-HJ-NPR-Z0-9]{17}$/;

/** Normalises a VIN to upper case and checks its shape (17 characters, no I, O or Q). */
export function parseVin(raw: string, field = 'vin'): string {
  const vin = raw.trim().toUpperCase();
  if (!VIN_RE.test(vin)) {
    throw badInput(`"${raw.slice(0, 40)}" is not a VIN: use 17 characters from 0-9 and A-Z without I, O and Q`, field);
  }
  return vin;
}

/** Checks an idempotency key: 1 to 100 printable ASCII characters, not only spaces. */
export function checkIdempotencyKey(key: string): string {
  if (!/^[\x20-\x7e]{1,100}$/.test(key) || key.trim() === '') {
    throw badInput('idempotencyKey must be 1 to 100 printable ASCII characters (a UUID is ideal)', 'idempotencyKey');
  }
  return key;
}

/** Checks that a test drive is in the future and within the booking horizon. */
export function checkTestDriveTime(at: Date, now: Date): Date {
  if (at.getTime() <= now.getTime()) throw badInput('a test drive must be booked for a time in the future', 'at');
  if (at.getTime() > now.getTime() + TEST_DRIVE_HORIZON_DAYS * 86_400_000) {
    throw badInput(`a test drive can be booked at most ${TEST_DRIVE_HORIZON_DAYS} days ahead`, 'at');
  }
  return at;
}

/** What a `placeOrder` asked for, in a canonical form: two requests ask for the same order iff these are equal. */
export interface OrderRequest {
  trimId: string;
  colourId: string | null;
  packageId: string | null;
  accessoryIds: string[];
  financedFen: bigint;
  tradeInId: string | null;
}

/**
 * The canonical text of a request, stored with the order. Accessory order does not change the order
 * (the same set in another order is the same purchase), so the ids are sorted.
 */
export function requestFingerprint(r: OrderRequest): string {
  return JSON.stringify([r.trimId, r.colourId, r.packageId, [...r.accessoryIds].sort(), r.financedFen.toString(), r.tradeInId]);
}
