/** What energy's seed reads of earlier stages' facts: which trims can swap, and the delivered vehicles. */
import { seedFact } from '../../kit/seed';

export interface DeliveredVehicle {
  vin: string;
  ownerId: string;
  trimId: string;
  batteryRental: boolean;
  deliveredAt: Date;
}

export const CATALOG = {
  /** The trims on sale: whether each one's battery can be swapped. */
  trims: seedFact<ReadonlyArray<{ id: string; swapCapable: boolean }>>('catalog', 'trims'),
};

export const ORDERS = {
  vehicles: seedFact<readonly DeliveredVehicle[]>('orders', 'vehicles'),
};
