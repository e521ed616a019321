/**
 * Energy's pricing and input limits, in one place so the mutations, the seed and the tests agree.
 */

/**
 * What one swap costs a vehicle without an active battery plan (99.00 yuan, pay-as-you-go), the same
 * in every city (`CityEnergyPrices.standardSwapFee`). It is above every plan's per-swap fee, so for a
 * driver who swaps a few times a month a plan pays off.
 */
export const STANDARD_SWAP_FEE_FEN = 9_900n;

/** How far back a swap or charging session may be recorded: operators sync late, but not months late. */
export const MAX_BACKDATE_DAYS = 30;
/** Clock skew tolerated between a station's clock and ours before a time counts as "in the future". */
export const FUTURE_SKEW_MS = 2 * 60_000;
/** Longest plausible charging session; anything longer is a recording error. */
export const MAX_CHARGING_HOURS = 24;
/** Energy of one charging session: at least 1 Wh, at most 200 kWh (more than any car's pack). */
export const MIN_ENERGY_WH = 1;
export const MAX_ENERGY_WH = 200_000;
/** Largest fee a charging network may bill for one session: 10,000.00 yuan. */
export const MAX_CHARGING_FEE_FEN = 1_000_000n;

/** A battery plan as far as pricing a swap is concerned. */
export interface SwapPricingPlan {
  includedSwapsPerMonth: number;
  perSwapFeeFen: bigint;
}

/** The price of one swap and whether it used one of the plan's included swaps. */
export interface SwapPrice {
  feeFen: bigint;
  coveredByPlan: boolean;
}

/**
 * Prices a swap: the one rule `recordSwap` charges by and the cost-of-ownership quote prices a month's
 * swaps with (`quote-pricing.ts`), so a quote says what a recorded swap would cost. `coveredThisMonth`
 * is how many of the plan's included swaps the subscription has already used in the swap's calendar
 * month (UTC). Without a plan the standard fee applies.
 */
export function priceSwap(plan: SwapPricingPlan | null, coveredThisMonth: number): SwapPrice {
  if (!plan) return { feeFen: STANDARD_SWAP_FEE_FEN, coveredByPlan: false };
  if (coveredThisMonth < plan.includedSwapsPerMonth) return { feeFen: 0n, coveredByPlan: true };
  return { feeFen: plan.perSwapFeeFen, coveredByPlan: false };
}

/** The calendar month (UTC) of `d` as "YYYY-MM". */
export function periodOf(d: Date): string {
  return d.toISOString().slice(0, 7);
}

/** The first instant of the month `period` ("YYYY-MM") and of the month after it, in UTC. */
export function monthBounds(period: string): { start: Date; end: Date } {
  const [y, m] = period.split('-').map(Number);
  return { start: new Date(Date.UTC(y, m - 1, 1)), end: new Date(Date.UTC(y, m, 1)) };
}

const PERIOD_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** True for a well-formed month "YYYY-MM" (01 to 12). */
export function isPeriod(value: string): boolean {
  return PERIOD_RE.test(value);
}
