/**
 * Aftermarket's contribution to the cost-of-ownership quote (`OwnershipQuote.aftermarketQuoteCosts`):
 * reads the scheduled-service price list (public reference rows) and prices each option's maintenance
 * with `quote-pricing.ts`, under the maintenance plan of the package catalog says the option has.
 */
import type { QuoteCostItem, QuoteSpec, QuoteVehicleFacts } from '../kit/ownership-quote';
import { listScheduledServicePrices } from './data/service-prices';
import { priceMaintenanceOption } from './quote-pricing';
import type { Ctx } from './access';

/** Every MAINTENANCE cost of every option of the quote. Reads only public rows. */
export async function priceMaintenanceQuote(spec: QuoteSpec, facts: QuoteVehicleFacts[], ctx: Ctx): Promise<QuoteCostItem[]> {
  const prices = await listScheduledServicePrices(ctx.db);
  return facts.flatMap((car) => {
    const plan = car.maintenancePlan && { services: car.maintenancePlan.services, years: car.maintenancePlan.years, allowancePerServiceFen: BigInt(car.maintenancePlan.allowancePerServiceFen) };
    return priceMaintenanceOption(car.option, spec.years, spec.annualDistanceKm, plan, prices);
  });
}
