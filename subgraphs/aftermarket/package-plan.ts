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
 */
import { canReadUser, requireIdentity, requireRole } from '../kit/auth';
import { badInput, conflict, forbidden, notFound } from '../../platform/errors';
import { newId } from '../kit/ids';
import { money, parseDecimalToFen } from '../../platform/money';
import type { Ctx } from './access';
import * as data from './data';
import type { PackageFitting, ServiceType } from './data';
import { requireIdArg, requireVin } from './validation';
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
interface EntitlementWire {
  packageId: string | null;
  maintenanceServices: number;
  /** A Decimal string, e.g. `800.00`. */
  maintenanceAllowancePerService: string;
  maintenanceValidUntil: string | Date | null;
  fittedItems: string[];
}

const fromWire = ({ maintenanceAllowancePerService, ...e }: EntitlementWire): Entitlement => ({
  ...e,
  maintenanceAllowanceFen: parseDecimalToFen(maintenanceAllowancePerService),
  maintenanceValidUntil: e.maintenanceValidUntil === null ? null : new Date(e.maintenanceValidUntil),
});

const VEHICLE_ENTITLEMENT_QUERY =
  'query($v:String!){ vehicle(vin:$v){ vin ownerId packageEntitlement { packageId maintenanceServices maintenanceAllowancePerService maintenanceValidUntil fittedItems } } }';

/** Asks orders for a delivered vehicle's owner and package entitlement; NOT_FOUND when no such vehicle was delivered. */
/** The one answer for a VIN nobody has and for a VIN the caller may not act on. */
const noSuchVehicle = (vin: string) => notVisible('delivered vehicle with VIN', vin);

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

/** A vehicle as the gateway hands it to the package fields: its key, owner and entitlement (`@requires`). */
interface VehicleWithEntitlement {
  vin: string;
  internalOwnerId: string;
  packageEntitlement?: EntitlementWire;
}

function requireReadVehicleRecord(ctx: Ctx, ownerId: string, what: string): void {
  const who = requireIdentity(ctx.identity);
  if (!canReadUser(who, ownerId)) throw forbidden(`you can only read your own vehicle's ${what}`);
}

export const packagePlanResolvers = {
  Vehicle: {
    async maintenancePlan(v: VehicleWithEntitlement, _: unknown, ctx: Ctx) {
      requireReadVehicleRecord(ctx, v.internalOwnerId, 'maintenance plan');
      if (!v.packageEntitlement) throw new Error('Vehicle.maintenancePlan needs packageEntitlement from orders (@requires)');
      const e = fromWire(v.packageEntitlement);
      if (e.maintenanceServices === 0 || e.maintenanceValidUntil === null || e.packageId === null) return null;
      const used = await ctx.loaders.packageServicesUsed.load(v.vin);
      const expired = Date.now() >= e.maintenanceValidUntil.getTime();
      const left = Math.max(0, e.maintenanceServices - used);
      return {
        package: { id: e.packageId },
        validUntil: e.maintenanceValidUntil,
        servicesIncluded: e.maintenanceServices,
        allowancePerService: money(e.maintenanceAllowanceFen),
        servicesUsed: used,
        servicesRemaining: expired ? 0 : left,
        active: !expired && left > 0,
      };
    },

    async fittings(v: VehicleWithEntitlement, _: unknown, ctx: Ctx) {
      requireReadVehicleRecord(ctx, v.internalOwnerId, 'package fittings');
      return ctx.loaders.fittingsOfVehicle.load(v.vin);
    },
  },

  PackageFitting: {
    vehicle: (f: PackageFitting) => ({ vin: f.vin }),
    package: (f: PackageFitting) => ({ id: f.packageId }),
    store: (f: PackageFitting, _: unknown, ctx: Ctx) => ctx.loaders.store.load(f.storeId),
  },

  Mutation: {
    async recordPackageFitting(_: unknown, { input }: { input: { vin: string; storeId: string } }, ctx: Ctx): Promise<PackageFitting> {
      const who = requireRole(ctx.identity, 'partner', 'admin');
      const vin = requireVin(input.vin);
      requireIdArg(input.storeId, 'storeId', 'a store');
      const store = await ctx.loaders.store.load(input.storeId);
      if (!store) throw notFound(`no store has id ${input.storeId}`);
      if (!store.services.includes('MODIFICATION')) {
        throw badInput(`${store.name} does not fit accessories (it offers ${store.services.join(', ')}); record the fitting at a store offering MODIFICATION`, 'storeId');
      }
      // A partner records fittings only of cars booked in for MODIFICATION at a store of their organisation;
      // any other VIN is answered like one nobody has, so fittings are no VIN oracle and a bogus one
      // cannot take the car's single fitting from the store that really fits it.
      if (who.role !== 'admin' && !(who.role === 'partner' && who.org === store.org && (await data.hasModificationVisit(ctx.db, vin, store.id)))) {
        throw noSuchVehicle(vin);
      }
      const { entitlement } = await vehicleEntitlement(ctx, vin);
      if (entitlement.fittedItems.length === 0 || entitlement.packageId === null) {
        throw badInput(`vehicle ${vin} was not bought with a package that is fitted (car cover or accessory assembly); there is nothing to record`, 'vin');
      }
      const fitting: PackageFitting = {
        id: newId('fit'),
        vin,
        packageId: entitlement.packageId,
        storeId: store.id,
        items: entitlement.fittedItems,
        fittedAt: new Date(),
        recordedBy: `${who.role}:${who.sub}`,
      };
      try {
        await ctx.db.tx((q) => data.insertFittingRows(q, [fitting]));
      } catch (err) {
        if (err instanceof data.AlreadyFittedError) throw conflict(`the package of vehicle ${vin} is already fitted; a package is fitted once`);
        throw err;
      }
      ctx.loaders.fittingsOfVehicle.clear(vin);
      return fitting;
    },
  },
};
