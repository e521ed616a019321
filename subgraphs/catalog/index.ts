/** The catalog subgraph: what can be bought and configured, and users' stated preferences (co-creation). */
import type { SubgraphModule } from '../kit/module';
import { seedCatalog } from './seed';
import { createCatalogLoaders, type CatalogLoaders } from './loaders';
import { resolvers } from './resolvers';

const catalogModule: SubgraphModule<CatalogLoaders> = {
  name: 'catalog',
  port: 4001,
  seed: { stage: seedCatalog },
  dir: __dirname,
  resolvers: resolvers as unknown as SubgraphModule<CatalogLoaders>['resolvers'],
  createLoaders: (db) => createCatalogLoaders(db),
};

export default catalogModule;
