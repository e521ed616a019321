/**
 * Per-request DataLoaders of the energy subgraph: entity lookups and per-parent pages, batched so the
 * number of SQL statements per request does not grow with the number of rows or parents.
 */
import type { Db } from '../../platform/db';
import { createSpendingLoaders } from '../kit/contributor';
import { createTimelineLoaders } from '../kit/timeline-contributor';
import { byKeyLoader, pageLoader } from '../kit/loaders';
import type { SortAfter } from '../kit/parent-pages';
import { chargersByIds, stationsByIds } from './data/network';
import {
  activeSubscriptionsByVins,
  chargePagesBySubscription,
  plansByIds,
  subscriptionPagesByUser,
  subscriptionsByIds,
  type ChargeRow,
  type SubscriptionRow,
} from './data/subscriptions';
import { swapPagesByStation, swapPagesByUser, swapPagesByVehicleOwner, swapsByIds, type SwapRow } from './data/swaps';
import { chargingByIds, chargingPagesByUser, chargingPagesByVehicleOwner, type ChargingRow } from './data/charging';

/** A vehicle's lists are its current owner's: the parent is (VIN, owner). */
type VehicleOwner = readonly [string, string];

export function createEnergyLoaders(db: Db) {
  return {
    spending: createSpendingLoaders(db, 'energy'),
    timeline: createTimelineLoaders(db, 'energy'),
    station: byKeyLoader((ids) => stationsByIds(db, ids), (s) => s.id),
    plan: byKeyLoader((ids) => plansByIds(db, ids), (p) => p.id),
    charger: byKeyLoader((ids) => chargersByIds(db, ids), (c) => c.id),
    subscription: byKeyLoader((ids) => subscriptionsByIds(db, ids), (s) => s.id),
    swap: byKeyLoader((ids) => swapsByIds(db, ids), (s) => s.id),
    charging: byKeyLoader((ids) => chargingByIds(db, ids), (c) => c.id),
    /** The active subscription of a VIN, or null. */
    activeSubscriptionByVin: byKeyLoader((vins) => activeSubscriptionsByVins(db, vins), (s) => s.vin),
    swapsByVehicleOwner: pageLoader<SwapRow, SortAfter, VehicleOwner>((ps, after, n) => swapPagesByVehicleOwner(db, ps, after, n)),
    swapsByUser: pageLoader<SwapRow, SortAfter>((ps, after, n) => swapPagesByUser(db, ps, after, n)),
    swapsByStation: pageLoader<SwapRow, SortAfter>((ps, after, n) => swapPagesByStation(db, ps, after, n)),
    chargingByVehicleOwner: pageLoader<ChargingRow, SortAfter, VehicleOwner>((ps, after, n) => chargingPagesByVehicleOwner(db, ps, after, n)),
    chargingByUser: pageLoader<ChargingRow, SortAfter>((ps, after, n) => chargingPagesByUser(db, ps, after, n)),
    subscriptionsByUser: pageLoader<SubscriptionRow, SortAfter>((ps, after, n) => subscriptionPagesByUser(db, ps, after, n)),
    chargesBySubscription: pageLoader<ChargeRow, SortAfter>((ps, after, n) => chargePagesBySubscription(db, ps, after, n)),
  };
}

export type EnergyLoaders = ReturnType<typeof createEnergyLoaders>;
