/**
 * Energy's part of the cost-of-ownership quote, as pure arithmetic (`quote.ts` reads the prices and
 * plans and checks the input): the battery plan's monthly fee (BATTERY_RENTAL) and a month's energy
 * (ENERGY), exact to the fen. A month's swaps are priced by `priceSwap`, the rule `recordSwap` charges
 * a recorded swap by, so the quote says what the owner would really be charged. Every month of the
 * quote costs the same: the same distance is driven every month at today's prices.
 */
import { divideRoundHalfUp, formatFen } from '../../platform/money';
import type { QuoteCostItem } from '../kit/ownership-quote';
import { priceSwap, type SwapPricingPlan } from './fees';

/**
 * The share of its range a car drives between two swaps, in percent: drivers swap at about 20 % of
 * charge left, so a swap is good for 80 % of the range.
 */
export const SWAP_RANGE_SHARE_PERCENT = 80;

/** A battery plan as the quote prices it. */
export interface QuotePlan extends SwapPricingPlan {
  id: string;
  name: string;
  monthlyFeeFen: bigint;
}

/** What energy knows of one option's car (from catalog's facts) and what the quote asked. */
export interface EnergyQuoteCar {
  option: number;
  batteryOption: 'OWNED' | 'RENTAL';
  swapCapable: boolean;
  rangeKm: number;
  /** Usable capacity, an exact decimal string, e.g. "44.12". */
  batteryKwh: string;
  /** RENTAL only: the plan the car rents its battery on (already chosen or checked by `quote.ts`). */
  plan: QuotePlan | null;
}

/** A car swaps its battery when its trim can (every battery-rental trim can), as `recordSwap` allows. */
export const swapsItsBattery = (car: Pick<EnergyQuoteCar, 'batteryOption' | 'swapCapable'>) => car.batteryOption === 'RENTAL' || car.swapCapable;

function positiveRange(rangeKm: number): bigint {
  if (!Number.isInteger(rangeKm) || rangeKm <= 0) throw new Error(`a trim's range must be a positive whole number of km, not ${rangeKm}`);
  return BigInt(rangeKm);
}

/**
 * Swaps a month: ceil(monthly distance / km per swap), with the monthly distance `annualDistanceKm / 12`
 * and km per swap `rangeKm × 80 %`, computed exactly: ceil(annual × 100 / (12 × range × 80)).
 */
export function swapsPerMonth(annualDistanceKm: number, rangeKm: number): number {
  const num = BigInt(annualDistanceKm) * 100n;
  const den = 12n * positiveRange(rangeKm) * BigInt(SWAP_RANGE_SHARE_PERCENT);
  return Number((num + den - 1n) / den);
}

/** One month's swaps priced one after the other, each exactly as `recordSwap` would price it that month. */
export interface MonthOfSwaps {
  swaps: number;
  /** How many were the plan's included swaps (free). */
  included: number;
  feeFen: bigint;
}

/**
 * Prices `swaps` swaps of one calendar month: the n-th is `priceSwap(plan, included so far)`, as
 * `recordSwap` prices it from the covered swaps already recorded that month.
 */
export function priceMonthOfSwaps(plan: SwapPricingPlan | null, swaps: number): MonthOfSwaps {
  let included = 0;
  let feeFen = 0n;
  for (let n = 0; n < swaps; n++) {
    const price = priceSwap(plan, included);
    if (price.coveredByPlan) included++;
    feeFen += price.feeFen;
  }
  return { swaps, included, feeFen };
}

/** What a plan costs a month for `swaps` swaps: its monthly fee plus the swaps beyond the included ones. */
export const planMonthlyCost = (plan: QuotePlan, swaps: number): bigint => plan.monthlyFeeFen + priceMonthOfSwaps(plan, swaps).feeFen;

/** The plan with the lowest monthly cost for `swaps` swaps a month; between equal costs, the lowest id (byte order). */
export function cheapestPlan(plans: readonly QuotePlan[], swaps: number): QuotePlan {
  if (plans.length === 0) throw new Error('no battery plans to choose from');
  let best = plans[0];
  let bestCost = planMonthlyCost(best, swaps);
  for (const plan of plans.slice(1)) {
    const cost = planMonthlyCost(plan, swaps);
    if (cost < bestCost || (cost === bestCost && plan.id < best.id)) [best, bestCost] = [plan, cost];
  }
  return best;
}

/** An exact decimal string ("44.12") as an integer and its power of ten (4412, 100). */
function exactDecimal(text: string): { units: bigint; scale: bigint } {
  const m = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new Error(`a battery's capacity must be an exact decimal like "44.12", not ${JSON.stringify(text)}`);
  const frac = m[2] ?? '';
  return { units: BigInt(m[1] + frac), scale: 10n ** BigInt(frac.length) };
}

/** One month's charging: the energy in hundredths of a kWh (for the description) and its price. */
export interface MonthOfCharging {
  /** kWh × 100, rounded half-up; shown only. */
  centiKwh: bigint;
  feeFen: bigint;
}

/**
 * A month's charging: kWh = (annual distance / 12) × batteryKwh / rangeKm, priced at the city's price
 * per kWh and rounded half-up to the fen once for the month (never per kWh).
 */
export function priceMonthOfCharging(annualDistanceKm: number, rangeKm: number, batteryKwh: string, fenPerKwh: bigint): MonthOfCharging {
  const { units, scale } = exactDecimal(batteryKwh);
  const energy = BigInt(annualDistanceKm) * units; // × 1 / (12 × range × scale) is the month's kWh
  const den = 12n * positiveRange(rangeKm) * scale;
  return { centiKwh: divideRoundHalfUp(energy * 100n, den), feeFen: divideRoundHalfUp(energy * fenPerKwh, den) };
}

/** Whole km with thousands separators, as a person reads them: 1,250. */
const km = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
/** Hundredths of a unit as a decimal with two digits (the same digits as an amount of fen). */
const hundredths = (n: bigint) => formatFen(n);

/** The monthly distance as the description states it: whole km when exact, else to two decimals (shown only). */
function monthlyDistance(annualDistanceKm: number): string {
  const centiKm = divideRoundHalfUp(BigInt(annualDistanceKm) * 100n, 12n);
  const frac = centiKm % 100n;
  return `${km(Number(centiKm / 100n))}${frac === 0n ? '' : `.${frac.toString().padStart(2, '0')}`} km a month`;
}

function swapDescription(car: EnergyQuoteCar, annualDistanceKm: number, month: MonthOfSwaps, standardFeeFen: bigint): string {
  const perSwap = car.rangeKm * SWAP_RANGE_SHARE_PERCENT; // km × 100
  const perSwapKm = perSwap % 100 === 0 ? km(perSwap / 100) : hundredths(BigInt(perSwap));
  const head = `${month.swaps} battery swap${month.swaps === 1 ? '' : 's'} a month (${monthlyDistance(annualDistanceKm)}; a swap every ${perSwapKm} km, ${SWAP_RANGE_SHARE_PERCENT} % of the ${car.rangeKm} km range)`;
  if (!car.plan) return `${head} at the pay-as-you-go fee of ${formatFen(standardFeeFen)} each`;
  const paid = month.swaps - month.included;
  const parts = [`${month.included} included in ${car.plan.name}`];
  if (paid > 0) parts.push(`${paid} at ${formatFen(car.plan.perSwapFeeFen)} each`);
  return `${head}: ${parts.join(', ')}`;
}

/** The prices of the quote's city. */
export interface QuoteCityPrices {
  city: string;
  chargingFenPerKwh: bigint;
}

/**
 * Every energy cost of one option, month by month: the plan's fee (RENTAL) and the month's swaps or
 * charging. The same every month: the quote assumes today's prices and an even distance.
 */
export function priceEnergyOption(car: EnergyQuoteCar, years: number, annualDistanceKm: number, prices: QuoteCityPrices): QuoteCostItem[] {
  const monthly: Array<Omit<QuoteCostItem, 'month'>> = [];
  if (car.batteryOption === 'RENTAL') {
    if (!car.plan) throw new Error(`option ${car.option} rents its battery but was given no plan`);
    monthly.push({
      option: car.option,
      category: 'BATTERY_RENTAL',
      description: `Battery plan ${car.plan.name}: the battery rental with ${car.plan.includedSwapsPerMonth} swaps a month included`,
      amountFen: car.plan.monthlyFeeFen,
    });
  }
  if (swapsItsBattery(car)) {
    const month = priceMonthOfSwaps(car.plan, swapsPerMonth(annualDistanceKm, car.rangeKm));
    monthly.push({ option: car.option, category: 'ENERGY', description: swapDescription(car, annualDistanceKm, month, priceSwap(null, 0).feeFen), amountFen: month.feeFen });
  } else {
    const month = priceMonthOfCharging(annualDistanceKm, car.rangeKm, car.batteryKwh, prices.chargingFenPerKwh);
    monthly.push({
      option: car.option,
      category: 'ENERGY',
      description:
        `Charging ${hundredths(month.centiKwh)} kWh a month (${monthlyDistance(annualDistanceKm)} at ${car.batteryKwh} kWh per ${car.rangeKm} km) ` +
        `at ${formatFen(prices.chargingFenPerKwh)} per kWh in ${prices.city}`,
      amountFen: month.feeFen,
    });
  }
  const items: QuoteCostItem[] = [];
  for (let month = 1; month <= 12 * years; month++) for (const item of monthly) items.push({ ...item, month });
  return items;
}
