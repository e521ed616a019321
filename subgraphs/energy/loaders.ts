/**
 * Per-request DataLoaders of the energy subgraph: entity lookups and per-parent pages, batched so the
 * number of SQL statements per request does not grow with the number of rows or parents.
 */
import DataLoader from 'dataloader';
import type { Db, Queryable } from '../kit/db';
import { createSpendingLoaders } from '../kit/contributor';
import type { PageAfter } from './data/rows';
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

/** A loader that looks rows up by id: one `= ANY($1)` statement per batch; missing ids give null. */
function byId<R extends { id: string }>(db: Db, fetch: (q: Queryable, ids: readonly string[]) => Promise<R[]>) {
  return new DataLoader<string, R | null>(async (ids) => {
    const found = new Map((await fetch(db, ids)).map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

/** One page request of one parent's list. */
export interface PageKey<P> {
  parent: P;
  limit: number;
  after: PageAfter;
}

/**
 * A loader for per-parent pages: parents asking for the same page (size and cursor) are read in one
 * statement; a request normally asks every parent for the same page, so that is one statement per field.
 * Each parent gets `limit + 1` rows, the extra one telling whether another page follows.
 */
function pages<P, R>(fetch: (parents: readonly P[], after: PageAfter, limitPlusOne: number) => Promise<R[][]>, keyOf: (p: P) => string) {
  return new DataLoader<PageKey<P>, R[], string>(
    async (keys) => {
      const groups = new Map<string, PageKey<P>[]>();
      for (const k of keys) {
        const g = `${k.limit}\u0000${JSON.stringify(k.after)}`;
        groups.set(g, [...(groups.get(g) ?? []), k]);
      }
      const results = new Map<PageKey<P>, R[]>();
      for (const group of groups.values()) {
        const rows = await fetch(
          group.map((k) => k.parent),
          group[0].after,
          group[0].limit + 1,
        );
        group.forEach((k, i) => results.set(k, rows[i]));
      }
      return keys.map((k) => results.get(k)!);
    },
    { cacheKeyFn: (k) => `${keyOf(k.parent)}\u0000${k.limit}\u0000${JSON.stringify(k.after)}` },
  );
}

const pair = (p: readonly [string, string]) => `${p[0]}\u0000${p[1]}`;
const same = (s: string) => s;

export function createEnergyLoaders(db: Db) {
  return {
    spending: createSpendingLoaders(db, 'energy'),
    station: byId(db, stationsByIds),
    plan: byId(db, plansByIds),
    charger: byId(db, chargersByIds),
    subscription: byId(db, subscriptionsByIds),
    swap: byId(db, swapsByIds),
    charging: byId(db, chargingByIds),
    /** The active subscription of a VIN, or null. */
    activeSubscriptionByVin: new DataLoader<string, SubscriptionRow | null>(async (vins) => {
      const found = new Map((await activeSubscriptionsByVins(db, vins)).map((s) => [s.vin, s]));
      return vins.map((v) => found.get(v) ?? null);
    }),
    swapsByVehicleOwner: pages<readonly [string, string], SwapRow>((ps, after, n) => swapPagesByVehicleOwner(db, ps, after, n), pair),
    swapsByUser: pages<string, SwapRow>((ps, after, n) => swapPagesByUser(db, ps, after, n), same),
    swapsByStation: pages<string, SwapRow>((ps, after, n) => swapPagesByStation(db, ps, after, n), same),
    chargingByVehicleOwner: pages<readonly [string, string], ChargingRow>((ps, after, n) => chargingPagesByVehicleOwner(db, ps, after, n), pair),
    chargingByUser: pages<string, ChargingRow>((ps, after, n) => chargingPagesByUser(db, ps, after, n), same),
    subscriptionsByUser: pages<string, SubscriptionRow>((ps, after, n) => subscriptionPagesByUser(db, ps, after, n), same),
    chargesBySubscription: pages<string, ChargeRow>((ps, after, n) => chargePagesBySubscription(db, ps, after, n), same),
  };
}

export type EnergyLoaders = ReturnType<typeof createEnergyLoaders>;
