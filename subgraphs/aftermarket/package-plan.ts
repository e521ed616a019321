/**
 * A vehicle's delivery package, redeemed where the work is done: the prepaid scheduled maintenance of
 * the maintenance-enhanced package (`Vehicle.maintenancePlan`, and `issueInvoice` settling covered
 * services through the platform) and the fitting of the car-cover and accessory-assembly packages
 * (`recordPackageFitting`, `Vehicle.fittings`).
 *
 * What a vehicle is entitled to belongs to orders (the order's package, copied from the catalog, and the
 * delivery day the years count from). Aftermarket learns it from orders two ways, never from its tables:
 *  - reads use `@requires(fields: "packageEntitlement { … }")` on the Vehicle entity: the gateway fetches
 *    it from orders in the same query plan, batched for a whole page of vehicles, with no extra call;
 *  - writes (`issueInvoice`, `recordPackageFitting`) start from an appointment or a VIN, not from a
 *    Vehicle the gateway resolved, so they ask orders with a service call at the moment of writing.
 *
 * Here: the entitlement and the rule for which prepaid service an invoice uses; the fields are read in
 * `queries.ts` (`Vehicle.maintenancePlan`, `Vehicle.fittings`) and written in `mutations.ts`.
 */
import { parseDecimalToFen } from '../../platform/money';
import type { Ctx } from './access';
import type { ServiceType } from './data/stores';
import { notVisible } from '../kit/visible';

/** What a vehicle's package entitles it to, as orders answers `Vehicle.packageEntitlement`. */
export interface Entitlement {
  packageId: string | null;
  maintenanceServices: number;
  /** The most the platform settles for one of those services (0 when none); the owner pays the rest. */
  maintenanceAllowanceFen: bigint;
  maintenanceValidUntil: Date | null;
  fittedItems: string[];
}

/** The entitlement as it arrives over the wire (from `@requires` or a service call): dates as strings. */
export interface EntitlementWire {
  packageId: string | null;
  maintenanceServices: number;
  /** A Decimal string, e.g. `800.00`. */
  maintenanceAllowancePerService: string;
  maintenanceValidUntil: string | Date | null;
  fittedItems: string[];
}

export const fromWire = ({ maintenanceAllowancePerService, ...e }: EntitlementWire): Entitlement => ({
  ...e,
  maintenanceAllowanceFen: parseDecimalToFen(maintenanceAllowancePerService),
  maintenanceValidUntil: e.maintenanceValidUntil === null ? null : new Date(e.maintenanceValidUntil),
});

const VEHICLE_ENTITLEMENT_QUERY =
  'query($v:String!){ vehicle(vin:$v){ vin ownerId packageEntitlement { packageId maintenanceServices maintenanceAllowancePerService maintenanceValidUntil fittedItems } } }';

/** The one answer for a VIN nobody has and for a VIN the caller may not act on. */
export const noSuchVehicle = (vin: string) => notVisible('delivered vehicle with VIN', vin);

/** Asks orders for a delivered vehicle's owner and package entitlement; NOT_FOUND when no such vehicle was delivered. */
export async function vehicleEntitlement(ctx: Ctx, vin: string): Promise<{ ownerId: string; entitlement: Entitlement }> {
  const answer = await ctx.services.call<{ vehicle: { ownerId: string; packageEntitlement: EntitlementWire } | null }>('orders', VEHICLE_ENTITLEMENT_QUERY, { v: vin });
  if (!answer.vehicle) throw noSuchVehicle(vin);
  return { ownerId: answer.vehicle.ownerId, entitlement: fromWire(answer.vehicle.packageEntitlement) };
}

/**
 * Which prepaid service an invoice issued at `at` for a `serviceType` visit uses, given how many the
 * vehicle has used: `used + 1`, or null when it is not scheduled maintenance, the package has no
 * services left, or its years are over. The one rule `issueInvoice` and the seed both apply.
 */
export function packageServiceFor(
  serviceType: ServiceType,
  e: Pick<Entitlement, 'maintenanceServices' | 'maintenanceValidUntil'>,
  used: number,
  at: Date,
): number | null {
  if (serviceType !== 'MAINTENANCE') return null;
  if (used >= e.maintenanceServices || e.maintenanceValidUntil === null) return null;
  if (at.getTime() >= e.maintenanceValidUntil.getTime()) return null;
  return used + 1;
}
