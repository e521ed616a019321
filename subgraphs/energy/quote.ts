/**
 * Energy's contribution to the cost-of-ownership quote (`OwnershipQuote.energyQuoteCosts`): reads the
 * quote city's prices and the battery plans (public reference rows), checks what the quote asks of
 * energy — the city, and each option's battery plan as `subscribeBatteryPlan` would take it — and
 * prices every month with `quote-pricing.ts`.
 */
import { badInput } from '../../platform/errors';
import { optionField, type QuoteCostItem, type QuoteSpec, type QuoteVehicleFacts } from '../kit/ownership-quote';
import type { Ctx } from './access';
import { cityPricesByCities, listCityPrices } from './data/prices';
import { listPlans, type PlanRow } from './data/subscriptions';
import { cheapestPlan, priceEnergyOption, swapsItsBattery, swapsPerMonth, type QuotePlan } from './quote-pricing';

/** The quote's city, as energy prices it; an unknown one is refused naming the cities that have prices. */
async function cityPrices(ctx: Ctx, city: string) {
  const [prices] = await cityPricesByCities(ctx.db, [city]);
  if (prices) return prices;
  const known = (await listCityPrices(ctx.db)).map((p) => p.city);
  throw badInput(`energy has no prices for the city "${city}"; quotes can be priced in ${known.join(', ')} (exact spelling, see \`cityEnergyPrices\`)`, 'input.city');
}

/**
 * The plan option `index` (0-based) rents its battery on: the one asked for, or the cheapest for its
 * swaps. A plan asked for a car that owns its battery is refused, as `subscribeBatteryPlan` refuses it.
 */
function planOf(facts: QuoteVehicleFacts, askedPlanId: string | null, plans: readonly PlanRow[], annualDistanceKm: number, index: number): QuotePlan | null {
  const field = optionField(index, 'batteryPlanId');
  if (facts.batteryOption === 'OWNED') {
    if (askedPlanId !== null) {
      throw badInput(`option ${facts.option}'s trim ${facts.trimId} owns its battery; battery plans are for battery-rental trims, so leave \`batteryPlanId\` null`, field);
    }
    return null;
  }
  if (askedPlanId === null) return cheapestPlan(plans, swapsItsBattery(facts) ? swapsPerMonth(annualDistanceKm, facts.rangeKm) : 0);
  const plan = plans.find((p) => p.id === askedPlanId);
  if (!plan) throw badInput(`no battery plan "${askedPlanId}"; choose one of ${plans.map((p) => p.id).join(', ')} (see \`batteryPlans\`), or null for the cheapest`, field);
  return plan;
}

/** Every energy cost of every option of the quote, month by month. Reads only public rows. */
export async function priceEnergyQuote(spec: QuoteSpec, facts: QuoteVehicleFacts[], ctx: Ctx): Promise<QuoteCostItem[]> {
  const prices = await cityPrices(ctx, spec.city);
  const plans = await listPlans(ctx.db);
  return facts.flatMap((car) => {
    const index = car.option - 1;
    const plan = planOf(car, spec.options[index].batteryPlanId, plans, spec.annualDistanceKm, index);
    return priceEnergyOption({ ...car, plan }, spec.years, spec.annualDistanceKm, prices);
  });
}
