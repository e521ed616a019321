/** What finance's seed reads of the orders stage's facts: the orders it finances and the vehicles it insures. */
import { seedFact } from '../kit/seed';

/** A seeded order, as finance reads it: a loan or lease finances `financedFen` of it (0: paid in cash). */
export interface SeededOrder {
  id: string;
  userId: string;
  financedFen: bigint;
  placedAt: Date;
}

/** A delivered vehicle, as finance reads it: insured yearly from its delivery. */
export interface DeliveredVehicle {
  vin: string;
  ownerId: string;
  deliveredAt: Date;
}

/** What finance reads of the orders stage's facts. */
export const ORDERS = {
  orders: seedFact<readonly SeededOrder[]>('orders', 'orders'),
  vehicles: seedFact<readonly DeliveredVehicle[]>('orders', 'vehicles'),
};
