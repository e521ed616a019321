/** Input checks of finance's queries and mutations: each refusal is BAD_USER_INPUT naming the argument. */
import { badInput } from '../../platform/errors';
import { ALLOWED_TERMS_MONTHS, MAX_ANNUAL_RATE_BPS } from './schedule';

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
