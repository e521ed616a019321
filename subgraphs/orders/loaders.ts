/**
 * This request's DataLoaders: every entity lookup and per-parent list goes through one, so the number
 * of SQL statements per request stays the same however many orders, vehicles or users it touches.
 */
import DataLoader from 'dataloader';
import type { Db } from '../../platform/db';
import { createSpendingLoaders } from '../kit/contributor';
import { createTimelineLoaders } from '../kit/timeline-contributor';
import { byKeyLoader, listByKeyLoader, pageLoader } from '../kit/loaders';
import { ordersByIds, orderPages, priceLinesByOrderIds, statusHistoryByOrderIds } from './data/orders';
import { testDrivePages, testDrivesByIds } from './data/test-drives';
import { tradeInPages, tradeInsByIds } from './data/trade-ins';
import { vehiclePages, vehiclesByOrderIds, vehiclesByVins } from './data/vehicles';
import { existingUsers, usersByPseudonyms } from './users';

export function createOrdersLoaders(db: Db) {
  return {
    spending: createSpendingLoaders(db, 'orders'),
    timeline: createTimelineLoaders(db, 'orders'),
    /** pseudonym → real user id (null for nobody): how an analyst's `User` finds its person. */
    userByPseudonym: new DataLoader((pseudonyms: readonly string[]) => usersByPseudonyms(db, pseudonyms)),
    userExists: new DataLoader((ids: readonly string[]) => existingUsers(db, ids)),
    order: byKeyLoader((ids) => ordersByIds(db, ids), (o) => o.id),
    priceLines: listByKeyLoader((orderIds) => priceLinesByOrderIds(db, orderIds), (l) => l.orderId),
    statusHistory: listByKeyLoader((orderIds) => statusHistoryByOrderIds(db, orderIds), (c) => c.orderId),
    tradeIn: byKeyLoader((ids) => tradeInsByIds(db, ids), (t) => t.id),
    testDrive: byKeyLoader((ids) => testDrivesByIds(db, ids), (d) => d.id),
    vehicle: byKeyLoader((vins) => vehiclesByVins(db, vins), (v) => v.vin),
    vehicleOfOrder: byKeyLoader((orderIds) => vehiclesByOrderIds(db, orderIds), (v) => v.orderId),
    ordersOfUser: pageLoader((userIds, after, limit) => orderPages(db, userIds, after, limit)),
    vehiclesOfUser: pageLoader((userIds, after, limit) => vehiclePages(db, userIds, after, limit)),
    testDrivesOfUser: pageLoader((userIds, after, limit) => testDrivePages(db, userIds, after, limit)),
    tradeInsOfUser: pageLoader((userIds, after, limit) => tradeInPages(db, userIds, after, limit)),
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
  loaders.timeline.events.clearAll();
}
