/**
 * The DataLoaders every subgraph builds per request, one factory per shape: a row by key, the rows
 * under each key, and per-parent pages. Each batch is one call of `fetch` (one SQL statement), so the
 * number of statements per request does not grow with the number of rows or parents it serves.
 */
import DataLoader from 'dataloader';
import type { TimeKey } from './pagination';

/** Answers `keys` in order from rows keyed by `keyOf` (null where there is no row). */
export function rowsByKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): (V | null)[] {
  const found = new Map(rows.map((r) => [keyOf(r), r] as const));
  return keys.map((k) => found.get(k) ?? null);
}

/** Groups rows under `keys` in order, keeping the rows' order (an empty list where there are none). */
export function groupBy<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): V[][] {
  const groups = new Map<K, V[]>(keys.map((k) => [k, []]));
  for (const r of rows) groups.get(keyOf(r))?.push(r);
  return keys.map((k) => groups.get(k) ?? []);
}

/** A loader of one row per key (an entity by id, a vehicle by VIN, …): null for a key with no row. */
export function byKeyLoader<V, K = string>(fetch: (keys: readonly K[]) => Promise<readonly V[]>, keyOf: (row: V) => K): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => rowsByKey(keys, await fetch(keys), keyOf));
}

/** A loader of the rows under each key (an invoice's lines, a model's trims, …), in the order `fetch` returns them. */
export function listByKeyLoader<V, K = string>(fetch: (keys: readonly K[]) => Promise<readonly V[]>, keyOf: (row: V) => K): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => groupBy(keys, await fetch(keys), keyOf));
}

/** One page of one parent's list: the parent's key (a user id, a VIN, …), the rows to read and where to start. */
export interface PageRequest<K = TimeKey, P = string> {
  parent: P;
  /** Rows to read: the page size plus one, to learn whether another page follows. */
  limit: number;
  /** The sort key of the previous page's last row; null for the first page. */
  after: K | null;
}

/**
 * A loader of per-parent pages; a parent is a user id and the sort key a `TimeKey` unless `P` and `K`
 * say otherwise. `fetch` reads one page of every parent given (one statement, e.g. `pagesByParent`) and
 * answers a list per parent, in the parents' order. Requests of the same page size and cursor (the usual
 * case: one list field across many parents) share one call; distinct ones cost one call each.
 */
export function pageLoader<V, K = TimeKey, P = string>(
  fetch: (parents: readonly P[], after: K | null, limit: number) => Promise<V[][]>,
): DataLoader<PageRequest<K, P>, V[], string> {
  // JSON of the parent and the key: parents may be tuples (a VIN and its owner), keys hold Dates (ISO in JSON).
  const shapeOf = (r: PageRequest<K, P>) => JSON.stringify([r.limit, r.after]);
  const cacheKeyOf = (r: PageRequest<K, P>) => JSON.stringify([r.parent, r.limit, r.after]);
  return new DataLoader<PageRequest<K, P>, V[], string>(
    async (requests) => {
      const shapes = new Map<string, PageRequest<K, P>[]>();
      for (const r of requests) shapes.set(shapeOf(r), [...(shapes.get(shapeOf(r)) ?? []), r]);
      const pages = new Map<string, V[]>();
      for (const group of shapes.values()) {
        const parents = [...new Map(group.map((r) => [JSON.stringify(r.parent), r.parent] as const)).values()];
        const lists = await fetch(parents, group[0].after, group[0].limit);
        parents.forEach((parent, i) => pages.set(cacheKeyOf({ ...group[0], parent }), lists[i] ?? []));
      }
      return requests.map((r) => pages.get(cacheKeyOf(r)) ?? []);
    },
    { cacheKeyFn: cacheKeyOf },
  );
}
