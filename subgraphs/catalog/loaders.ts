/**
 * Per-request DataLoaders: every entity lookup (`__resolveReference`, `Trim.model`, quote items) and
 * every nested list (`VehicleModel.trims`, `User.preferences`) is one statement per request, however
 * many rows or parents it serves.
 */
import type { Db } from '../../platform/db';
import { byKeyLoader, listByKeyLoader, pageLoader } from '../kit/loaders';
import { modelsByIds, trimsByIds, trimsByModelIds } from './data/models';
import { accessoriesByIds, coloursByIds, packagesByCodes, packagesByIds, packagesOfTrims, type PackageCode, type PackageRecord } from './data/options';
import { preferencesOfUsers } from './data/preferences';
import { createTimelineLoaders } from '../kit/timeline-contributor';

export function createCatalogLoaders(db: Db) {
  const trim = byKeyLoader((ids) => trimsByIds(db, ids), (t) => t.id);
  return {
    timeline: createTimelineLoaders(db, 'catalog'),
    model: byKeyLoader((ids) => modelsByIds(db, ids), (m) => m.id),
    trim,
    colour: byKeyLoader((ids) => coloursByIds(db, ids), (c) => c.id),
    package: byKeyLoader((ids) => packagesByIds(db, ids), (p) => p.id),
    packageByCode: byKeyLoader<PackageRecord, PackageCode>((codes) => packagesByCodes(db, codes), (p) => p.code),
    accessory: byKeyLoader((ids) => accessoriesByIds(db, ids), (a) => a.id),
    /** The packages a trim is offered with. */
    packagesOfTrim: listByKeyLoader((trimIds) => packagesOfTrims(db, trimIds), (p) => p.trimId),
    trimsOfModel: listByKeyLoader(async (modelIds) => {
      const trims = await trimsByModelIds(db, modelIds);
      for (const t of trims) trim.prime(t.id, t);
      return trims;
    }, (t) => t.modelId),
    preferencesOfUser: pageLoader((userIds, after, limit) => preferencesOfUsers(db, userIds, after, limit)),
  };
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;
