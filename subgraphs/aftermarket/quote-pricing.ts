/**
 * Aftermarket's part of the cost-of-ownership quote (MAINTENANCE), as pure arithmetic: when each
 * scheduled service falls, what it is expected to bill, and what the owner pays of it once the
 * chosen package's maintenance plan is applied — by the very rules a real invoice is settled by
 * (`packageServiceFor` decides which prepaid service a visit uses, `coverByPackage` settles up to the
 * allowance, `splitByPayer` says what is left to the owner).
 */
import { formatFen } from '../../platform/money';
import type { QuoteCostItem } from '../kit/ownership-quote';
import { packageServiceFor } from './package-plan';
import { coverByPackage, splitByPayer } from './totals';
import type { ScheduledServicePrice } from './data/service-prices';

/** A scheduled service is due this many months after the last one… */
export const SERVICE_INTERVAL_MONTHS = 12;
/** …or after this many km, whichever comes first. */
export const SERVICE_INTERVAL_KM = 10_000;

/**
 * The quote month (1 = the month of purchase) of each scheduled service within `years`. The car is
 * taken as delivered at the start of month 1 and driven evenly, so a service falls every
 * min(12, 12 × 10,000 / annual km) months, and the n-th, due n intervals after delivery, falls in month
 * floor(n × interval) + 1 — computed exactly in integers.
 */
export function scheduledServiceMonths(years: number, annualDistanceKm: number): number[] {
  const last = 12 * years;
  const months: number[] = [];
  for (let n = 1; ; n++) {
    // n intervals of 10,000 km take 12 × 10,000 × n / annual months; whole months by integer division.
    const kmMonths = SERVICE_INTERVAL_MONTHS * SERVICE_INTERVAL_KM * n;
    const month = annualDistanceKm <= SERVICE_INTERVAL_KM ? SERVICE_INTERVAL_MONTHS * n + 1 : (kmMonths - (kmMonths % annualDistanceKm)) / annualDistanceKm + 1;
    if (month > last) return months;
    months.push(month);
  }
}

/** The price of the n-th scheduled service: the one with the largest `everyNthService` dividing n. */
export function servicePriceFor(prices: readonly ScheduledServicePrice[], n: number): ScheduledServicePrice {
  let best: ScheduledServicePrice | null = null;
  for (const p of prices) if (n % p.everyNthService === 0 && (!best || p.everyNthService > best.everyNthService)) best = p;
  if (!best) throw new Error(`no scheduled service price applies to service ${n}: the price list needs a row for every service (every_nth_service = 1)`);
  return best;
}

/** The chosen package's maintenance, as catalog's facts give it. */
export interface QuoteMaintenancePlan {
  services: number;
  years: number;
  allowancePerServiceFen: bigint;
}

/**
 * Month m of the quote as an instant, for `packageServiceFor`'s "within the years" test: the first of
 * the month on a calendar whose month 1 is an arbitrary January (only the order of instants matters).
 */
const startOfMonth = (month: number) => new Date(Date.UTC(2000, month - 1, 1));

/**
 * Every MAINTENANCE cost of one option: one per scheduled service, in its month, at what the owner is
 * expected to pay of its bill. A service the package's plan covers (the first `services` within its
 * `years`, counted from delivery) costs only what the bill exceeds the allowance.
 */
export function priceMaintenanceOption(
  option: number,
  years: number,
  annualDistanceKm: number,
  plan: QuoteMaintenancePlan | null,
  prices: readonly ScheduledServicePrice[],
): QuoteCostItem[] {
  // The plan as a delivered vehicle's entitlement: its years run from delivery, the start of month 1.
  const entitlement = plan && { maintenanceServices: plan.services, maintenanceValidUntil: startOfMonth(12 * plan.years + 1) };
  let used = 0;
  return scheduledServiceMonths(years, annualDistanceKm).map((month, i) => {
    const n = i + 1;
    const price = servicePriceFor(prices, n);
    const head = `Scheduled service ${n} (${price.name.toLowerCase()}), expected bill ${formatFen(price.expectedBillFen)}`;
    const prepaid = entitlement && packageServiceFor('MAINTENANCE', entitlement, used, startOfMonth(month));
    if (!plan || !prepaid) {
      const why = !plan ? 'no maintenance plan in the package' : used >= plan.services ? `the package's ${plan.services} prepaid services are used` : `the package's ${plan.years} years are over`;
      return { option, month, category: 'MAINTENANCE', description: `${head}; ${why}, so the owner pays it`, amountFen: price.expectedBillFen };
    }
    used = prepaid;
    const lines = coverByPackage([{ amountFen: price.expectedBillFen, warrantyCovered: false, packageCovered: false, packageSettledFen: 0n }], plan.allowancePerServiceFen);
    const { platformSettledFen, ownerPaidFen } = splitByPayer(lines);
    return {
      option,
      month,
      category: 'MAINTENANCE',
      description: `${head}; prepaid service ${prepaid} of ${plan.services}: the package covers ${formatFen(platformSettledFen)} (up to ${formatFen(plan.allowancePerServiceFen)}), the owner pays ${formatFen(ownerPaidFen)}`,
      amountFen: ownerPaidFen,
    };
  });
}
