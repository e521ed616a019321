/**
 * Loan and lease schedules: equal-instalment (annuity) amortisation in exact integer fen.
 *
 * Everything here is `bigint` arithmetic on fen; no value ever passes through a float. The rules
 * (also stated in the schema so clients can rely on them):
 * - the monthly rate is the annual rate divided by 12: `annualRateBps / 120000` exactly;
 * - the level payment is the annuity `P·r·(1+r)^n / ((1+r)^n − 1)`, computed as an exact rational and
 *   rounded half-up to the fen once (0% rate: `P / n`, rounded half-up);
 * - each month's interest is `outstanding × annualRateBps / 120000`, rounded half-up to the fen;
 * - each month's principal part is the level payment minus that interest, never more than what is
 *   still outstanding;
 * - the last instalment repays whatever principal is left (absorbing every rounding remainder) plus
 *   its month's interest, so the principal parts add up to the principal exactly;
 * - every instalment's amount is its principal part plus its interest part.
 */
import { divideRoundHalfUp } from '../../platform/money';

/** Terms a loan or lease may run for, in months. */
export const ALLOWED_TERMS_MONTHS = [12, 24, 36, 48, 60] as const;

/** Highest annual rate accepted, in basis points (36.00%). */
export const MAX_ANNUAL_RATE_BPS = 3600;

/** 12 months × 10,000 basis points: dividing by this turns "outstanding × annual bps" into one month's interest. */
const MONTHLY_RATE_DENOMINATOR = 120_000n;


/** One month's interest on `outstandingFen` at `annualRateBps`, rounded half-up to the fen. */
export function monthlyInterestFen(outstandingFen: bigint, annualRateBps: number): bigint {
  return divideRoundHalfUp(outstandingFen * BigInt(annualRateBps), MONTHLY_RATE_DENOMINATOR);
}

function checkTerms(principalFen: bigint, annualRateBps: number, termMonths: number): void {
  if (principalFen < 1n) throw new RangeError(`principal must be at least 1 fen, got ${principalFen}`);
  if (!Number.isInteger(annualRateBps) || annualRateBps < 0 || annualRateBps > MAX_ANNUAL_RATE_BPS) {
    throw new RangeError(`annual rate must be 0..${MAX_ANNUAL_RATE_BPS} bps, got ${annualRateBps}`);
  }
  if (!Number.isInteger(termMonths) || termMonths < 1) throw new RangeError(`term must be a positive whole number of months, got ${termMonths}`);
}

/**
 * The level monthly payment of an annuity, rounded half-up to the fen.
 *
 * With `D = 120000` and `b = annualRateBps`, the monthly rate is `b/D`, so
 * `P·r·(1+r)^n / ((1+r)^n − 1) = P·b·(D+b)^n / (D·((D+b)^n − D^n))` — a ratio of two integers.
 */
export function annuityPaymentFen(principalFen: bigint, annualRateBps: number, termMonths: number): bigint {
  checkTerms(principalFen, annualRateBps, termMonths);
  if (annualRateBps === 0) return divideRoundHalfUp(principalFen, BigInt(termMonths));
  const b = BigInt(annualRateBps);
  const n = BigInt(termMonths);
  const grown = (MONTHLY_RATE_DENOMINATOR + b) ** n;
  const base = MONTHLY_RATE_DENOMINATOR ** n;
  return divideRoundHalfUp(principalFen * b * grown, MONTHLY_RATE_DENOMINATOR * (grown - base));
}

/** Adds calendar months in UTC, keeping the time of day; a day past the target month's end becomes its last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonthsUtc(from: Date, months: number): Date {
  const target = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + months, 1, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  return target;
}

/** One planned instalment. */
export interface PlannedInstalment {
  /** 1-based position in the schedule. */
  sequence: number;
  dueAt: Date;
  principalFen: bigint;
  interestFen: bigint;
  /** Always `principalFen + interestFen`. */
  amountFen: bigint;
}

export interface ScheduleTerms {
  principalFen: bigint;
  annualRateBps: number;
  termMonths: number;
  /** When the loan was opened; instalment k falls due k calendar months later. */
  openedAt: Date;
}

/**
 * The full repayment schedule of a loan or lease. A lease uses the same schedule: the lessee pays the
 * financed amount back in equal instalments with interest at the lease rate, with no balloon or residual.
 */
export function buildSchedule(terms: ScheduleTerms): PlannedInstalment[] {
  const { principalFen, annualRateBps, termMonths, openedAt } = terms;
  const payment = annuityPaymentFen(principalFen, annualRateBps, termMonths);
  const schedule: PlannedInstalment[] = [];
  let outstanding = principalFen;
  for (let sequence = 1; sequence <= termMonths; sequence++) {
    const interestFen = monthlyInterestFen(outstanding, annualRateBps);
    let principalPart: bigint;
    if (sequence === termMonths) {
      principalPart = outstanding;
    } else {
      // Interest never exceeds the level payment (outstanding only shrinks and rounding is monotonic),
      // so this is never negative; the cap keeps rounding from repaying more than is owed.
      principalPart = payment - interestFen;
      if (principalPart > outstanding) principalPart = outstanding;
    }
    outstanding -= principalPart;
    schedule.push({ sequence, dueAt: addMonthsUtc(openedAt, sequence), principalFen: principalPart, interestFen, amountFen: principalPart + interestFen });
  }
  return schedule;
}

/** What a loan's instalments say about it right now. */
export interface LoanPosition {
  /** Principal not yet repaid by paid instalments. */
  outstandingPrincipalFen: bigint;
  /** Interest over the whole schedule. */
  totalInterestFen: bigint;
  /** Sum of every paid instalment's amount. */
  paidFen: bigint;
}

/** Derives a loan's position from its principal and its instalment rows. */
export function loanPosition(principalFen: bigint, instalments: ReadonlyArray<{ principalFen: bigint; interestFen: bigint; amountFen: bigint; status: 'DUE' | 'PAID' }>): LoanPosition {
  let repaid = 0n;
  let totalInterestFen = 0n;
  let paidFen = 0n;
  for (const i of instalments) {
    totalInterestFen += i.interestFen;
    if (i.status === 'PAID') {
      repaid += i.principalFen;
      paidFen += i.amountFen;
    }
  }
  return { outstandingPrincipalFen: principalFen - repaid, totalInterestFen, paidFen };
}
