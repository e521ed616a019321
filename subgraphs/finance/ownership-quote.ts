/**
 * Finance's part of the cost-of-ownership quote (kit/ownership-quote.ts): per option, the purchase
 * payment (the whole price for cash, the down payment for a loan or lease) in month 1, the instalments
 * exactly as `openLoan` would schedule them (instalment k in month k + 1), and a year of the cheapest
 * compulsory and the cheapest commercial cover bought in months 1, 13, 25, ... An owner who sells the car
 * before the loan ends repays it: instalments after the last month become one line in the last month
 * settling the principal still outstanding (no interest is charged for months after the sale).
 * Pure: the insurance products are read by the caller.
 */
import { badInput } from '../../platform/errors';
import { formatFen } from '../../platform/money';
import { optionField, type QuoteCostItem, type QuoteSpec, type QuoteVehicleFacts } from '../kit/ownership-quote';
import type { InsuranceKind, InsuranceProductRow } from './data/insurance';
import { buildSchedule } from './schedule';
import { checkAnnualRateBps, checkTermMonths } from './validation';

/** Finance's values of `OwnershipCostCategory`. */
export type FinanceQuoteCategory = 'PURCHASE' | 'INSTALMENT' | 'INSURANCE';

/** Any fixed instant: the quote's months are counted from the purchase, so a schedule's due dates are not used. */
const QUOTE_EPOCH = new Date(Date.UTC(2000, 0, 1));

/** The cheapest product of `kind` (by annual premium, then id), or null when none is offered. */
export function cheapestProduct(products: readonly InsuranceProductRow[], kind: InsuranceKind): InsuranceProductRow | null {
  let best: InsuranceProductRow | null = null;
  for (const p of products) {
    if (p.kind !== kind) continue;
    if (!best || p.annualPremiumFen < best.annualPremiumFen || (p.annualPremiumFen === best.annualPremiumFen && p.id < best.id)) best = p;
  }
  return best;
}

/** Re-states a field error from `validation.ts` (which names the argument) with the option's input path. */
function at<T>(i: number, field: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    const e = err as { extensions?: { code?: string }; message: string };
    if (e.extensions?.code === 'BAD_USER_INPUT') throw badInput(e.message, optionField(i, `financing.${field}`));
    throw err;
  }
}

function paymentCosts(spec: QuoteSpec, facts: QuoteVehicleFacts, i: number): QuoteCostItem[] {
  const option = i + 1;
  const financing = spec.options[i].financing;
  const priceFen = BigInt(facts.totalPriceFen);
  if (financing.kind === 'CASH') return [{ option, month: 1, category: 'PURCHASE', description: 'Purchase price', amountFen: priceFen }];

  const termMonths = at(i, 'termMonths', () => checkTermMonths(financing.termMonths));
  const annualRateBps = at(i, 'annualRateBps', () => checkAnnualRateBps(financing.annualRateBps));
  const downFen = BigInt(financing.downPaymentFen);
  if (downFen >= priceFen) {
    throw badInput(`\`downPayment\` must be less than the price, ${formatFen(priceFen)}; for no financing choose CASH`, optionField(i, 'financing.downPayment'));
  }
  const principalFen = priceFen - downFen;
  const what = financing.kind === 'LOAN' ? 'Loan' : 'Lease';
  const lastMonth = 12 * spec.years;
  const out: QuoteCostItem[] = [];
  if (downFen > 0n) out.push({ option, month: 1, category: 'PURCHASE', description: 'Down payment', amountFen: downFen });
  let outstanding = principalFen;
  for (const inst of buildSchedule({ principalFen, annualRateBps, termMonths, openedAt: QUOTE_EPOCH })) {
    const month = inst.sequence + 1;
    if (month > lastMonth) break;
    outstanding -= inst.principalFen;
    out.push({
      option,
      month,
      category: 'INSTALMENT',
      description: `${what} instalment ${inst.sequence}/${termMonths}: principal ${formatFen(inst.principalFen)}, interest ${formatFen(inst.interestFen)}`,
      amountFen: inst.amountFen,
    });
  }
  if (outstanding > 0n) {
    const remaining = termMonths - (lastMonth - 1);
    out.push({
      option,
      month: lastMonth,
      category: 'INSTALMENT',
      description: `${what} settled when the car is sold: outstanding principal of the ${remaining} instalment${remaining === 1 ? '' : 's'} after month ${lastMonth}`,
      amountFen: outstanding,
    });
  }
  return out;
}

function insuranceCosts(spec: QuoteSpec, option: number, products: readonly InsuranceProductRow[]): QuoteCostItem[] {
  const cover = (['COMPULSORY', 'COMMERCIAL'] as const).map((kind) => {
    const p = cheapestProduct(products, kind);
    if (!p) throw new Error(`finance offers no ${kind} insurance product, which every quote includes`);
    return p;
  });
  const out: QuoteCostItem[] = [];
  for (let year = 1; year <= spec.years; year++) {
    for (const p of cover) {
      out.push({ option, month: 12 * (year - 1) + 1, category: 'INSURANCE', description: `${p.name} (${p.insurerName}), year ${year}`, amountFen: p.annualPremiumFen });
    }
  }
  return out;
}

/** Every finance cost of every option: a refusal names the option's financing field. */
export function financeQuoteCosts(spec: QuoteSpec, facts: readonly QuoteVehicleFacts[], products: readonly InsuranceProductRow[]): QuoteCostItem[] {
  return facts.flatMap((f, i) => [...paymentCosts(spec, f, i), ...insuranceCosts(spec, i + 1, products)]);
}
