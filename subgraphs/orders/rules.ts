/**
 * The buying rules, free of I/O: the fixed deposit, how an order's price splits into deposit, trade-in
 * credit, financed amount and balance, what the buyer still owes, and what a car's package entitles it
 * to. Resolvers and the seed both price orders through here, so they cannot disagree.
 */
import { badInput } from '../../platform/errors';
import { formatFen } from '../../platform/money';
import { addYears } from '../kit/seed';
import type { Order } from './data/orders';
import type { Vehicle } from './data/vehicles';

/** The deposit every order pays first: 5,000.00 yuan (or the whole price when that is smaller). */
export const DEPOSIT_FEN = 500_000n;

/** The deposit of an order of `totalFen`. */
export function depositFor(totalFen: bigint): bigint {
  return totalFen < DEPOSIT_FEN ? totalFen : DEPOSIT_FEN;
}

/** How an order's price is paid; the four parts always add up to the total. */
export interface PriceSplit {
  totalFen: bigint;
  depositFen: bigint;
  tradeInCreditFen: bigint;
  financedFen: bigint;
  balanceDueFen: bigint;
}

/**
 * Splits `totalFen` into deposit, trade-in credit, financed amount and balance due; refuses a split
 * whose balance would be negative, naming what the buyer can change.
 */
export function splitPrice(totalFen: bigint, tradeInCreditFen: bigint, financedFen: bigint): PriceSplit {
  const depositFen = depositFor(totalFen);
  const financeable = totalFen - depositFen - tradeInCreditFen;
  if (financeable < 0n) {
    throw badInput(
      `the trade-in credit of ${formatFen(tradeInCreditFen)} is more than the ${formatFen(totalFen - depositFen)} left after the deposit of ${formatFen(depositFen)}; order without this trade-in or choose a larger configuration`,
      'tradeInId',
    );
  }
  if (financedFen > financeable) {
    throw badInput(
      `financedAmount ${formatFen(financedFen)} is more than the ${formatFen(financeable)} left to pay after the deposit${tradeInCreditFen > 0n ? ' and the trade-in credit' : ''}; finance at most ${formatFen(financeable)}`,
      'financedAmount',
    );
  }
  return { totalFen, depositFen, tradeInCreditFen, financedFen, balanceDueFen: financeable - financedFen };
}

/** What a `placeOrder` asked for, in a canonical form: two requests ask for the same order iff these are equal. */
export interface OrderRequest {
  trimId: string;
  colourId: string | null;
  packageId: string | null;
  accessoryIds: string[];
  financedFen: bigint;
  tradeInId: string | null;
}

/**
 * The canonical text of a request, stored with the order. Accessory order does not change the order
 * (the same set in another order is the same purchase), so the ids are sorted.
 */
export function requestFingerprint(r: OrderRequest): string {
  return JSON.stringify([r.trimId, r.colourId, r.packageId, [...r.accessoryIds].sort(), r.financedFen.toString(), r.tradeInId]);
}

/**
 * What the buyer still owes: a part is owed until it is paid. A cancelled order owes nothing (only an
 * unpaid order can be cancelled). The priced amounts stay on the order for `deposit` and `balance`.
 */
export function owed(o: Order): { depositFen: bigint; balanceFen: bigint } {
  if (o.status === 'CANCELLED') return { depositFen: 0n, balanceFen: 0n };
  return { depositFen: o.depositPaidAt ? 0n : o.depositFen, balanceFen: o.balancePaidAt ? 0n : o.balanceDueFen };
}

/**
 * What a vehicle's package entitles it to: the terms copied onto its order, with the maintenance years
 * counted from the day the car was handed over.
 */
export function packageEntitlement(v: Vehicle, o: Order | null) {
  if (!o) throw new Error(`vehicle ${v.vin} has no order ${v.orderId}`);
  const { maintenanceServices, maintenanceYears, maintenanceAllowanceFen, fittedItems } = o.entitlement;
  return {
    packageId: o.packageId,
    maintenanceServices,
    maintenanceAllowancePerService: maintenanceAllowanceFen,
    maintenanceValidUntil: maintenanceServices > 0 ? addYears(v.deliveredAt, maintenanceYears) : null,
    fittedItems,
  };
}
