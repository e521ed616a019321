/**
 * Input checks of orders' queries and mutations, before anything is read or written: each refusal is
 * BAD_USER_INPUT naming the argument and saying what would be accepted.
 */
import { badInput } from '../../platform/errors';
import { formatFen } from '../../platform/money';
import { checkId, optionalId } from '../kit/ids';
import type { OrderRequest } from './rules';

/** A test drive is booked at most this many days ahead. */
export const TEST_DRIVE_HORIZON_DAYS = 90;

/** Largest appraisal accepted: 10,000,000.00 yuan; anything above is a typo, not a used car. */
export const MAX_APPRAISAL_FEN = 1_000_000_000n;

/** Most accessories on one order (the catalog's quote refuses more as well). */
export const MAX_ACCESSORIES = 20;

export function checkPaymentAmount(amountFen: bigint): bigint {
  if (amountFen < 0n) throw badInput('amount must not be negative', 'amount');
  return amountFen;
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

/** Checks a test drive's city; returns it without surrounding spaces. */
export function checkCity(raw: string): string {
  const city = raw.trim();
  if (city.length < 1 || city.length > 100) throw badInput('city must be 1 to 100 characters', 'city');
  return city;
}

/** Checks what a customer says about the car they trade in (as of `now`); returns the description without surrounding spaces. */
export function checkTradeInRequest(input: { description: string; year: number; mileageKm: number }, now: Date): string {
  const description = input.description.trim();
  if (description.length < 1 || description.length > 500) throw badInput('description must be 1 to 500 characters', 'description');
  const latestYear = now.getUTCFullYear() + 1;
  if (input.year < 1980 || input.year > latestYear) throw badInput(`year must be from 1980 to ${latestYear}`, 'year');
  if (input.mileageKm < 0 || input.mileageKm > 2_000_000) throw badInput('mileageKm must be from 0 to 2000000', 'mileageKm');
  return description;
}

export function checkAppraisal(amountFen: bigint): bigint {
  if (amountFen <= 0n) throw badInput('amount must be more than 0.00', 'amount');
  if (amountFen > MAX_APPRAISAL_FEN) throw badInput(`amount must be at most ${formatFen(MAX_APPRAISAL_FEN)}`, 'amount');
  return amountFen;
}

/** `placeOrder`'s input as the client sends it. */
export interface PlaceOrderInput {
  trimId: string;
  colourId?: string | null;
  packageId?: string | null;
  accessoryIds?: string[] | null;
  financedAmount?: bigint | null;
  tradeInId?: string | null;
  idempotencyKey: string;
}

/** Checks `placeOrder`'s input; returns its idempotency key and what it asks for. */
export function readPlaceOrderInput(input: PlaceOrderInput): { key: string; request: OrderRequest } {
  const key = checkIdempotencyKey(input.idempotencyKey);
  const trimId = checkId(input.trimId, 'trimId');
  const colourId = optionalId(input.colourId, 'colourId');
  const packageId = optionalId(input.packageId, 'packageId');
  const accessoryIds = (input.accessoryIds ?? []).map((id) => checkId(id, 'accessoryIds'));
  if (accessoryIds.length > MAX_ACCESSORIES) throw badInput(`at most ${MAX_ACCESSORIES} accessories per order`, 'accessoryIds');
  const repeated = accessoryIds.find((id, i) => accessoryIds.indexOf(id) !== i);
  if (repeated) throw badInput(`accessory ${repeated} is listed twice; list each accessory once`, 'accessoryIds');
  const financedFen = input.financedAmount ?? 0n;
  if (financedFen < 0n) throw badInput('financedAmount must not be negative', 'financedAmount');
  const tradeInId = optionalId(input.tradeInId, 'tradeInId');
  return { key, request: { trimId, colourId, packageId, accessoryIds, financedFen, tradeInId } };
}
