/** What aftermarket's seed reads of the orders stage's facts: the delivered vehicles it services. */
import { seedFact } from '../../kit/seed';

/** A delivered vehicle and what its delivery package entitles it to (as orders' `Vehicle.packageEntitlement`). */
export interface DeliveredVehicle {
  vin: string;
  ownerId: string;
  deliveredAt: Date;
  packageId: string;
  maintenanceServices: number;
  /** What the platform settles per scheduled service at most (0 when none). */
  maintenanceAllowanceFen: bigint;
  /** Null when the package has no maintenance. */
  maintenanceValidUntil: Date | null;
  fittedItems: string[];
}

export const ORDERS = {
  vehicles: seedFact<readonly DeliveredVehicle[]>('orders', 'vehicles'),
};
