/**
 * Per-request DataLoaders: every entity lookup (`__resolveReference`, `Trim.model`, quote items) and
 * every nested list (`VehicleModel.trims`, `User.preferences`) is one statement per request, however
 * many rows or parents it serves.
 */
import DataLoader from 'dataloader';
import type { Db } from '../kit/db';
import { modelsByIds, trimsByIds, trimsByModelIds, type TrimRecord, type VehicleModelRecord } from './data/models';
import { accessoriesByIds, coloursByIds, packagesByCodes, packagesByIds, type AccessoryRecord, type ColourRecord, type PackageCode, type PackageRecord } from './data/options';
import { preferencesOfUsers, type PreferenceRecord } from './data/preferences';

/** Builds a by-key loader over a batch fetch; a missing key resolves to null. */
function byKey<K extends string, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (v: V) => K) {
  return new DataLoader<K, V | null>(async (keys) => {
    const found = new Map((await fetch(keys)).map((v) => [keyOf(v), v] as const));
    return keys.map((k) => found.get(k) ?? null);
  });
}

/** One page request of one user's preferences. */
export interface PreferencePageKey {
  userId: string;
  /** Rows to fetch: page size + 1 (to learn whether a next page exists). */
  fetch: number;
  after: { createdAt: Date; id: string } | null;
}

export function createCatalogLoaders(db: Db) {
  const trim = byKey<string, TrimRecord>((ids) => trimsByIds(db, ids), (t) => t.id);
  return {
    model: byKey<string, VehicleModelRecord>((ids) => modelsByIds(db, ids), (m) => m.id),
    trim,
    colour: byKey<string, ColourRecord>((ids) => coloursByIds(db, ids), (c) => c.id),
    package: byKey<string, PackageRecord>((ids) => packagesByIds(db, ids), (p) => p.id),
    packageByCode: byKey<PackageCode, PackageRecord>((codes) => packagesByCodes(db, codes), (p) => p.code),
    accessory: byKey<string, AccessoryRecord>((ids) => accessoriesByIds(db, ids), (a) => a.id),
    trimsOfModel: new DataLoader<string, TrimRecord[]>(async (modelIds) => {
      const trims = await trimsByModelIds(db, modelIds);
      const byModel = new Map<string, TrimRecord[]>(modelIds.map((id) => [id, []]));
      for (const t of trims) {
        byModel.get(t.modelId)?.push(t);
        trim.prime(t.id, t);
      }
      return modelIds.map((id) => byModel.get(id) ?? []);
    }),
    /**
     * Users asking for the same page (same size and cursor — the usual case: one field in one query
     * over many users) share one statement; distinct pages cost one statement each.
     */
    preferencesOfUser: new DataLoader<PreferencePageKey, PreferenceRecord[], string>(
      async (keys) => {
        const groups = new Map<string, PreferencePageKey[]>();
        for (const k of keys) {
          const g = pageGroup(k);
          groups.set(g, [...(groups.get(g) ?? []), k]);
        }
        const results = new Map<string, PreferenceRecord[]>();
        await Promise.all(
          [...groups.values()].map(async (group) => {
            const { fetch, after } = group[0];
            const rows = await preferencesOfUsers(db, [...new Set(group.map((k) => k.userId))], after, fetch);
            for (const k of group) results.set(pageKey(k), []);
            for (const r of rows) results.get(pageKey({ userId: r.userId, fetch, after }))?.push(r);
          }),
        );
        return keys.map((k) => results.get(pageKey(k)) ?? []);
      },
      { cacheKeyFn: pageKey },
    ),
  };
}

function pageGroup(k: PreferencePageKey): string {
  return `${k.fetch}\u0000${k.after ? `${k.after.createdAt.toISOString()}\u0000${k.after.id}` : ''}`;
}

function pageKey(k: PreferencePageKey): string {
  return `${k.userId}\u0000${pageGroup(k)}`;
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;
