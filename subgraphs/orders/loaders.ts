/**
 * This request's DataLoaders: every entity lookup and per-parent list goes through one, so the number
 * of SQL statements per request stays the same however many orders, vehicles or users it touches.
 */
import DataLoader from 'dataloader';
import type { Db } from '../kit/db';
import { createSpendingLoaders } from '../kit/contributor';
import { ordersByIds, orderPages, priceLinesByOrderIds, statusHistoryByOrderIds } from './data/orders';
import { testDrivePages, testDrivesByIds } from './data/test-drives';
import { tradeInPages, tradeInsByIds } from './data/trade-ins';
import type { UserPageKey } from './data/user-pages';
import { vehiclePages, vehiclesByOrderIds, vehiclesByVins } from './data/vehicles';
import { existingUsers, usersByPseudonyms } from './users';

const pageKey = (k: UserPageKey) => JSON.stringify([k.userId, k.limit, k.after]);

export function createOrdersLoaders(db: Db) {
  return {
    spending: createSpendingLoaders(db, 'orders'),
    /** pseudonym → real user id (null for nobody): how an analyst's `User` finds its person. */
    userByPseudonym: new DataLoader((pseudonyms: readonly string[]) => usersByPseudonyms(db, pseudonyms)),
    userExists: new DataLoader((ids: readonly string[]) => existingUsers(db, ids)),
    order: new DataLoader((ids: readonly string[]) => ordersByIds(db, ids)),
    priceLines: new DataLoader((orderIds: readonly string[]) => priceLinesByOrderIds(db, orderIds)),
    statusHistory: new DataLoader((orderIds: readonly string[]) => statusHistoryByOrderIds(db, orderIds)),
    tradeIn: new DataLoader((ids: readonly string[]) => tradeInsByIds(db, ids)),
    testDrive: new DataLoader((ids: readonly string[]) => testDrivesByIds(db, ids)),
    vehicle: new DataLoader((vins: readonly string[]) => vehiclesByVins(db, vins)),
    vehicleOfOrder: new DataLoader((orderIds: readonly string[]) => vehiclesByOrderIds(db, orderIds)),
    ordersOfUser: new DataLoader((keys: readonly UserPageKey[]) => orderPages(db, keys), { cacheKeyFn: pageKey }),
    vehiclesOfUser: new DataLoader((keys: readonly UserPageKey[]) => vehiclePages(db, keys), { cacheKeyFn: pageKey }),
    testDrivesOfUser: new DataLoader((keys: readonly UserPageKey[]) => testDrivePages(db, keys), { cacheKeyFn: pageKey }),
    tradeInsOfUser: new DataLoader((keys: readonly UserPageKey[]) => tradeInPages(db, keys), { cacheKeyFn: pageKey }),
  };
}

export type OrdersLoaders = ReturnType<typeof createOrdersLoaders>;

/**
 * Forgets what this request has read about the orders, trade-ins and users a mutation just changed, so a
 * later mutation or field in the same request reads the new state.
 */
export function forgetChanged(loaders: OrdersLoaders, changed: { orderIds?: string[]; tradeInIds?: string[]; testDriveIds?: string[] }): void {
  for (const id of changed.orderIds ?? []) {
    loaders.order.clear(id);
    loaders.statusHistory.clear(id);
    loaders.vehicleOfOrder.clear(id);
  }
  for (const id of changed.tradeInIds ?? []) loaders.tradeIn.clear(id);
  for (const id of changed.testDriveIds ?? []) loaders.testDrive.clear(id);
  // Per-user pages are keyed by cursor, not by row; a mutation may add to any of them.
  loaders.ordersOfUser.clearAll();
  loaders.vehiclesOfUser.clearAll();
  loaders.testDrivesOfUser.clearAll();
  loaders.tradeInsOfUser.clearAll();
  loaders.vehicle.clearAll();
  loaders.spending.buckets.clearAll();
  loaders.spending.lines.clearAll();
}
